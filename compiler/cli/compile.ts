/**
 * @fileoverview `tinyedge compile [model|artifact] --target NAME --out DIR [--budget-ram B] [--budget-flash B]
 * [--threads N] [--force] [--json]`: quantizes a float model with the bundled samples, then the library's compile (plan, render,
 * write, build, budgets) and prints the memory figures.
 */

import type { LoadedModel } from '../../models/registry.ts';
import { loadTarget } from '../../targets/target.ts';
import { precisionOptions } from '../api/precision-flags.ts';
import { parseBytes } from '../api/size-flag.ts';
import {
  type Budget,
  type Compiled,
  checkSplitTarget,
  checkThreads,
  compile,
  refuseAudioOffload,
} from '../compile/compile-model.ts';
import { modelStats } from '../ir/stats.ts';
import { sizeOf } from '../ir/tensor.ts';
import { checkOutputDir } from '../output/output-dir.ts';
import { type Cut, cutCandidates } from '../plan/split/cut-candidates.ts';
import type { ActivationType } from '../quantize/prepare/quant-params.ts';
import { arenaConfigurationLines, instructionLines, overBound } from '../terminal/arena-lines.ts';
import { bytes } from '../terminal/format.ts';
import { cutById } from './offload-model.ts';
import { planInstructionsShown } from './plan-instructions.ts';
import { prepareModel } from './prepare-model.ts';
import { quantizeWithSamplesShown } from './quantize.ts';

/** Options of compile. */
export interface CompileOptions {
  /** --outputs: cut a TF.js graph model after these nodes (comma-separated). */
  outputs?: string;
  target: string;
  out: string;
  budgetRam?: string;
  budgetFlash?: string;
  activations?: ActivationType;
  /** --precision: layer=int8|16x8|int4w,… or auto (the target's budgets) when a float model is quantized here. */
  precision?: string;
  maxCost?: string;
  minSqnr?: string;
  /** Compile the device's side of the model split at this cut (ids as `offload plan` lists them). */
  cut?: string;
  /** --threads: threads the model may use (hosted C targets, wasm32). */
  threads?: string;
  /** --no-in-place: keep the layer-wise arena. */
  inPlace?: boolean;
  /** --patches auto|RxC@layer: run a prefix in patches (C targets; auto, the default: only when the RAM budget needs it). */
  patches?: string;
  /** --caller-input: the input stays in the caller's buffer, outside the arena (C targets, one thread). */
  callerInput?: boolean;
  /** --no-count-instructions: skip counting the layer-wise and built plans under qemu (emulated targets). */
  countInstructions?: boolean;
  force?: boolean;
  json?: boolean;
}

/** `--cut`: prints how to run both sides of the split model. */
function printSplit(model: LoadedModel, cut: Cut, compiled: Compiled, options: CompileOptions): void {
  const { manifest } = compiled;
  const record = manifest.split as NonNullable<typeof manifest.split>;
  const memory = manifest.memory;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ out: options.out, ...manifest, labels: undefined })}\n`);
    return;
  }
  const target = loadTarget(manifest.target);
  const modelArg = model.spec.includes(' ') ? JSON.stringify(model.spec) : model.spec;
  process.stdout.write(
    `${[
      `compiled the device's side of ${model.spec} split at cut ${cut.id} ('${cut.tensor}', ${cut.shape.join('×')}, ${bytes(cut.bytes)} on the wire) for ${target.name} into ${options.out}`,
      `  arenas   head ${bytes(record.headArenaBytes)}, tail ${bytes(record.tailArenaBytes)} (the tail runs here when the server does not answer)`,
      `  weights  ${bytes(memory.weightBytes)} (const); code ${bytes(memory.codeBytes)}`,
      `server:  tinyedge offload serve ${modelArg} --cut ${cut.id} --port 7070`,
      target.backend === 'wasm'
        ? `device:  load head/model.wasm and tail/model.wasm with tinyedge-loader.js (runtime/offload/browser.ts sends the cut tensor over a WebSocket)`
        : `device:  ${options.out}/runner HOST 7070 raw|entropy TIMEOUT_MS GAP_MS ANSWERS.bin INPUT.i8… (prints who answered each frame)`,
    ].join('\n')}\n`,
  );
}

/** The summary's threads line: what running on several threads costs in arena. */
function threadLines(compiled: Compiled, arenaBytes: number): string[] {
  const threads = compiled.manifest.threads;
  const single = compiled.singleThreadArenaBytes;
  if (!threads || single === undefined) return [];
  const how =
    compiled.manifest.target === 'wasm32'
      ? "workers sharing the module's memory: model-threads.wasm, loaded with the loader's threads option; the page must be cross-origin isolated"
      : `a pthread pool; ${compiled.manifest.prefix}_set_threads or the runner's 4th argument picks how many`;
  return [
    `  threads  up to ${threads} (${how})`,
    `           arena ${arenaBytes - single >= 0 ? '+' : ''}${arenaBytes - single} B over one thread's ${single} B: scratch per thread, split layers never write over their input`,
  ];
}

