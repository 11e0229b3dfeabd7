/**
 * @fileoverview The C of multiply-accumulate nodes' constants and calls: te_mac_params, windows, filters in the
 * layout the chosen kernels read, folded biases, and which matmul kernel a pointwise or dense node calls.
 */

import { type Graph, type Node, tensorOf } from '../../ir/graph.ts';
import { sizeOf } from '../../ir/tensor.ts';
import { windowOf } from '../../ir/window.ts';
import { foldedMacBias, isPointwiseConv } from '../../quantize/prepare/prepare-int8.ts';
import { structBody } from './c-literals.ts';
import {
  isInt4Matmul,
  type KernelLayouts,
  type MatmulLayout,
  type RequantLayout,
  rowPairsScratchBytes,
} from './kernel-table.ts';
import { act, bias, bias16, constant, kernelsOf, local, params, type RenderContext } from './render-context.ts';
import { fixupFreeRs } from './sign-fixup.ts';
import {
  foldedDepthwiseBias,
  type LaidOut,
  layDepthwiseFilter,
  layMatmulBias,
  layMatmulFilter,
  padChannels,
  smmulPairs,
} from './weight-layouts.ts';

export function windowInit(
  ctx: RenderContext,
  node: Node,
  kh: number,
  kw: number,
  a: { strides: [number, number]; pads: [number, number, number, number]; dilations?: [number, number] },
): string {
  const w = windowOf(tensorOf(ctx.g, node.inputs[0]!), tensorOf(ctx.g, node.outputs[0]!), kh, kw, a);
  return structBody([
    w.n,
    w.h,
    w.w,
    w.c,
    w.oh,
    w.ow,
    w.kh,
    w.kw,
    w.strides[0],
    w.strides[1],
    w.dilations[0],
    w.dilations[1],
    w.pads[0],
    w.pads[2],
  ]);
}

/**
 * te_mac_params of a MAC node; `matmul`: the layout of te_matmul_s8/te_conv2d_s8, whose channel step pads the arrays.
 * `dropsFixup`: the node calls te_matmul_row_pairs_s8 or te_conv2d_row_pairs_s8, whose asm function without the sign
 * fix-up is chosen at compile time (tinyedge/row_pairs.h); te_mac_params.no_sign_fixup is set there where the
 * layer's range is int8's (the clamped asm groups keep the fix-up) and sign-fixup.ts finds every channel an R that
 * is exact without it.
 */
export function macInit(
  ctx: RenderContext,
  node: Node,
  layout: RequantLayout,
  matmul: MatmulLayout = 'k-major',
  dropsFixup = false,
): string {
  const p = params(ctx.g, node, 'mac');
  const rs =
    layout === 'smmul' && dropsFixup && p.actMin === -128 && p.actMax === 127 ? fixupFreeRs(ctx.g, node, p) : undefined;
  const pairs = layout === 'smmul' ? smmulPairs(p.multipliers, p.shifts, rs) : undefined;
  if (pairs) {
    const mr = ctx.pool.add(
      `${node.name}\0smmul`,
      'int32_t',
      pairs,
      `${node.name}: (2M − 2^32, ${rs ? 'R for no sign fix-up' : '−2^(32+shift)'}) per channel`,
    );
    return `{${p.inputOffset}, ${p.outputOffset}, ${mr}, NULL, ${p.actMin}, ${p.actMax}, ${rs ? 1 : 0}}`;
  }
  // Padded channels requantize (and are not stored) like any other: multiplier 0, a right shift.
  const m = ctx.pool.add(
    `${node.name}\0multipliers`,
    'int32_t',
    padChannels(p.multipliers, matmul, 0),
    `${node.name}: Q31 multipliers`,
  );
  const s = ctx.pool.add(`${node.name}\0shifts`, 'int32_t', padChannels(p.shifts, matmul, -1), `${node.name}: shifts`);
  return `{${p.inputOffset}, ${p.outputOffset}, ${m}, ${s}, ${p.actMin}, ${p.actMax}, 0}`;
}

