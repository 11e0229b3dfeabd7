/**
 * @fileoverview compile: an int8 model into a folder for a target, through the pipeline's last stages (plan → backend
 * → the target's build), refusing RAM and flash budgets the model exceeds, saying by how much; the folder gets the
 * description `run` reads (tinyedge.json) and a manifest, so it never replaces a user's files.
 */

import type { LoadedModel } from '../../models/registry.ts';
import { loadTarget, type Target } from '../../targets/target.ts';
import { cwtFrontEndOf } from '../audio/cwt-front-end.ts';
import { cwtMemory } from '../backends/c/audio-project.ts';
import { formatBytes } from '../byte-size.ts';
import { TinyedgeError } from '../errors.ts';
import { type Graph, tensorOf } from '../ir/graph.ts';
import type { Quantization } from '../ir/tensor.ts';
import { checkOutputDir, prepareOutputDir, recordOutputFiles, writeOutputFiles } from '../output/output-dir.ts';
import { build, plan, render } from '../pipeline.ts';
import { parsePatches } from '../plan/choose-memory.ts';
import type { Cut } from '../plan/split/cut-candidates.ts';
import { MAX_THREADS } from '../plan/thread-split.ts';
import { activationType } from '../quantize/prepare/quant-params.ts';
import { type ArenaChoice, chooseArena, inPlaceAvailable } from './arena-configurations.ts';
import { COMPILED_MODEL_FILE, type CompiledModel, type CompiledTensor } from './compiled-model.ts';
import { writeSplitBuild } from './split-build.ts';

/** A limit in bytes and what the error calls it (`--budget-ram`; default: the target's RAM or flash). */
export interface Budget {
  bytes: number;
  name: string;
}

/** How to compile. */
export interface CompileOptions {
  /** A target's name (`host`, `wasm32`, `cortex-m4`, …). */
  target: string;
  /** The folder to write: new, empty, or an earlier tinyedge output with `force`. */
  out: string;
  /** Replace an earlier tinyedge output in `out` (never other files). */
  force?: boolean;
  /** Limits beyond the target's own RAM and flash. */
  budgets?: { ram?: Budget; flash?: Budget };
  /** Split offload: compile the device's side of the model split at this cut (plan/split/cut-candidates.ts). */
  cut?: Cut;
  /** Threads the model may use (hosted C targets: a thread pool; wasm32: workers sharing its memory; default 1). */
  threads?: number;
  /**
   * Let convolutions run in place through a ring of output rows where that lowers the peak (C targets, one thread;
   * default true); false keeps the layer-wise plan. The report lists both either way.
   */
  inPlace?: boolean;
  /**
   * Run a prefix in patches (C targets, one thread, plan/patch/): `RxC@layer` (the split layer by node index or name)
   * forces one; `auto` (the default) runs one only when nothing without patches fits the RAM budget.
   */
  patches?: string;
  /**
   * Leave the input out of the arena (C targets, one thread, not audio): `model_run_input` reads it in place from the
   * caller's buffer (a camera's frame), so the RAM budget counts the arena alone.
   */
  callerInput?: boolean;
}

/** A compiled folder: where, and its description as written there. */
export interface Compiled {
  dir: string;
  manifest: CompiledModel;
  /** The arena without any reuse, for comparison (absent for a split model). */
  naiveArenaBytes?: number;
  /** For several threads: the arena the model would need on one (the split layers' extra scratch and lost overlap). */
  singleThreadArenaBytes?: number;
  /** The arena chosen: the plan built and every configuration tried (absent for a split model). */
  arena?: ArenaChoice;
}

function budgetCheck(what: string, need: number, budget: Budget | undefined, file: string): void {
  if (budget !== undefined && need > budget.bytes) {
    throw new TinyedgeError(
      'TE301',
      `needs ${need} bytes of ${what} but ${budget.name} is ${budget.bytes}: over by ${need - budget.bytes} bytes (${formatBytes(need - budget.bytes)})`,
      { file },
    );
  }
}

