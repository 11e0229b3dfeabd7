/**
 * @fileoverview `tinyedge compile [model|artifact] --target NAME --out DIR [--budget-ram B] [--budget-flash B]
 * [--force] [--json]`: plans the arena, renders C99, writes a self-contained project (model, runtime kernels,
 * runner, Makefile, CMakeLists.txt), builds it to measure code bytes, and refuses budgets the model exceeds.
 */
import { familiesOf } from '../backends/c/kernel-table.ts';
import { ActivationType, activationType } from '../quantize/prepare/quant-params.ts';
import { Graph, tensorOf } from '../ir/graph.ts';
import { Quantization } from '../ir/tensor.ts';
import { TinyedgeError } from '../errors.ts';
import { planMemory } from '../plan/plan-memory.ts';
import { cScratchBytes } from '../backends/c/render-nodes.ts';
import { cBuildOf, cProject, kernelSources } from '../backends/c/project.ts';
import { SSD_POSTPROCESS_OBJECT } from '../backends/c/ssd-detection.ts';
import { loadTarget } from '../../targets/target.ts';
import { wasmProject } from '../backends/wasm/project.ts';
import { wasmScratchBytes } from '../backends/wasm/render-layers.ts';
import { buildProject, textBytes } from '../../targets/toolchain.ts';
import { prepareModel } from './prepare-model.ts';
import { quantizeWithSamples } from './quantize.ts';
import { checkOutputDir, prepareOutputDir, recordOutputFiles, writeOutputFiles } from './output-dir.ts';
import { bytes } from './format.ts';
import { CwtConfig } from '../audio/cwt-kernels.ts';
import { cwtFrontEndOf } from '../audio/cwt-front-end.ts';
import { AUDIO_OBJECTS, cAudioProject, cwtMemory } from '../backends/c/audio-project.ts';
import { cwtWasmBytes, wasmAudioFiles } from '../backends/wasm/audio-files.ts';
import { SplitRecord, writeSplitBuild } from './compile-split.ts';
import { cutById, refuseAudioOffload } from './offload-model.ts';
import { Cut, cutCandidates } from '../plan/split/cut-candidates.ts';
import { Target } from '../../targets/target.ts';
import { LoadedModel } from '../../models/registry.ts';

/** Options of compile. */
export interface CompileOptions {
  /** --outputs: cut a TF.js graph model after these nodes (comma-separated). */
  outputs?: string;
  target: string;
  out: string;
  budgetRam?: string;
  budgetFlash?: string;
  activations?: ActivationType;
  /** Compile the device's side of the model split at this cut (ids as `offload plan` lists them). */
  cut?: string;
  force?: boolean;
  json?: boolean;
}

/** What `run` needs to know about a compiled folder (written as tinyedge.json). */
export interface CompiledModel {
  model: string;
  target: string;
  prefix: string;
  labels?: string[];
  preprocessing: { scale: number; offset: number };
  /** dtype: int8, or int16 for 16×8 models (absent in folders from before 16×8: int8). */
  input: { name: string; shape: number[]; scale: number; zeroPoint: number; dtype?: ActivationType };
  output: { name: string; shape: number[]; scale: number; zeroPoint: number; dtype?: ActivationType };
  memory: { arenaBytes: number; lowerBoundBytes: number; weightBytes: number; codeBytes: number };
  /** An audio model's CWT front end: its input is a WAV clip; its tables are counted in weightBytes, its clip buffer is RAM beside the arena. */
  audio?: { config: CwtConfig; tableBytes: number; bufferBytes: number };
  /** Present for the device's side of a split model (`--cut`). */
  split?: SplitRecord;
}

/** The folder compile writes the description of a build into. */
export const COMPILED_MODEL_FILE = 'tinyedge.json';

/** `262144`, `256k`, `256KiB`, `2M`, `2MiB` → bytes (k and M are 1024-based, as memory sizes are). */
export function parseBytes(value: string, flag: string): number {
  const m = /^(\d+)\s*(k|K|KiB|KB|m|M|MiB|MB)?$/.exec(value.trim());
  if (!m) throw new TinyedgeError(`${flag} takes a size in bytes such as 262144, 256k or 2M, got '${value}'`);
  const unit = m[2] ? (/^[kK]/.test(m[2]) ? 1024 : 1024 * 1024) : 1;
  return Number(m[1]) * unit;
}

function budgetCheck(what: string, need: number, budget: number | undefined, flag: string, file: string): void {
  if (budget !== undefined && need > budget) {
    throw new TinyedgeError(`needs ${need} bytes of ${what} but ${flag} is ${budget}: over by ${need - budget} bytes (${bytes(need - budget)})`, { file });
  }
}