/** A filter laid out for its kernels, as a constant array once per (filter, layout), seen as int8_t by the call. */
function laidFilter(ctx: RenderContext, filter: string, layout: string, laid: LaidOut): string {
  const name = ctx.pool.add(`${filter}\0${layout}`, laid.type, laid.data, `${filter}: ${laid.description}`);
  return laid.type === 'int8_t' ? name : `(const int8_t *)${name}`;
}

/** A conv or dense filter ([O][K], OHWI being [O][KH·KW·C]) in the layout the chosen kernels read (layMatmulFilter). */
export function matmulFilter(ctx: RenderContext, node: Node, layout: MatmulLayout): string {
  const f = tensorOf(ctx.g, node.inputs[1]!);
  const windowRow = f.shape.length === 4 ? f.shape[2]! * f.shape[3]! : undefined;
  return laidFilter(ctx, node.inputs[1]!, layout, layMatmulFilter(f.data as Int8Array, f.shape[0]!, layout, windowRow));
}

/**
 * A depthwise filter [1][KH][KW][C·M] as its kernels read it (DepthwiseLayout): as it is, int16 pairs in groups of
 * four channels, or, where `folds`, each tap's weights in groups of eight channels.
 */
export function depthwiseFilter(ctx: RenderContext, node: Node, layouts: KernelLayouts, folds: boolean): string {
  const layout = layouts.depthwise;
  if (layout === 'hwc' || (layout === 'c8-fold3x3' && !folds)) return constant(ctx, node.inputs[1]!);
  const f = tensorOf(ctx.g, node.inputs[1]!);
  return laidFilter(ctx, node.inputs[1]!, layout, layDepthwiseFilter(f.data as Int8Array, f.shape[3]!, layout));
}

/** bias + input_offset·Σw per output channel, for te_matmul_s8 and te_conv2d_s8, as `layout` reads it (layMatmulBias). */
function foldedBias(ctx: RenderContext, node: Node, layout: MatmulLayout): string {
  const folded = foldedMacBias(ctx.g, node, params(ctx.g, node, 'mac').inputOffset);
  const f = tensorOf(ctx.g, node.inputs[1]!);
  const padded = layMatmulBias(folded, f.data as Int8Array, f.shape[0]!, layout);
  return ctx.pool.add(`${node.name}\0folded_bias`, 'int32_t', padded, `${node.name}: bias + input offset × Σw`);
}

/** bias + input_offset·Σw per channel of a depthwise layer, for the kernels whose DepthwiseLayout folds it. */
export function foldedDepthwiseBiasOf(ctx: RenderContext, node: Node): string {
  const f = tensorOf(ctx.g, node.inputs[1]!);
  const bias = node.inputs[2] === undefined ? undefined : (tensorOf(ctx.g, node.inputs[2]).data as Int32Array);
  const folded = foldedDepthwiseBias(f.data as Int8Array, f.shape[3]!, bias, params(ctx.g, node, 'mac').inputOffset);
  return ctx.pool.add(`${node.name}\0folded_bias`, 'int32_t', folded, `${node.name}: bias + input offset × Σw`);
}

/**
 * The bias and the arguments after the constants of a MAC kernel call: int8 kernels read an int32 bias (folded with
 * the input offset for te_conv2d_s8 and te_matmul_s8); 16×8 ones a te_s16_bias (int64 values, or int32 where they
 * fit) and then whether they accumulate wide.
 */
export function macArguments(
  ctx: RenderContext,
  node: Node,
  folded: boolean,
  layout = kernelsOf(ctx, node).layouts.matmul,
): { bias: string; wide: string[] } {
  if (kernelsOf(ctx, node).suffix === 's8')
    return { bias: folded ? foldedBias(ctx, node, layout) : bias(ctx, node), wide: [] };
  return { bias: bias16(ctx, node), wide: [params(ctx.g, node, 'mac').wide ? '1' : '0'] };
}

