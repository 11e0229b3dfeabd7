/**
 * @fileoverview What each precision costs a layer, as a simple documented model (docs/cli.md, "--precision auto"):
 * flash = weight bytes (int8 and 16×8: one per weight; int4w: ⌈K/2⌉ per output channel for the layers the packed
 * int4 kernels read, 1×1 convolutions and dense layers, else stored as int8) + bias bytes (int32: 4, 16×8's int64: 8
 * per channel); instructions = MACs ÷ MACs per instruction of that precision's kernels for the layer's kind
 * (MACS_PER_INSTRUCTION); RAM = the largest inputs + output of any node at the plan's activation types.
 */

import { type Graph, type Node, tensorOf } from '../ir/graph.ts';
import { modelStats } from '../ir/stats.ts';
import { sizeOf } from '../ir/tensor.ts';
import {
  activationTypeOfPrecision,
  activationTypes,
  LAYER_PRECISIONS,
  type LayerPrecision,
  MAC_OPS,
  type PrecisionPlan,
} from './precision-plan.ts';
import { isPointwiseConv } from './prepare/prepare-int8.ts';

/** The kinds of layer whose kernels run at different rates. */
export type MacKind = 'conv' | 'pointwise' | 'depthwise' | 'dense';

/** MACs per instruction of each precision's kernels by kind of layer. */
export type MacsPerInstruction = Readonly<Record<LayerPrecision, Readonly<Record<MacKind, number>>>>;

/**
 * Measured on cortex-m4 over builder:mobilenet_v2_0.35_96's layers (`tinyedge bench ARTIFACT --target cortex-m4`
 * on its all-int8 and all-16×8 artifacts, 2026-12-07): int8 and 16×8 on their SMLAD kernels (16×8:
 * kernels/cortex-m-dsp/int16_mac.c, two rows × four channels a step for matmul and conv; its depthwise, 3×3 windows
 * in asm, re-measured by tools/bench/emulated.ts's countLayers on a seeded input: 1,579,824 MACs in 4,928,972
 * instructions); int4w from the packed int4
 * kernels' layer bench (`bench --suite int4-weights --target cortex-m4`: 1.5× int8's instructions on pointwise
 * layers, 1.6× on dense ones; other layers keep int8 weights). A 16×8 pointwise layer's rate is a fit of
 * MACs / rate + PER_OUTPUT_16X8 · outputs over the model's 1×1 layers (within 16% on each, 5% on all but one);
 * its other kinds have a fixed number of MACs per output in these models, so a rate alone fits them. The 16×8 conv
 * rate is int8's times the ratio of their instructions over MLPerf Tiny's regular convolutions (ResNet-8's nine and
 * VWW's RGB first conv, re-quantized all-int8 and all-16×8 as `bench --suite precision` does, countLayers on cortex-m4,
 * 2026-12-08: 14,360,076 int8 against 15,498,653 16×8 instructions, two windows × four channels a step from
 * te_conv2d_patch_s16's planned patch). The choice reads only ratios against all-int8 (the instruction budget is a
 * multiple of it), so the table serves every target until one is measured apart.
 */
export const MACS_PER_INSTRUCTION: MacsPerInstruction = {
  int8: { conv: 0.341, pointwise: 0.477, depthwise: 0.328, dense: 0.72 },
  '16x8': { conv: 0.316, pointwise: 0.991, depthwise: 0.321, dense: 0.803 },
  int4w: { conv: 0.341, pointwise: 0.318, depthwise: 0.328, dense: 0.45 },
};

/** Instructions per output of a 16×8 pointwise layer beside its MACs (see MACS_PER_INSTRUCTION). */
const PER_OUTPUT_16X8 = 10;

/**
 * Instructions per element of a conversion between int8 and int16 (the requantize a mixed plan puts between
 * layers of different precision: 37 to int16, 47 to int8 on cortex-m4), measured on the same model's mixed
 * artifacts. An int16 add costs what an int8 one does (cortex-m-dsp/int16_add.c: 12.5 instructions an element
 * against 13.5 over ResNet-8's residual adds on cortex-m4), so it adds nothing.
 */
const CONVERSION_PER_ELEMENT = 42;

function kindOf(g: Graph, n: Node): MacKind {
  if (n.op === 'depthwise_conv2d') return 'depthwise';
  if (n.op === 'fully_connected') return 'dense';
  return isPointwiseConv(g, n) ? 'pointwise' : 'conv';
}