function ioOf(g: Graph, name: string) {
  const t = tensorOf(g, name);
  const q = t.quant as Quantization;
  return { name, shape: t.shape, scale: q.scale[0], zeroPoint: q.zeroPoint[0], dtype: activationType(t.dtype) };
}

/** `--cut`: writes the device's side of the split model (compile-split.ts) and prints how to run both sides. */
function compileSplit(model: LoadedModel, target: Target, cut: Cut, options: CompileOptions & { cut: string }, budgets: { ramBudget?: number; flashBudget?: number }): void {
  const g = model.graph;
  prepareOutputDir(options.out, !!options.force);
  const { record, memory } = writeSplitBuild(g, cut, target, options.out, model.spec, model.labels, model.preprocessing);
  budgetCheck('RAM for the head and tail arenas', memory.arenaBytes, budgets.ramBudget, options.budgetRam !== undefined ? '--budget-ram' : `${target.name}'s RAM`, model.spec);
  budgetCheck('flash for weights and code', memory.weightBytes + memory.codeBytes, budgets.flashBudget, options.budgetFlash !== undefined ? '--budget-flash' : `${target.name}'s flash`, model.spec);
  const compiled: CompiledModel = {
    model: model.spec,
    target: target.name,
    prefix: 'head',
    ...(model.labels ? { labels: model.labels } : {}),
    preprocessing: model.preprocessing,
    input: ioOf(g, g.inputs[0]),
    output: ioOf(g, g.outputs[0]),
    memory: { ...memory, lowerBoundBytes: 0 },
    split: record,
  };
  writeOutputFiles(options.out, { [COMPILED_MODEL_FILE]: `${JSON.stringify(compiled, null, 1)}\n` });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ out: options.out, ...compiled, labels: undefined })}\n`);
    return;
  }
  const modelArg = model.spec.includes(' ') ? JSON.stringify(model.spec) : model.spec;
  process.stdout.write(
    [
      `compiled the device's side of ${model.spec} split at cut ${cut.id} ('${cut.tensor}', ${cut.shape.join('×')}, ${bytes(cut.bytes)} on the wire) for ${target.name} into ${options.out}`,
      `  arenas   head ${bytes(record.headArenaBytes)}, tail ${bytes(record.tailArenaBytes)} (the tail runs here when the server does not answer)`,
      `  weights  ${bytes(memory.weightBytes)} (const); code ${bytes(memory.codeBytes)}`,
      `server:  tinyedge offload serve ${modelArg} --cut ${cut.id} --port 7070`,
      target.backend === 'wasm'
        ? `device:  load head/model.wasm and tail/model.wasm with tinyedge-loader.js (runtime/offload/browser.ts sends the cut tensor over a WebSocket)`
        : `device:  ${options.out}/runner HOST 7070 raw|entropy TIMEOUT_MS GAP_MS ANSWERS.bin INPUT.i8… (prints who answered each frame)`,
    ].join('\n') + '\n',
  );
}

