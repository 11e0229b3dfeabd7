/**
 * @fileoverview `tinyedge bench --suite mlperf-tiny --target T`: the per-model emulated bench (emulated-model.ts) on
 * each MLPerf Tiny model and TFLM's person_detect, in one table: instructions, estimated cycles, MACs per
 * instruction and per estimated cycle against the ISA's limit, arena, flash, TFLM + CMSIS-NN's measured figures and
 * the best published result for the core, with ratios.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchRequest, checkBenchRequest, inputTensor } from '../../compiler/api/bench-request.ts';
import { TinyedgeError } from '../../compiler/errors.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { table } from '../../compiler/terminal/format.ts';
import { CYCLE_COSTS } from '../../targets/qemu-insn/cycle-costs.ts';
import { loadTarget } from '../../targets/target.ts';
import { benchModelEmulated } from './emulated-model.ts';
import { bestPublished, MLPERF_TINY_MODELS, publishedCycles, type SuiteModel } from './mlperf-tiny-figures.ts';
import { pythonRandomInt8 } from './python-random.ts';
import { tflmArenaBytesOn } from './tflm-figures.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where the suite looks for MLPerf Tiny's files without --models-dir: the copies in models/mlperf-tiny/. */
export const DEFAULT_MODELS_DIR = resolve(ROOT, 'models/mlperf-tiny');

/** One model's line of the suite. */
export interface SuiteRow {
  name: string;
  benchmark: string;
  file: string;
  input: string;
  macs: number;
  instructions: number;
  estimatedCycles: number;
  macsPerInstruction: number;
  macsPerEstimatedCycle: number;
  arenaBytes: number;
  weightBytes: number;
  codeBytes: number;
  sameOutput: boolean;
  /** Whether the output on the README's seed-1 input equals TFLM's own output (models with TFLM's output on record). */
  tflmOutputEqual?: boolean;
  /** TFLM + CMSIS-NN's measured figures on the same board, and ours over theirs. */
  tflm?: { instructions: number; arenaBytes: number; instructionRatio: number; arenaRatio: number; source: string };
  /** The best published MLPerf Tiny result for this core, and our estimated cycles over its cycles. */
  published?: { stack: string; board: string; clockMHz: number; ms: number; cycles: number; ratio: number };
}

/** The whole suite on one target. */
export interface SuiteResult {
  suite: 'mlperf-tiny';
  target: string;
  limit: { macsPerInstruction: number; instruction: string; source: string };
  models: SuiteRow[];
}

/** The suite's models as `--models a,b` names them (all of them without it); an unknown name is an error. */
function pickModels(names: string | undefined): SuiteModel[] {
  if (names === undefined) return [...MLPERF_TINY_MODELS];
  return names.split(',').map((n) => {
    const m = MLPERF_TINY_MODELS.find((s) => s.name === n.trim());
    if (!m)
      throw new TinyedgeError(
        'TE601',
        `--models: no suite model '${n}' (the suite has ${MLPERF_TINY_MODELS.map((s) => s.name).join(', ')})`,
      );
    return m;
  });
}

/** Checks the suite's flags and that every model file is there, before anything is built. */
function checkSuite(suite: string, targetName: string | undefined, modelsDir: string, models: SuiteModel[]) {
  if (suite !== 'mlperf-tiny')
    throw new TinyedgeError('TE601', `--suite: the one suite is mlperf-tiny, got '${suite}'`);
  if (!targetName || !CYCLE_COSTS[targetName])
    throw new TinyedgeError('TE602', '--suite mlperf-tiny needs --target cortex-m4, cortex-m7 or cortex-m55');
  const paths = models.map((m) => (m.dir === 'repo' ? join(ROOT, m.file) : join(modelsDir, m.file)));
  const missing = paths.find((p) => !existsSync(p));
  if (missing)
    throw new TinyedgeError(
      'TE101',
      `MLPerf Tiny model not found: give --models-dir DIR with the suite's .tflite files (from github mlcommons/tiny; default ${DEFAULT_MODELS_DIR}), or --models to run fewer`,
      { file: missing },
    );
  return paths;
}

/** A model with TFLM's seed-1 output on record is fed that input (Python's random.Random(1) bytes), as TFLM was. */
function withSeed1Input(m: SuiteModel, request: BenchRequest): BenchRequest {
  if (!m.tflmSeed1Output) return request;
  const n = sizeOf(inputTensor(request.model).shape);
  return {
    ...request,
    input: { kind: 'raw', label: 'seed 1 (Python random.Random(1), as TFLM ran)', values: pythonRandomInt8(1, n) },
  };
}