/** Compiles a model for a target into a folder and prints (or returns as JSON) its memory figures. */
export async function compileCommand(spec: string | undefined, options: CompileOptions): Promise<void> {
  const target = loadTarget(options.target);
  const budgets: { ram?: Budget; flash?: Budget } = {
    ...(options.budgetRam !== undefined
      ? { ram: { bytes: parseBytes(options.budgetRam, '--budget-ram'), name: '--budget-ram' } }
      : {}),
    ...(options.budgetFlash !== undefined
      ? { flash: { bytes: parseBytes(options.budgetFlash, '--budget-flash'), name: '--budget-flash' } }
      : {}),
  };
  checkOutputDir(options.out, !!options.force);
  // Refused before quantizing, which takes a while.
  const threads = checkThreads(target, Number(options.threads ?? '1'), spec ?? target.name);
  const loaded = prepareModel(spec, { quiet: options.json, outputs: options.outputs });
  if (options.cut !== undefined) {
    // Refused before quantizing, which takes a while: a cut the model lacks, a board without sockets.
    cutById(cutCandidates(loaded.graph), options.cut, loaded.spec);
    checkSplitTarget(target, loaded.spec);
    refuseAudioOffload(loaded);
  }
  const precision = precisionOptions(loaded, options);
  const model = await quantizeWithSamplesShown(loaded, options.json, options.activations, precision);
  const cut = options.cut !== undefined ? cutById(cutCandidates(model.graph), options.cut, model.spec) : undefined;
  const compiled = compile(model, {
    target: target.name,
    out: options.out,
    force: options.force,
    budgets,
    threads,
    inPlace: options.inPlace ?? true,
    ...(cut ? { cut } : {}),
    ...(options.patches !== undefined ? { patches: options.patches } : {}),
    ...(options.callerInput ? { callerInput: true } : {}),
  });
  if (cut) return printSplit(model, cut, compiled, options);
  const m = compiled.manifest.memory;
  const naive = compiled.naiveArenaBytes ?? 0;
  const instructions =
    compiled.arena && threads === 1 ? planInstructionsShown(model.graph, compiled.arena, target, options) : undefined;
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ out: options.out, ...compiled.manifest, labels: undefined, memory: { ...m, naiveArenaBytes: naive, singleThreadArenaBytes: compiled.singleThreadArenaBytes, instructions } })}\n`,
    );
    return;
  }
  const audio = compiled.manifest.audio;
  process.stdout.write(
    `${[
      `compiled ${model.spec} for ${target.name} into ${options.out}`,
      `  arena    ${m.arenaBytes} B (${bytes(m.arenaBytes)}), ${m.configuration}; lower bound ${m.lowerBoundBytes} B, ${overBound(m.arenaBytes, m.lowerBoundBytes)}; without reuse ${bytes(naive)}`,
      ...arenaConfigurationLines(m.configurations ?? [], m.configuration, modelStats(model.graph).totals.macs),
      ...instructionLines(instructions, target.name),
      ...threadLines(compiled, m.arenaBytes),
      `  weights  ${m.weightBytes} B (${bytes(m.weightBytes)}, const)`,
      `  code     ${m.codeBytes} B (${bytes(m.codeBytes)}, ${target.backend === 'c' ? 'text of the model and kernels' : 'the module without its data segment'})`,
      ...(audio
        ? [
            `  CWT      ${audio.config.rows} scales × ${audio.config.columns} columns: tables ${bytes(audio.tableBytes)} (in weights), clip buffer ${bytes(audio.bufferBytes)} (RAM beside the arena)`,
          ]
        : []),
      ...(m.callerInput
        ? [
            `  input    ${bytes(sizeOf(compiled.manifest.input.shape) * (compiled.manifest.input.dtype === 'int16' ? 2 : 1))} in the caller's buffer, beside the arena: model_run_input reads it in place`,
          ]
        : []),
      `run it: tinyedge run ${options.out} ${audio ? '--audio CLIP.wav' : '--image PHOTO'}`,
    ].join('\n')}\n`,
  );
}
