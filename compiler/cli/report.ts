/**
 * @fileoverview `tinyedge report [model|artifact|compiled-dir] --target T --out report.html [--force] [--json]`:
 * checks the request here (the model loads, the target exists, --out may be written), then runs tools/report/main.ts
 * as its own process like bench (it counts under qemu and imports tools). A compiled folder stands for the model it
 * was compiled from, on its target. The child reports its own failures; its status is ours.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkBenchRequest } from '../api/bench-request.ts';
import { COMPILED_MODEL_FILE, readCompiledModel } from '../compile/compiled-model.ts';
import { TinyedgeError } from '../errors.ts';
import { checkOutputFile } from '../output/output-path.ts';

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
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const file = (flag: string, path: string | undefined) => (path === undefined ? [] : [flag, resolve(path)]);
  const args = [
    'bin/run-ts.mjs',
    'tools/report/main.ts',
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
  const scratch = mkdtempSync(join(tmpdir(), 'tinyedge-report-'));
  try {
    const r = spawnSync(process.execPath, args, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, TMPDIR: scratch },
    });
    process.exitCode = r.status ?? 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
