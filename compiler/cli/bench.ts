/**
 * @fileoverview `tinyedge bench [model|artifact] [--target T] [--runs N] …`: checks the request here, then runs the
 * benchmark (tools/bench/main.ts) as its own process in the repository: it imports the peers, which the compiler
 * never does. The child reports its own failures with the CLI's error line and exit code; its status is ours. Its
 * builds (a few MB of C project each) go to a temporary folder of this run, removed when it ends.
 */

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type BenchFlags, checkBenchRequest } from '../api/bench-request.ts';
import { runTool } from './run-tool.ts';

/** The bench command's options as commander parses them. */
export interface BenchOptions extends Omit<BenchFlags, 'model'> {
  suite?: string;
  modelsDir?: string;
  models?: string;
  json?: boolean;
}

/** Checks the request (model, flags, input) before anything slow starts, then runs tools/bench with absolute paths. */
export async function benchCommand(model: string, options: BenchOptions, debug: boolean): Promise<void> {
  // A suite names its own models: tools/bench checks its flags and files.
  if (options.suite === undefined) await checkBenchRequest({ model, ...options }, { optimized: false });
  const file = (flag: string, path: string | undefined) => (path === undefined ? [] : [flag, resolve(path)]);
  const args = [
    '--model',
    existsSync(model) ? resolve(model) : model,
    ...file('--image', options.image),
    ...file('--input', options.input),
    ...file('--audio', options.audio),
    '--runs',
    options.runs,
    ...(options.threads === undefined ? [] : ['--threads', options.threads]),
    ...(options.target ? ['--target', options.target] : []),
    ...(options.suite === undefined ? [] : ['--suite', options.suite]),
    ...file('--models-dir', options.modelsDir),
    ...(options.models === undefined ? [] : ['--models', options.models]),
    ...(options.browser ? ['--browser'] : []),
    ...(options.json ? ['--json'] : []),
    ...(debug ? ['--debug'] : []),
  ];
  runTool('bench/main.ts', args, 'bench');
}