/** Runs the per-model emulated bench on each model of the suite and gathers one row per model. */
export async function benchSuite(
  flags: { suite: string; target?: string; modelsDir?: string; models?: string },
  log: (s: string) => void,
): Promise<SuiteResult> {
  const models = pickModels(flags.models);
  const paths = checkSuite(flags.suite, flags.target, resolve(flags.modelsDir ?? DEFAULT_MODELS_DIR), models);
  const target = loadTarget(flags.target!);
  if (!target.limit) throw new Error(`internal: ${target.name} has no ISA limit in its profile`);
  const rows: SuiteRow[] = [];
  for (const [i, m] of models.entries()) {
    log(`${m.name} (${m.benchmark}):`);
    const request = withSeed1Input(
      m,
      await checkBenchRequest({
        model: paths[i]!,
        target: target.name,
        runs: '1',
        ...(m.input ? { input: join(ROOT, m.input) } : {}),
      }),
    );
    const { result, tflm } = await benchModelEmulated(request, target, log);
    const expected = m.tflmSeed1Output;
    const t = result.totals;
    const cycles = t.estimatedCycles ?? 0;
    const peer = tflm?.instructions[target.name];
    const best = bestPublished(target.name, m.name);
    const m2 = result.memory;
    rows.push({
      name: m.name,
      benchmark: m.benchmark,
      file: paths[i]!,
      input: request.input.label,
      macs: t.macs,
      instructions: t.instructions,
      estimatedCycles: cycles,
      macsPerInstruction: t.macs / t.instructions,
      macsPerEstimatedCycle: t.macs / cycles,
      arenaBytes: m2.arenaBytes,
      weightBytes: m2.weightBytes,
      codeBytes: m2.codeBytes,
      sameOutput: result.sameOutput,
      ...(expected ? { tflmOutputEqual: expected.every((v, j) => result.output[j] === v) } : {}),
      ...(tflm && peer
        ? {
            tflm: {
              instructions: peer.cmsisNn,
              arenaBytes: tflmArenaBytesOn(tflm, target.name),
              instructionRatio: t.instructions / peer.cmsisNn,
              arenaRatio: m2.arenaBytes / tflmArenaBytesOn(tflm, target.name),
              source: tflm.source,
            },
          }
        : {}),
      ...(best ? { published: { ...best, cycles: publishedCycles(best), ratio: cycles / publishedCycles(best) } } : {}),
    });
  }
  return {
    suite: 'mlperf-tiny',
    target: target.name,
    limit: { ...target.limit, source: `targets/${target.name}.json` },
    models: rows,
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const times = (r: number) => `${r.toFixed(2)}×`;

/** The suite's one table, with a line on the ISA limit and the sources of the peers' figures. */
export function formatSuite(r: SuiteResult): string {
  const lim = r.limit.macsPerInstruction;
  const rows = r.models.map((m) => [
    m.name,
    fmt(m.macs),
    fmt(m.instructions),
    fmt(m.estimatedCycles),
    `${m.macsPerInstruction.toFixed(2)} (${((100 * m.macsPerInstruction) / lim).toFixed(0)}%)`,
    m.macsPerEstimatedCycle.toFixed(2),
    fmt(m.arenaBytes),
    `${fmt(m.weightBytes)} + ${fmt(m.codeBytes)}`,
    m.tflm ? fmt(m.tflm.instructions) : '—',
    m.tflm ? times(m.tflm.instructionRatio) : '—',
    m.tflm ? fmt(m.tflm.arenaBytes) : '—',
    m.tflm ? times(m.tflm.arenaRatio) : '—',
    m.published ? `${fmt(m.published.cycles)} (${m.published.stack.split(' (')[0]})` : '—',
    m.published ? times(m.published.ratio) : '—',
    m.tflmOutputEqual === undefined ? '—' : m.tflmOutputEqual ? 'equal' : 'DIFFERS',
  ]);
  const head = [
    'model',
    'MACs',
    'instructions',
    'est. cycles',
    `MACs/instr (% of ${lim})`,
    'MACs/est. cycle',
    'arena B',
    'flash B (weights + code)',
    'TFLM+CMSIS-NN instr',
    'ours/TFLM',
    'TFLM arena B',
    'ours/TFLM',
    'best published cycles',
    'est./published',
    'output vs TFLM (seed 1)',
  ];
  const differ = r.models.filter((m) => !m.sameOutput).map((m) => m.name);
  return [
    `MLPerf Tiny on ${r.target}: instructions counted exactly under qemu; est. cycles priced from them by the core's timing table (zero-wait-state memory; targets/qemu-insn/cycle-costs.ts), an estimate.`,
    table(head, rows, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]),
    `ISA limit: ${lim} MACs per instruction (${r.limit.instruction}; ${r.limit.source}).`,
    "TFLM + CMSIS-NN: instructions and arena_used_bytes measured on the same qemu board (tools/bench/tflm-figures.ts). Published: the fastest MLPerf Tiny closed-division result on this core, latency × clock (tools/bench/mlperf-tiny-figures.ts); published cycles are real boards' cycles.",
    differ.length
      ? `Optimized and reference builds DIFFER on: ${differ.join(', ')}.`
      : 'Optimized and reference builds give identical outputs on every model.',
    "The MLPerf models are fed the README's seed-1 input (Python's random.Random(1)), the one TFLM's outputs were computed on.",
  ].join('\n');
}
