import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkBenchRequest } from '../api/bench-request.ts';
import { COMPILED_MODEL_FILE, readCompiledModel } from '../compile/compiled-model.ts';
import { TinyedgeError } from '../errors.ts';
import { checkOutputFile } from '../output/output-path.ts';
import { runTool } from './run-tool.ts';

/** The report command's options as commander parses them. */
export interface ReportOptions {
  target?: string;
  calibrate?: string[];
  image?: string;
  input?: string;
  runs: string;
  bandwidth: string;
  rtt: string;
  out: string;
  force?: boolean;
  json?: boolean;
  precision?: string;
  budgetFlash?: string;
  budgetRam?: string;
  maxCost?: string;
  minSqnr?: string;
}

/** A compiled folder's model and target; a model name or file as it is. */
function modelAndTarget(model: string, target: string | undefined): { model: string; target: string } {
  if (existsSync(model) && statSync(model).isDirectory() && existsSync(join(model, COMPILED_MODEL_FILE))) {
    const compiled = readCompiledModel(model);
    if (target !== undefined && target !== compiled.target)
      throw new TinyedgeError('TE602', `was compiled for ${compiled.target}, not --target ${target}`, { file: model });
    return { model: compiled.model, target: compiled.target };
  }
  if (target === undefined) throw new TinyedgeError('TE602', 'report needs --target (or a compiled folder)');
  return { model, target };
}

/** Checks the request before anything slow starts, then runs tools/report with absolute paths. */
export async function reportCommand(spec: string, options: ReportOptions, debug: boolean): Promise<void> {
  const { model, target } = modelAndTarget(spec, options.target);
  checkOutputFile(options.out, !!options.force, existsSync(model) ? [{ path: model, what: 'the input model' }] : []);
  await checkBenchRequest(
    { model, target, runs: options.runs, image: options.image, input: options.input },
    { optimized: false },
  );
  const file = (flag: string, path: string | undefined) => (path === undefined ? [] : [flag, resolve(path)]);
  const args = [
    '--model',
    existsSync(model) ? resolve(model) : model,
    '--target',
    target,
    ...(options.calibrate?.length ? ['--calibrate', ...options.calibrate.map((f) => resolve(f))] : []),
    ...file('--image', options.image),
    ...file('--input', options.input),
    '--runs',
    options.runs,
    '--bandwidth',
    options.bandwidth,
    '--rtt',
    options.rtt,
    '--out',
    resolve(options.out),
    ...(options.force ? ['--force'] : []),
    ...(
      [
        ['--precision', options.precision],
        ['--budget-flash', options.budgetFlash],
        ['--budget-ram', options.budgetRam],
        ['--max-cost', options.maxCost],
        ['--min-sqnr', options.minSqnr],
      ] as const
    ).flatMap(([flag, value]) => (value === undefined ? [] : [flag, value])),
    ...(options.json ? ['--json'] : []),
    ...(debug ? ['--debug'] : []),
  ];
  runTool('report/main.ts', args, 'report');
}