/** Compiles a model for a target into a folder and prints (or returns as JSON) its memory figures. */
export async function compileCommand(spec: string | undefined, options: CompileOptions): Promise<void> {
  const target = loadTarget(options.target);
  const ramBudget = options.budgetRam !== undefined ? parseBytes(options.budgetRam, '--budget-ram') : (target.memory?.ramBytes ?? undefined);
  const flashBudget = options.budgetFlash !== undefined ? parseBytes(options.budgetFlash, '--budget-flash') : (target.memory?.flashBytes ?? undefined);
  checkOutputDir(options.out, !!options.force);
  const model = prepareModel(spec, { quiet: options.json, outputs: options.outputs });
  if (options.cut !== undefined) {
    // Refused before quantizing, which takes a while: a cut the model lacks, a board without sockets.
    cutById(cutCandidates(model.graph), options.cut, model.spec);
    if (target.run.kind === 'qemu-system') throw new TinyedgeError(`split offload in C needs POSIX sockets; ${target.name} is a bare-metal board and has none`, { file: model.spec });
    refuseAudioOffload(model);
  }
  await quantizeWithSamples(model, options.json, options.activations);
  const g = model.graph;
  if (options.cut !== undefined) return compileSplit(model, target, cutById(cutCandidates(g), options.cut, model.spec), { ...options, cut: options.cut }, { ramBudget, flashBudget });
  const plan = planMemory(g, target.backend === 'c' ? cScratchBytes : wasmScratchBytes);
  const front = model.audio ? cwtFrontEndOf(g, model.audio) : undefined;
  const audio = front && model.audio ? { config: model.audio, ...cwtMemory(front) } : undefined;
  budgetCheck(audio ? 'RAM for the activation arena and the clip' : 'RAM for the activation arena', plan.arenaBytes + (audio?.bufferBytes ?? 0), ramBudget, options.budgetRam !== undefined ? '--budget-ram' : `${target.name}'s RAM`, model.spec);
  const flashFlag = options.budgetFlash !== undefined ? '--budget-flash' : `${target.name}'s flash`;
  const prefix = 'model';
  let weightBytes: number;
  let codeBytes: number;
  if (target.backend === 'wasm') {
    const project = wasmProject(g, plan, model.spec, model.labels, model.preprocessing);
    weightBytes = project.dataBytes + (audio?.tableBytes ?? 0);
    codeBytes = project.codeBytes + (front ? cwtWasmBytes().length : 0);
    budgetCheck('bytes for weights and code', weightBytes + codeBytes, flashBudget, flashFlag, model.spec);
    prepareOutputDir(options.out, !!options.force);
    writeOutputFiles(options.out, { ...project.files, ...(front ? wasmAudioFiles(front, model.spec) : {}) });
  } else {
    const build = cBuildOf(target);
    const project = front ? cAudioProject(g, plan, build, front, prefix) : cProject(g, plan, build, prefix);
    weightBytes = project.weightBytes;
    budgetCheck('flash for the weights', weightBytes, flashBudget, flashFlag, model.spec);
    prepareOutputDir(options.out, !!options.force);
    writeOutputFiles(options.out, project.files);
    buildProject(options.out, target);
    const objects = [`${prefix}.o`, ...kernelSources(build.kernels, familiesOf(g)).map((s) => s.replace(/\.c$/, '.o')), ...(front ? AUDIO_OBJECTS : []), ...(g.detection ? [SSD_POSTPROCESS_OBJECT] : [])];
    // The build products, and the runtime folder as a whole (it is entirely ours), so --force clears them too.
    recordOutputFiles(options.out, ['runner', 'main.o', `${prefix}.o`, `${prefix}_weights.o`, 'tinyedge', ...(front ? ['audio.o'] : [])]);
    codeBytes = textBytes(options.out, objects, target);
    budgetCheck('flash for weights and code', weightBytes + codeBytes, flashBudget, flashFlag, model.spec);
  }
  const compiled: CompiledModel = {
    model: model.spec,
    target: target.name,
    prefix,
    ...(model.labels ? { labels: model.labels } : {}),
    preprocessing: model.preprocessing,
    input: ioOf(g, g.inputs[0]),
    output: ioOf(g, g.outputs[0]),
    memory: { arenaBytes: plan.arenaBytes, lowerBoundBytes: plan.lowerBoundBytes, weightBytes, codeBytes },
    ...(audio ? { audio } : {}),
  };
  writeOutputFiles(options.out, { [COMPILED_MODEL_FILE]: `${JSON.stringify(compiled, null, 1)}\n` });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ out: options.out, ...compiled, labels: undefined, memory: { ...compiled.memory, naiveArenaBytes: plan.naiveBytes } })}\n`);
    return;
  }
  const m = compiled.memory;
  const overBound = m.lowerBoundBytes ? ((100 * (m.arenaBytes - m.lowerBoundBytes)) / m.lowerBoundBytes).toFixed(1) : '0';
  process.stdout.write(
    [
      `compiled ${model.spec} for ${target.name} into ${options.out}`,
      `  arena    ${m.arenaBytes} B (${bytes(m.arenaBytes)}); lower bound ${m.lowerBoundBytes} B, +${overBound}%; without reuse ${bytes(plan.naiveBytes)}`,
      `  weights  ${m.weightBytes} B (${bytes(m.weightBytes)}, const)`,
      `  code     ${m.codeBytes} B (${bytes(m.codeBytes)}, ${target.backend === 'c' ? 'text of the model and kernels' : 'the module without its data segment'})`,
      ...(audio ? [`  CWT      ${audio.config.rows} scales × ${audio.config.columns} columns: tables ${bytes(audio.tableBytes)} (in weights), clip buffer ${bytes(audio.bufferBytes)} (RAM beside the arena)`] : []),
      `run it: tinyedge run ${options.out} ${audio ? '--audio CLIP.wav' : '--image PHOTO'}`,
    ].join('\n') + '\n',
  );
}