/** The budgets asked for, else the target's RAM and flash. */
function budgetsOf(target: Target, budgets: CompileOptions['budgets'] = {}): { ram?: Budget; flash?: Budget } {
  const ram =
    budgets.ram ??
    (target.memory?.ramBytes != null ? { bytes: target.memory.ramBytes, name: `${target.name}'s RAM` } : undefined);
  const flash =
    budgets.flash ??
    (target.memory?.flashBytes != null
      ? { bytes: target.memory.flashBytes, name: `${target.name}'s flash` }
      : undefined);
  return { ram, flash };
}

function ioOf(g: Graph, name: string): Required<CompiledTensor> {
  const t = tensorOf(g, name);
  const q = t.quant as Quantization;
  // int32 indices (an ArgMax) are an output's only; every other tensor is an activation.
  const dtype = t.dtype === 'int32' ? 'int32' : activationType(t.dtype);
  return { name, shape: t.shape, scale: q.scale[0]!, zeroPoint: q.zeroPoint[0]!, dtype };
}

/** The description every compiled folder starts from. */
function describe(model: LoadedModel, target: Target, prefix: string): Omit<CompiledModel, 'memory'> {
  const g = model.graph;
  return {
    model: model.spec,
    target: target.name,
    prefix,
    ...(model.labels ? { labels: model.labels } : {}),
    preprocessing: model.preprocessing,
    input: { ...ioOf(g, g.inputs[0]!), dtype: activationType(tensorOf(g, g.inputs[0]!).dtype) },
    output: ioOf(g, g.outputs[0]!),
    outputs: g.outputs.map((o) => ioOf(g, o)),
  };
}

/** The threads asked for, checked: a whole number from 1 to MAX_THREADS, above 1 only on a hosted C target (pthreads) or wasm32 (workers). */
export function checkThreads(target: Target, threads: number, file: string): number {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS)
    throw new TinyedgeError('TE601', `threads must be a whole number from 1 to ${MAX_THREADS}, got ${threads}`, {
      file,
    });
  if (threads > 1 && target.backend === 'c' && target.run.kind === 'qemu-system')
    throw new TinyedgeError(
      'TE502',
      `${target.name} has no threads to run on: --threads above 1 is for the hosted C targets (host, rpi4-aarch64, rpi5-aarch64, android-arm64) and wasm32`,
      { file },
    );
  return threads;
}

/** Refuses a split the target cannot run: split offload in C needs sockets. */
export function checkSplitTarget(target: Target, file: string): void {
  if (target.run.kind === 'qemu-system')
    throw new TinyedgeError(
      'TE502',
      `split offload in C needs POSIX sockets; ${target.name} is a bare-metal board and has none`,
      { file },
    );
}

/** Split offload of an audio model would have to run the CWT before the head: not built yet, so refused rather than fed an image. */
export function refuseAudioOffload(model: LoadedModel): void {
  if (model.audio)
    throw new TinyedgeError('TE606', 'is an audio model: split offload does not run its CWT front end yet', {
      file: model.spec,
    });
}

/** The device's side of a split model (split-build.ts). */
function compileSplit(model: LoadedModel, target: Target, cut: Cut, options: CompileOptions): Compiled {
  checkSplitTarget(target, model.spec);
  refuseAudioOffload(model);
  const budgets = budgetsOf(target, options.budgets);
  prepareOutputDir(options.out, !!options.force);
  const { record, memory } = writeSplitBuild(
    model.graph,
    cut,
    target,
    options.out,
    model.spec,
    model.labels,
    model.preprocessing,
  );
  budgetCheck('RAM for the head and tail arenas', memory.arenaBytes, budgets.ram, model.spec);
  budgetCheck('flash for weights and code', memory.weightBytes + memory.codeBytes, budgets.flash, model.spec);
  const manifest: CompiledModel = {
    ...describe(model, target, 'head'),
    memory: { ...memory, lowerBoundBytes: 0 },
    split: record,
  };
  writeOutputFiles(options.out, { [COMPILED_MODEL_FILE]: `${JSON.stringify(manifest, null, 1)}\n` });
  return { dir: options.out, manifest };
}

/**
 * The arena plan (compile/arena-configurations.ts): on one thread of a C target, in place and, unless the model is an
 * audio model's (whose clip shares the budget), patches when nothing else fits the RAM budget, or as `--patches`
 * forces; elsewhere layer-wise.
 */