/**
 * The layout of te_matmul_pairs_s8 when a matmul node (pointwise conv or fully connected, K inputs) calls it: int8,
 * the chosen folder has it for this K, and every weight keeps to TFLite's [-127, 127] (a .tflite may still hold −128).
 */
function pairsLayoutOf(ctx: RenderContext, node: Node, k: number): MatmulLayout | undefined {
  const { suffix, layouts } = kernelsOf(ctx, node);
  if (suffix !== 's8' || !layouts.pairs || k < layouts.pairs.minK) return undefined;
  const w = tensorOf(ctx.g, node.inputs[1]!).data as Int8Array;
  return w.every((v) => v >= -127) ? layouts.pairs.layout : undefined;
}

/** The matmul kernel a node calls, the weight layout it reads and its requantization constants. */
function matmulKernelOf(
  ctx: RenderContext,
  node: Node,
  k: number,
): { name: string; layout: MatmulLayout; requantize: RequantLayout } {
  const { suffix, layouts } = kernelsOf(ctx, node);
  if (isInt4Matmul(ctx.g, node))
    return { name: 'te_matmul_w4_s8', layout: layouts.matmulW4, requantize: layouts.requantize.matmul_w4 };
  const pairs = pairsLayoutOf(ctx, node, k);
  return {
    name: pairs ? 'te_matmul_pairs_s8' : `te_matmul_${suffix}`,
    layout: pairs ?? layouts.matmul,
    requantize: layouts.requantize.conv2d,
  };
}

/**
 * K of a matmul node (pointwise conv or fully connected) that runs two rows at a time, te_matmul_row_pairs_s8: int8
 * activations and weights, two rows or more, and a conv2d folder that has it (KernelLayouts.rowPairs); else undefined.
 */
export function rowPairsK(g: Graph, node: Node, layouts: KernelLayouts): number | undefined {
  if (!layouts.rowPairs || isInt4Matmul(g, node)) return undefined;
  if (node.op !== 'fully_connected' && !(node.op === 'conv2d' && isPointwiseConv(g, node))) return undefined;
  const x = tensorOf(g, node.inputs[0]!);
  if (x.dtype !== 'int8' || tensorOf(g, node.outputs[0]!).dtype !== 'int8') return undefined;
  const k = tensorOf(g, node.inputs[1]!).shape.at(-1)!;
  return sizeOf(x.shape) / k >= 2 ? k : undefined;
}

/**
 * The statements of a matmul node: te_matmul_w4_s8 for int4 weights (isInt4Matmul), te_matmul_pairs_s8 where it may
 * (pairsLayoutOf), te_matmul_row_pairs_s8 where its scratch was planned (rowPairsK), else te_matmul_<sfx>.
 */
export function matmulCall(ctx: RenderContext, node: Node, rows: number, k: number, o: number): string[] {
  const { name, layout, requantize } = matmulKernelOf(ctx, node, k);
  const scratch = ctx.scratch.get(node.name);
  const rowPairs =
    name === 'te_matmul_s8' &&
    kernelsOf(ctx, node).layouts.rowPairs === true &&
    (ctx.scratchBytes.get(node.name) ?? 0) >= rowPairsScratchBytes(k);
  const kernel = rowPairs ? 'te_matmul_row_pairs_s8' : name;
  const p = local('te_mac_params', 'p', macInit(ctx, node, requantize, layout, rowPairs));
  const w = matmulFilter(ctx, node, layout);
  const { bias: b, wide } = macArguments(ctx, node, true, layout);
  const extra = rowPairs ? [`(int32_t *)(arena + ${scratch})`] : wide;
  return [
    p,
    `${kernel}(${[act(ctx, node.inputs[0]!), w, b, rows, k, o, '&p', ...extra, act(ctx, node.outputs[0]!, true)].join(', ')});`,
  ];
}
