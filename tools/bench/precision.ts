/**
 * @fileoverview `npm run bench -- --suite precision --target cortex-m4 [--models a,b]` (issue 24): per model, all-int8,
 * all-16×8, and `--precision auto` at the int8 weight budget and at 0.65× of it, each quantized on the bundled
 * samples (two seeded augmentations each, as compile does) and measured on held-out augmentations of them (another
 * seed, as `quantize` reports): output SQNR against f32, weight bytes (the cost model's, int4w packed; and the build's),
 * and instructions on the target under qemu. Then whether issue 24's goal holds: auto at the int8 budget recovers at
 * least half of the SQNR gap between all-int8 and all-16×8 at no more than 1.15× int8's instructions, and at 0.65×
 * the int8 weights loses at most 1.5 dB against all-int8. A model that ships only as an int8 file (MLPerf Tiny's
 * .tflite files) is measured on the float model its integers stand for (dequantize-graph.ts): its SQNR is against
 * that. A model whose input is not a picture (the keyword spotter's MFCCs, the autoencoder's features) calibrates
 * and is measured on seeded tensors over its input's real range (no data of its kind is bundled).
 */

import { takesImages } from '../../compiler/api/bench-request.ts';
import { calibrationFiles, type QuantizeModelOptions, quantizeModel } from '../../compiler/api/quantize-model.ts';
import { TinyedgeError } from '../../compiler/errors.ts';
import { optimize } from '../../compiler/index.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { sizeOf, type Tensor } from '../../compiler/ir/tensor.ts';
import type { AutoPrecisionResult } from '../../compiler/quantize/auto-precision.ts';
import { dequantizeGraph } from '../../compiler/quantize/dequantize-graph.ts';
import { int32Biases16x8, layerCosts, planCost } from '../../compiler/quantize/layer-costs.ts';
import { int8OnlyOutputs, MAC_OPS, precisionOfNode } from '../../compiler/quantize/precision-plan.ts';
import { UNSUPPORTED_16X8 } from '../../compiler/quantize/prepare/prepare-int8.ts';
import { quantizeForTensor, representableRange } from '../../compiler/quantize/prepare/quant-params.ts';
import { quantizationReport } from '../../compiler/quantize/report.ts';
import { table } from '../../compiler/terminal/format.ts';
import { mulberry32 } from '../../models/builders/mulberry32.ts';
import { imageSet } from '../../models/calibration-set.ts';
import { loadModel, SAMPLES_DIR } from '../../models/registry.ts';
import type { Target } from '../../targets/target.ts';
import { countLayers } from './emulated.ts';
import { MLPERF_TINY_MODELS } from './mlperf-tiny-figures.ts';

/** The suite's models without --models: MLPerf Tiny's by their file in models/mlperf-tiny. */
export const PRECISION_BENCH_MODELS = [
  'builder:mobilenet_v2_0.35_96',
  'human:handtrack',
  ...MLPERF_TINY_MODELS.filter((m) => m.dir === 'models').map((m) => `models/mlperf-tiny/${m.file}`),
];

/** Seeded tensors per seed set for a model without picture input: calibration, then held out. */
const SEEDED_INPUTS = 8;

/** Seed of the held-out augmentations (the calibration's is 1), and how many per photo. */
const HELD_OUT_SEED = 2;
const HELD_OUT_PER_PHOTO = 2;

/** One row: a way of quantizing one model, and what it costs and keeps. */
export interface PrecisionRow {
  model: string;
  row: 'all-int8' | 'all-16x8' | 'auto @ int8 flash' | 'auto @ 0.65× flash';
  sqnrDb: number;
  /** Weights and biases as the cost model counts them (int4w packed two per byte). */
  weightBytes: number;
  /** The build's constants on the target (int4w packed only where the target's kernels pack it). */
  builtWeightBytes: number;
  instructions: number;
  layers: { int8: number; '16x8': number; int4w: number };
  /** Why auto found no plan within this row's budgets (TE208; the figures are then NaN). */
  refused?: string;
}

/** One model's rows and whether the goal holds for it. */
export interface PrecisionModelResult {
  rows: PrecisionRow[];
  goal: { recoversHalfGap: boolean; withinCost: boolean; flashLossWithin: boolean; holds: boolean };
}