function chooseFor(
  model: LoadedModel,
  target: Target,
  threads: number,
  ram: Budget | undefined,
  options: CompileOptions,
) {
  const g = model.graph;
  const searchable = inPlaceAvailable(target, threads) && !model.audio;
  if (options.patches !== undefined && !searchable)
    throw new TinyedgeError('TE602', '--patches is for C targets on one thread, without --threads, --cut or audio', {
      file: model.spec,
    });
  if (options.callerInput && !searchable)
    throw new TinyedgeError(
      'TE602',
      '--caller-input is for C targets on one thread, without --threads, --cut or audio',
      {
        file: model.spec,
      },
    );
  const forced =
    options.patches !== undefined && options.patches !== 'auto' ? parsePatches(g, options.patches) : undefined;
  return chooseArena(g, target, {
    threads,
    inPlace: options.inPlace ?? true,
    patches: searchable,
    ...(searchable && ram ? { budget: ram } : {}),
    ...(forced ? { forced } : {}),
    ...(options.callerInput ? { callerInput: true } : {}),
  });
}

/** Compiles an int8 model for a target into `options.out` (built, for C) and returns the folder's description; never prints. */
export function compile(model: LoadedModel, options: CompileOptions): Compiled {
  const target = loadTarget(options.target);
  if (!model.quantized)
    throw new TinyedgeError('TE206', 'is a float model: quantize it first (quantize, or quantizeWithSamples)', {
      file: model.spec,
    });
  checkOutputDir(options.out, !!options.force);
  const threads = checkThreads(target, options.threads ?? 1, model.spec);
  if (options.cut && threads > 1)
    throw new TinyedgeError('TE602', '--threads above 1 and --cut: a split model runs on one thread', {
      file: model.spec,
    });
  if (options.cut && options.callerInput)
    throw new TinyedgeError('TE602', '--caller-input and --cut: a split model keeps its input in the arena', {
      file: model.spec,
    });
  if (options.cut) return compileSplit(model, target, options.cut, options);
  const g = model.graph;
  const budgets = budgetsOf(target, options.budgets);
  const arena = chooseFor(model, target, threads, budgets.ram, options);
  const memory = arena.plan;
  const front = model.audio ? cwtFrontEndOf(g, model.audio) : undefined;
  const audio = front && model.audio ? { config: model.audio, ...cwtMemory(front) } : undefined;
  budgetCheck(
    audio ? 'RAM for the activation arena and the clip' : 'RAM for the activation arena',
    memory.arenaBytes + (audio?.bufferBytes ?? 0),
    budgets.ram,
    model.spec,
  );
  const prefix = 'model';
  const project = render(g, memory, target, model, front, prefix, threads);
  // WebAssembly knows its code once rendered; C knows it after the build, so its weights are checked first.
  if (project.codeBytes !== undefined)
    budgetCheck('bytes for weights and code', project.weightBytes + project.codeBytes, budgets.flash, model.spec);
  else budgetCheck('flash for the weights', project.weightBytes, budgets.flash, model.spec);
  prepareOutputDir(options.out, !!options.force);
  writeOutputFiles(options.out, project.files);
  const codeBytes = build(options.out, target, project);
  if (project.products) recordOutputFiles(options.out, project.products);
  if (project.codeBytes === undefined)
    budgetCheck('flash for weights and code', project.weightBytes + codeBytes, budgets.flash, model.spec);
  const manifest: CompiledModel = {
    ...describe(model, target, prefix),
    memory: {
      arenaBytes: memory.arenaBytes,
      lowerBoundBytes: memory.lowerBoundBytes,
      weightBytes: project.weightBytes,
      codeBytes,
      configuration: arena.chosen.name,
      ...(memory.callerInput !== undefined ? { callerInput: true } : {}),
      configurations: arena.configurations,
    },
    ...(audio ? { audio } : {}),
    ...(threads > 1 ? { threads } : {}),
  };
  writeOutputFiles(options.out, { [COMPILED_MODEL_FILE]: `${JSON.stringify(manifest, null, 1)}\n` });
  return {
    dir: options.out,
    manifest,
    naiveArenaBytes: memory.naiveBytes,
    arena,
    ...(threads > 1 ? { singleThreadArenaBytes: plan(g, target).arenaBytes } : {}),
  };
}
