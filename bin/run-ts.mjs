#!/usr/bin/env node
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { toolBundle } from './cli-bundle.mjs';

// Runs a TypeScript entry point (tools, benchmarks) the way bin/tinyedge.mjs runs the CLI: a tool under tools/ from
// its esbuild bundle (through tsx its ~300 files take seconds to start: 9 s of CPU against 2.6 s for the report),
// anything else, or a tool when the bundle cannot be built, through tsx.

// libvips prints its warnings (a damaged but decodable photo) straight to stderr, between tinyedge's lines; it
// reads this before sharp loads. A photo it cannot decode is still an error, reported as tinyedge's one line.
process.env.VIPS_WARNING ??= '0';
const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: run-ts.mjs FILE.ts [args…]');
  process.exit(2);
}
process.argv = [process.argv[0], entry, ...rest];
const bundle = await toolBundle(resolve(entry));
if (bundle) await import(bundle);
else {
  // binaryen is one 15 MB JavaScript file: through tsx's loader hooks it takes ~10× longer to load (measured: 36 s
  // against 3 s on a busy machine), so it loads before they are registered and later imports find it loaded.
  await import('binaryen');
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(resolve(entry)).href);
}