/** Runs the four rows of one model on `target`. */
async function benchModel(spec: string, target: Target, log: (s: string) => void): Promise<PrecisionModelResult> {
  const loaded = loadModel(spec);
  const f32 = optimize(
    loaded.quantized ? { ...loaded, graph: dequantizeGraph(loaded.graph), quantized: false } : loaded,
  );
  const input = tensorOf(loaded.graph, loaded.graph.inputs[0]!);
  const pictures = takesImages(input.shape);
  const held = pictures
    ? (
        await imageSet(
          calibrationFiles(f32, [SAMPLES_DIR]),
          input.shape,
          f32.preprocessing,
          HELD_OUT_PER_PHOTO,
          HELD_OUT_SEED,
        )
      )
        .filter((s) => s.augmentation !== undefined)
        .map((s) => s.input)
    : seededInputs(input, HELD_OUT_SEED * 1000);
  const calibration = pictures ? {} : { calibrationInputs: seededInputs(input, 1) };
  const int8Flash = planCost(layerCosts(f32.graph), {}).flash;
  // The second auto row reuses the first one's sensitivity pass (same graph, ranges and inputs): most of its time.
  let measure: AutoPrecisionResult['measure'] | undefined;
  const autoAt = (budgetFlash: number, maxCost?: number): QuantizeModelOptions => ({
    autoPrecision: {
      target: target.name,
      budgetFlash,
      ...(maxCost !== undefined && { maxCost }),
      ...(measure && { measure }),
    },
  });
  const ways: [PrecisionRow['row'], () => QuantizeModelOptions][] = [
    ['all-int8', () => ({})],
    ['all-16x8', () => all16x8(f32.graph)],
    ['auto @ int8 flash', () => autoAt(int8Flash)],
    // The goal at 0.65× flash is about SQNR: the instruction cap is lifted (int4 weights cost more per MAC on some
    // cores, so a model of only fully connected layers, the autoencoder, has no plan within 1.15× int8's).
    ['auto @ 0.65× flash', () => autoAt(Math.floor(0.65 * int8Flash), Infinity)],
  ];
  const rows: PrecisionRow[] = [];
  for (const [row, options] of ways) {
    log(`${spec}: ${row}`);
    let q: Awaited<ReturnType<typeof quantizeModel>>;
    try {
      q = await quantizeModel(f32, { augment: 2, ...calibration, ...options() });
      measure ??= q.autoPrecision?.measure;
    } catch (e) {
      // A budget no plan meets is a result of the suite (ResNet-8's 3×3 convs keep int8 weights), not its end.
      if (!(e instanceof TinyedgeError) || e.code !== 'TE208') throw e;
      const none = { int8: 0, '16x8': 0, int4w: 0 };
      rows.push({
        model: spec,
        row,
        sqnrDb: NaN,
        weightBytes: NaN,
        builtWeightBytes: NaN,
        instructions: NaN,
        layers: none,
        refused: e.message,
      });
      continue;
    }
    const sqnrDb = quantizationReport(f32.graph, q.graph, held, undefined, false).output.sqnrDb;
    const x = quantizeForTensor(held[0]!, tensorOf(q.graph, q.graph.inputs[0]!));
    const counted = countLayers(q.graph, x, target, target.kernels);
    const plan = Object.fromEntries(
      q.graph.nodes.filter((n) => MAC_OPS.has(n.op)).map((n) => [n.name, precisionOfNode(q.graph, n)]),
    );
    const layers = { int8: 0, '16x8': 0, int4w: 0 };
    for (const p of Object.values(plan)) layers[p]++;
    rows.push({
      model: spec,
      row,
      sqnrDb,
      weightBytes: planCost(layerCosts(f32.graph, undefined, int32Biases16x8(q.graph)), plan).flash,
      builtWeightBytes: counted.memory.weightBytes,
      instructions: counted.total,
      layers,
    });
  }
  const [int8, x16, auto, tight] = rows as [PrecisionRow, PrecisionRow, PrecisionRow, PrecisionRow];
  const recoversHalfGap = auto.sqnrDb - int8.sqnrDb >= 0.5 * (x16.sqnrDb - int8.sqnrDb);
  const withinCost = auto.instructions <= 1.15 * int8.instructions;
  const flashLossWithin = tight.sqnrDb >= int8.sqnrDb - 1.5 && tight.weightBytes <= 0.65 * int8.weightBytes;
  return {
    rows,
    goal: { recoversHalfGap, withinCost, flashLossWithin, holds: recoversHalfGap && withinCost && flashLossWithin },
  };
}

