/**
 * @fileoverview One checked bench request on an Arm target: quantized, fed its input, counted under qemu
 * (emulated.ts), with TFLM's figures when TFLM measured that model file. `tinyedge bench MODEL --target T` prints
 * one of these; `--suite mlperf-tiny` runs one per model, so the suite's figures are the per-model bench's. On an
 * aarch64 target XNNPACK's count for the same int8 graph stands beside it (emulated-xnnpack.ts).
 */
import { type BenchRequest, inputTensor, integerInputOf } from '../../compiler/api/bench-request.ts';
import { cwtFrontEndOf } from '../../compiler/audio/cwt-front-end.ts';
import { quantizeWithSamples } from '../../compiler/index.ts';
import type { Target } from '../../targets/target.ts';
import { benchEmulated, type EmulatedBenchResult } from './emulated.ts';
import { countXnnpack, type XnnpackCount } from './emulated-xnnpack.ts';
import type { SkippedPeer } from './peers.ts';
import { type TflmFigures, tflmFiguresOf } from './tflm-figures.ts';

/** A model counted on an Arm target, with what bench prints about it. */
export interface EmulatedModelBench {
  result: EmulatedBenchResult;
  tflm?: TflmFigures;
  /** The input tensor's type: int8, or int16 for a 16×8 model. */
  inputDtype: string;
  /** XNNPACK on the same graph, input and qemu command (aarch64 targets), or why it was left out. */
  xnnpack?: XnnpackCount;
  skipped: SkippedPeer[];
}

/** Quantizes the request's model (with its calibration samples), feeds its input and counts it on `target`. */
export async function benchModelEmulated(
  request: BenchRequest,
  target: Target,
  log: (s: string) => void,
): Promise<EmulatedModelBench> {
  const model = await quantizeWithSamples(request.model);
  const t = inputTensor(model);
  // An audio model runs its CWT front end on the target too: the input is the clip's PCM.
  const front = model.audio ? cwtFrontEndOf(model.graph, model.audio) : undefined;
  const x = request.input.kind === 'audio' ? request.input.pcm : integerInputOf(request.input, t);
  const result = benchEmulated(model.graph, x, target, log, front);
  const tflm = tflmFiguresOf(request.spec);
  const skipped: SkippedPeer[] = [];
  const xnnpack =
    front || t.dtype !== 'int8' ? undefined : await countXnnpack(model.graph, x, target, result.output, skipped, log);
  return { result, ...(tflm ? { tflm } : {}), inputDtype: t.dtype, ...(xnnpack ? { xnnpack } : {}), skipped };
}
