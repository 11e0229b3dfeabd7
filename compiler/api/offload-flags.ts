/**
 * @fileoverview What `tinyedge offload plan|demo` hands to tools/offload (which runs them as its own process): the
 * options as parsed, defined once here so the CLI that parses them and the tool that reads them agree.
 */

/** The options `tinyedge offload plan` parsed (compiler/cli/main.ts defines them, with their defaults and help). */
export interface PlanFlags {
  model: string;
  artifact?: string;
  target: string;
  bandwidth: string;
  rtt: string;
  runs: string;
  codec: string;
  image: string;
  plot?: string;
  force?: boolean;
  json?: boolean;
}

/** The options `tinyedge offload demo` parsed. */
export interface DemoFlags {
  model: string;
  artifact?: string;
  bandwidths: string;
  rtt: string;
  jitter: string;
  loss: string;
  frames: string;
  deviceSlowdown: string;
  image: string;
  json?: boolean;
}
