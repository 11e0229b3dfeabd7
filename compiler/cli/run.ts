/**
 * @fileoverview `tinyedge run DIR (--image F | --input F.f32|F.i8|F.u8) [--runs N] [--threads N] [--json]`: builds the compiled folder if
 * needed, runs it on its target, and prints top-5, latency (median of the runs) and memory as predict does.
 */

import { loadTarget } from '../../targets/target.ts';
import { type CompiledModel, readCompiledModel } from '../compile/compiled-model.ts';
import { TinyedgeError } from '../errors.ts';
import { compiledInputOf, integerInputOf } from '../input/read-input.ts';
import { runCompiled } from '../run/run-compiled.ts';
import { isDetectorFolder, runDetector } from '../run/run-detector.ts';
import { bytes } from '../terminal/format.ts';
import { checkDrawOptions, reportDetections } from './detections-report.ts';
import { outputsLines, rankingLines } from './outputs-line.ts';

/** Options of run. */
export interface RunCommandOptions {
  image?: string;
  input?: string;
  /** A WAV clip, for an audio model. */
  audio?: string;
  runs: string;
  /** A model compiled with --threads: how many this run uses. */
  threads?: string;
  json?: boolean;
  /** A detector: write the photo with the boxes drawn to this PNG (replacing a file only with `force`). */
  draw?: string;
  /** A detector: show only detections scoring at least this (a number in [0, 1], as text). */
  minScore?: string;
  force?: boolean;
}

/** --runs as a number. */
function runsOf(text: string): number {
  const runs = Number(text);
  if (!Number.isInteger(runs) || runs < 1)
    throw new TinyedgeError('TE601', `--runs must be a whole number ≥ 1, got '${text}'`);
  return runs;
}

/** Prints (or returns as JSON) a compiled detector's detections, and draws them with --draw. */
async function runDetectorCommand(dir: string, options: RunCommandOptions, compiled: CompiledModel): Promise<void> {
  const runs = runsOf(options.runs);
  checkDrawOptions(options);
  const { input } = compiled;
  const x = (await integerInputOf(
    { ...input, dtype: 'int8' },
    { scale: [input.scale], zeroPoint: [input.zeroPoint] },
    compiled.preprocessing,
    options,
  )) as Int8Array;
  const result = await runDetector(dir, x, { runs, image: options.image }, compiled);
  const header = [
    `model    ${compiled.model} (int8 detector, ${compiled.target === 'wasm32' ? 'WebAssembly in Node' : `C99 on ${compiled.target}`}; post-processing on the target)`,
    `input    ${options.image ?? options.input}`,
  ];
  await reportDetections(result, options, header, footerLines(compiled, result.latencyMs, options.runs));
}

/** Prints the result of running a compiled folder. */
export async function runCommand(dir: string, options: RunCommandOptions): Promise<void> {
  const compiled = readCompiledModel(dir);
  if (compiled.split)
    throw new TinyedgeError(
      'TE606',
      `is the device's side of a split model (cut ${compiled.split.cut}): run it against \`tinyedge offload serve ${compiled.model} --cut ${compiled.split.cut}\` with ${compiled.target === 'wasm32' ? 'its head/ and tail/ modules' : `${dir}/runner`}, or compile without --cut`,
      { file: dir },
    );
  if (isDetectorFolder(dir, compiled)) return runDetectorCommand(dir, options, compiled);
  if (options.draw)
    throw new TinyedgeError('TE606', '--draw draws the boxes of a detector; this model is not one', { file: dir });
  const runs = runsOf(options.runs);
  loadTarget(compiled.target);
  const x = await compiledInputOf(dir, compiled, options);
  const threads = options.threads === undefined ? undefined : Number(options.threads);
  const result = await runCompiled(dir, x, { runs, ...(threads === undefined ? {} : { threads }) }, compiled);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  process.stdout.write(
    `${[
      `model    ${compiled.model} (${compiled.output.dtype === 'int16' ? '16×8' : 'int8'}, ${compiled.target === 'wasm32' ? 'WebAssembly SIMD128 in Node' : `C99 on ${compiled.target}`})`,
      `input    ${options.image ?? options.input ?? options.audio}`,
      ...rankingLines(result),
      ...outputsLines(result),
      ...footerLines(compiled, result.latencyMs, options.runs),
    ].join('\n')}\n`,
  );
}

/** The latency and memory lines of run's report. */
function footerLines(compiled: CompiledModel, latencyMs: number | null, runs: string): string[] {
  const m = compiled.memory;
  return [
    latencyMs === null
      ? `latency  n/a: ${compiled.target} ran on an emulated board; count instructions with \`tinyedge bench --target ${compiled.target}\``
      : `latency  ${latencyMs.toFixed(2)} ms${Number(runs) > 1 ? ` (median of ${runs} runs)` : ''}${loadTarget(compiled.target).run.kind === 'qemu-user' ? ' under qemu (emulated: not the device’s time)' : ''}`,
    `memory   arena ${bytes(m.arenaBytes)}, weights ${bytes(m.weightBytes)}, code ${bytes(m.codeBytes ?? 0)}`,
  ];
}