/** One layer with weights (or a softmax): its MACs and its flash and instructions at each precision. */
export interface LayerCost {
  node: string;
  macs: number;
  flash: Record<LayerPrecision, number>;
  instructions: Record<LayerPrecision, number>;
}

/** The cost of every layer with weights of an f32 graph (weights [O, …] or depthwise [1, KH, KW, C·M]), and of each softmax. */
export function layerCosts(g: Graph, rate: MacsPerInstruction = MACS_PER_INSTRUCTION): LayerCost[] {
  const macsByNode = new Map(modelStats(g).nodes.map((n) => [n.name, n.macs]));
  return g.nodes
    .filter((n) => MAC_OPS.has(n.op) || n.op === 'softmax')
    .map((n) => {
      // A softmax's int8 output steps of 1/256 can be most of a classifier's output error; at 16×8 it has int16
      // steps for about the same work per element (a table lookup either way): no weights, no MACs, cost 0 here.
      if (n.op === 'softmax') {
        const none = { int8: 0, '16x8': 0, int4w: 0 };
        return { node: n.name, macs: 0, flash: none, instructions: { ...none } };
      }
      const filter = tensorOf(g, n.inputs[1]!);
      const rows = n.op === 'depthwise_conv2d' ? filter.shape[3]! : filter.shape[0]!;
      const k = sizeOf(filter.shape) / rows;
      const biasChannels = n.inputs[2] === undefined ? 0 : sizeOf(tensorOf(g, n.inputs[2]).shape);
      const int8Weights = sizeOf(filter.shape);
      const macs = macsByNode.get(n.name) ?? 0;
      const kind = kindOf(g, n);
      const packed = kind === 'pointwise' || kind === 'dense';
      const flash = {
        int8: int8Weights + 4 * biasChannels,
        '16x8': int8Weights + 8 * biasChannels,
        int4w: (packed ? rows * Math.ceil(k / 2) : int8Weights) + 4 * biasChannels,
      };
      const instructions = Object.fromEntries(LAYER_PRECISIONS.map((p) => [p, macs / rate[p][kind]])) as Record<
        LayerPrecision,
        number
      >;
      if (kind === 'pointwise') instructions['16x8'] += PER_OUTPUT_16X8 * sizeOf(tensorOf(g, n.outputs[0]!).shape);
      return { node: n.name, macs, flash, instructions };
    });
}

/** Flash and instructions of the layers with weights under a plan (layers it leaves out at int8). */
export function planCost(costs: readonly LayerCost[], plan: PrecisionPlan): { flash: number; instructions: number } {
  let flash = 0;
  let instructions = 0;
  for (const c of costs) {
    const p = plan[c.node] ?? 'int8';
    flash += c.flash[p];
    instructions += c.instructions[p];
  }
  return { flash, instructions };
}

/**
 * Instructions a plan adds outside its layers with weights: a conversion for each tensor read at the other
 * activation type (once per tensor and type).
 */
export function mixingInstructions(g: Graph, plan: PrecisionPlan): number {
  if (Object.keys(plan).length === 0) return 0;
  const types = activationTypes(g, plan);
  const elements = (name: string) => sizeOf(tensorOf(g, name).shape);
  const converted = new Set<string>();
  let total = 0;
  for (const n of g.nodes) {
    const out = types.get(n.outputs[0]!)!;
    const reads = MAC_OPS.has(n.op) ? activationTypeOfPrecision(plan[n.name] ?? 'int8') : out;
    for (const i of n.inputs) {
      const t = types.get(i);
      if (t === undefined || t === reads || converted.has(`${i} ${reads}`)) continue;
      converted.add(`${i} ${reads}`);
      total += CONVERSION_PER_ELEMENT * elements(i);
    }
  }
  return total;
}

/** The largest inputs + output bytes of any node under the plan: a lower bound of the arena the planner finds. */
export function planRamBytes(g: Graph, plan: PrecisionPlan): number {
  const types = activationTypes(g, plan);
  const bytes = (name: string) => {
    const t = tensorOf(g, name);
    return t.data ? 0 : sizeOf(t.shape) * (types.get(name) === 'int16' ? 2 : 1);
  };
  return Math.max(0, ...g.nodes.map((n) => [...n.inputs, n.outputs[0]!].reduce((s, x) => s + bytes(x), 0)));
}