/** Seeded tensors uniform over the real range of `t` (its int8 quantization's, or [−1, 1] for a float input). */
function seededInputs(t: Tensor, firstSeed: number): Float32Array[] {
  const [lo, hi] = t.quant ? representableRange(t.quant, t.dtype === 'int16' ? 32767 : 127) : [-1, 1];
  return Array.from({ length: SEEDED_INPUTS }, (_, i) => {
    const next = mulberry32(firstSeed + i);
    return Float32Array.from({ length: sizeOf(t.shape) }, () => lo + (hi - lo) * next());
  });
}

/**
 * The all-16×8 row's quantization: int16 activations everywhere, or, in a graph with ops that have no 16×8 kernel
 * (handtrack's resize_nearest) or with a detector's outputs (its on-device decoding reads int8), every layer that can
 * at 16×8 and the rest at int8 behind requantizes.
 */
function all16x8(g: Graph): QuantizeModelOptions {
  const int8Only = int8OnlyOutputs(g);
  if (!g.nodes.some((n) => UNSUPPORTED_16X8.has(n.op)) && int8Only.size === 0) return { activations: 'int16' };
  const able = g.nodes.filter(
    (n) => (MAC_OPS.has(n.op) || n.op === 'softmax') && !UNSUPPORTED_16X8.has(n.op) && !int8Only.has(n.outputs[0]!),
  );
  return { precision: Object.fromEntries(able.map((n) => [n.name, '16x8' as const])) };
}

/** The suite over `models` on `target`. */
export async function benchPrecision(
  models: readonly string[],
  target: Target,
  log: (s: string) => void,
): Promise<PrecisionModelResult[]> {
  const out: PrecisionModelResult[] = [];
  for (const m of models) out.push(await benchModel(m, target, log));
  return out;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** One table, the goal per model, and the note on MLPerf Tiny. */
export function formatPrecisionBench(results: PrecisionModelResult[], target: string): string {
  const rows = results.flatMap((r) => {
    const base = r.rows[0]!;
    return r.rows.map((w) =>
      w.refused
        ? [w.model, w.row, 'no plan (below)', '—', '—', '—', '—']
        : [
            w.model,
            w.row,
            w.sqnrDb.toFixed(1),
            `${fmt(w.weightBytes)} (${(w.weightBytes / base.weightBytes).toFixed(2)}×)`,
            fmt(w.builtWeightBytes),
            `${fmt(w.instructions)} (${(w.instructions / base.instructions).toFixed(2)}×)`,
            `${w.layers.int8}/${w.layers['16x8']}/${w.layers.int4w}`,
          ],
    );
  });
  const refusals = results.flatMap((r) =>
    r.rows.filter((w) => w.refused).map((w) => `${w.model}, ${w.row}: no plan (${w.refused})`),
  );
  const goals = results.map((r) => {
    const g = r.goal;
    const yes = (b: boolean) => (b ? 'yes' : 'NO');
    return `${r.rows[0]!.model}: goal ${g.holds ? 'holds' : 'does NOT hold'} (auto recovers half the 16x8 gap: ${yes(g.recoversHalfGap)}; within 1.15× int8 instructions: ${yes(g.withinCost)}; at 0.65× weights within 1.5 dB of int8: ${yes(g.flashLossWithin)})`;
  });
  return [
    `precision suite on ${target}: output SQNR vs f32 on held-out augmentations of the samples (seed ${HELD_OUT_SEED}), weights as the cost model counts them (int4w two per byte) and as built, instructions under qemu`,
    table(
      ['model', 'precision', 'SQNR dB', 'weights B', 'built weights B', 'instructions', 'int8/16x8/int4w layers'],
      rows,
      [2, 3, 4, 5],
    ),
    ...refusals,
    ...goals,
    'A model that ships as an int8 file (MLPerf Tiny) is quantized again from the float model its integers stand for, and its SQNR is against that; one without picture input calibrates and is measured on seeded tensors over its input range.',
  ].join('\n');
}
