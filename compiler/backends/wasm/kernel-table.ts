/**
 * @fileoverview The WebAssembly kernels as data, the backend's op → kernel table (backends/c/kernel-table.ts is the
 * C one): for each op and activation type (int8, or int16 in 16×8 nodes), the kernels in order of preference, each
 * with the nodes it computes, the scratch it asks the planner for and its emitter. A node runs the first kernel
 * that fits; an op or activation type with none is an error. The emitters live in one folder per op family, named
 * as runtime/c/kernels/ names them; their shared parts in emit/.
 */

import { TinyedgeError } from '../../errors.ts';
import { type Graph, type Node, type NodeOf, tensorOf } from '../../ir/graph.ts';
import type { OpName } from '../../ir/ops.ts';
import type { ActivationType } from '../../quantize/prepare/quant-params.ts';
import {
  conv2dLayerScratchBytes,
  emitConv2dLayerInt8,
  emitMatmulLayerInt8,
  isMatmulNode,
  matmulLayerScratchBytes,
} from './conv2d/layer-int8.ts';
import { dotLayerScratchBytes16, emitDotLayer16 } from './conv2d/layer-int16.ts';
import { depthwiseLayerScratchBytes, emitDepthwiseLayerInt8 } from './depthwise_conv2d/layer-int8.ts';
import {
  depthwiseSimd16Fits,
  depthwiseSimd16ScratchBytes,
  emitDepthwiseScalarLayer16,
  emitDepthwiseSimdLayer16,
} from './depthwise_conv2d/layer-int16.ts';
import { emitSimdAddLayer, simdAddFits } from './elementwise/add-simd-int8.ts';
import { emitBroadcastBinary } from './elementwise/binary-broadcast.ts';
import { emitLogisticLayer } from './elementwise/logistic-int8.ts';
import { emitRequantize } from './elementwise/requantize-layer.ts';
import { emitSimdRequantize } from './elementwise/requantize-simd-int8.ts';
import type { LayerContext } from './emit/layer-context.ts';
import { emitPad } from './pad/pad.ts';
import { emitMaxAlong } from './pool/max-along.ts';
import { emitMean } from './pool/mean.ts';
import { emitPool } from './pool/pool.ts';
import { emitTopK } from './pool/top-k.ts';
import { emitResizeLayer } from './resize/resize-int8.ts';
import { emitSoftmaxLayer } from './softmax/softmax-int8.ts';
import { emitSoftmaxLayer16 } from './softmax/softmax-int16.ts';
import { emitTranspose } from './transpose/transpose.ts';
import { emitTransposeConvLayer, transposeConvScratchBytes } from './transpose_conv2d/transpose-conv2d-int8.ts';

/** One WebAssembly kernel of an op. */
export interface WasmKernel<N extends Node = Node> {
  /** What it is: family, element type and ISA, as its file names it. */
  name: string;
  /** Whether it computes this node (shape limits); absent: every node of its op and type. */
  fits?: (g: Graph, node: N) => boolean;
  /** Bytes of scratch it asks the planner for; absent: none. */
  scratchBytes?: (g: Graph, node: N) => number;
  /** Emits the function `name` computing the node. */
  emit: (ctx: LayerContext, node: N, name: string) => void;
}

/** The kernels of one op by activation type, in order of preference. */
type KernelRow<N extends Node> = Partial<Record<ActivationType, readonly WasmKernel<N>[]>>;

const MATMUL_SIMD_INT8: WasmKernel<NodeOf<'conv2d' | 'fully_connected'>> = {
  name: 'conv2d/matmul-simd-int8',
  fits: isMatmulNode,
  scratchBytes: matmulLayerScratchBytes,
  emit: emitMatmulLayerInt8,
};
const CONV2D_SIMD_INT8: WasmKernel<NodeOf<'conv2d'>> = {
  name: 'conv2d/conv2d-simd-int8',
  scratchBytes: conv2dLayerScratchBytes,
  emit: emitConv2dLayerInt8,
};
const DOT_SIMD_INT16: WasmKernel<NodeOf<'conv2d' | 'fully_connected'>> = {
  name: 'conv2d/dot-simd-int16',
  scratchBytes: dotLayerScratchBytes16,
  emit: emitDotLayer16,
};
const DEPTHWISE_SIMD_INT8: WasmKernel<NodeOf<'depthwise_conv2d'>> = {
  name: 'depthwise_conv2d/depthwise-simd-int8',
  scratchBytes: depthwiseLayerScratchBytes,
  emit: emitDepthwiseLayerInt8,
};
const DEPTHWISE_SIMD_INT16: WasmKernel<NodeOf<'depthwise_conv2d'>> = {
  name: 'depthwise_conv2d/depthwise-simd-int16',
  fits: depthwiseSimd16Fits,
  scratchBytes: depthwiseSimd16ScratchBytes,
  emit: emitDepthwiseSimdLayer16,
};
const DEPTHWISE_SCALAR_INT16: WasmKernel<NodeOf<'depthwise_conv2d'>> = {
  name: 'depthwise_conv2d/depthwise-scalar-int16',
  emit: emitDepthwiseScalarLayer16,
};
const ADD_SIMD_INT8: WasmKernel<NodeOf<'add'>> = {
  name: 'elementwise/add-simd-int8',
  fits: simdAddFits,
  emit: emitSimdAddLayer,
};
/** Scalar kernels written once for both element types (they read it from the tensors). */
const BINARY_BROADCAST: WasmKernel<NodeOf<'add' | 'mul'>> = {
  name: 'elementwise/binary-broadcast',
  emit: emitBroadcastBinary,
};
const REQUANTIZE: WasmKernel<NodeOf<'concat' | 'reshape' | 'clamp'>> = {
  name: 'elementwise/requantize-layer',
  emit: emitRequantize,
};
const REQUANTIZE_SIMD_INT8: WasmKernel<NodeOf<'concat' | 'reshape' | 'clamp'>> = {
  name: 'elementwise/requantize-simd-int8',
  emit: emitSimdRequantize,
};
const POOL: WasmKernel<NodeOf<'avg_pool2d' | 'max_pool2d'>> = { name: 'pool/pool', emit: emitPool };
const MEAN: WasmKernel<NodeOf<'mean'>> = { name: 'pool/mean', emit: emitMean };
const MAX_ALONG: WasmKernel<NodeOf<'arg_max' | 'reduce_max'>> = { name: 'pool/max-along', emit: emitMaxAlong };
const TOP_K: WasmKernel<NodeOf<'top_k_values' | 'top_k_indices'>> = { name: 'pool/top-k', emit: emitTopK };
const TRANSPOSE: WasmKernel<NodeOf<'transpose'>> = { name: 'transpose/transpose', emit: emitTranspose };
const PAD: WasmKernel<NodeOf<'pad'>> = { name: 'pad/pad', emit: emitPad };
const LOGISTIC_INT8: WasmKernel<NodeOf<'logistic'>> = { name: 'elementwise/logistic-int8', emit: emitLogisticLayer };
const SOFTMAX_INT8: WasmKernel<NodeOf<'softmax'>> = { name: 'softmax/softmax-int8', emit: emitSoftmaxLayer };
const SOFTMAX_INT16: WasmKernel<NodeOf<'softmax'>> = { name: 'softmax/softmax-int16', emit: emitSoftmaxLayer16 };
const RESIZE_INT8: WasmKernel<NodeOf<'resize_nearest' | 'resize_bilinear'>> = {
  name: 'resize/resize-int8',
  emit: emitResizeLayer,
};
const TRANSPOSE_CONV2D_INT8: WasmKernel<NodeOf<'transpose_conv2d'>> = {
  name: 'transpose_conv2d/transpose-conv2d-int8',
  scratchBytes: transposeConvScratchBytes,
  emit: emitTransposeConvLayer,
};

/** Both element types on one kernel. */
const both = <N extends Node>(kernel: WasmKernel<N>): KernelRow<N> => ({ int8: [kernel], int16: [kernel] });

/**
 * Every op's kernels. The 16×8 rows hold the MAC ops and softmax of their own and the scalar kernels both types
 * share; resize, transpose conv and logistic have no 16×8 form (Prepare refuses them first). sub, batch_norm and
 * identity never reach a backend: the passes rewrite them; prelu is f32 only (quantize refuses it). arg_max and
 * top_k_indices write int32 indices (a model output) from either type.
 */
export const WASM_KERNELS: { readonly [K in OpName]: KernelRow<NodeOf<K>> } = {
  conv2d: { int8: [MATMUL_SIMD_INT8, CONV2D_SIMD_INT8], int16: [DOT_SIMD_INT16] },
  fully_connected: { int8: [MATMUL_SIMD_INT8], int16: [DOT_SIMD_INT16] },
  depthwise_conv2d: { int8: [DEPTHWISE_SIMD_INT8], int16: [DEPTHWISE_SIMD_INT16, DEPTHWISE_SCALAR_INT16] },
  add: { int8: [ADD_SIMD_INT8, BINARY_BROADCAST], int16: [BINARY_BROADCAST] },
  mul: both(BINARY_BROADCAST),
  avg_pool2d: both(POOL),
  max_pool2d: both(POOL),
  mean: both(MEAN),
  pad: both(PAD),
  concat: { int8: [REQUANTIZE_SIMD_INT8], int16: [REQUANTIZE] },
  reshape: { int8: [REQUANTIZE_SIMD_INT8], int16: [REQUANTIZE] },
  clamp: { int8: [REQUANTIZE_SIMD_INT8], int16: [REQUANTIZE] },
  softmax: { int8: [SOFTMAX_INT8], int16: [SOFTMAX_INT16] },
  logistic: { int8: [LOGISTIC_INT8] },
  resize_nearest: { int8: [RESIZE_INT8] },
  resize_bilinear: { int8: [RESIZE_INT8] },
  transpose_conv2d: { int8: [TRANSPOSE_CONV2D_INT8] },
  sub: {},
  batch_norm: {},
  identity: {},
  prelu: {},
  top_k_values: both(TOP_K),
  top_k_indices: both(TOP_K),
  arg_max: both(MAX_ALONG),
  reduce_max: both(MAX_ALONG),
  transpose: both(TRANSPOSE),
};

/** A node's activation type: int16 when any of its activations is (which includes the int8↔int16 requantizes). */
function activationTypeOf(g: Graph, node: Node): ActivationType {
  return [...node.inputs, ...node.outputs].some((name) => tensorOf(g, name).dtype === 'int16') ? 'int16' : 'int8';
}

/** The first kernel that computes `node`, or undefined when its op and type have none. */
function findKernel(g: Graph, node: Node): WasmKernel | undefined {
  const row = WASM_KERNELS[node.op] as KernelRow<Node>;
  return row[activationTypeOf(g, node)]?.find((k) => k.fits?.(g, node) ?? true);
}

/** The kernel that computes `node`; an op or activation type without one is an error. */
export function wasmKernelOf(g: Graph, node: Node): WasmKernel {
  const kernel = findKernel(g, node);
  if (!kernel)
    throw new TinyedgeError(
      'TE401',
      `${node.op} has no ${activationTypeOf(g, node) === 'int16' ? '16×8' : 'int8'} WASM kernel`,
    );
  return kernel;
}

/** Scratch bytes a node's WASM kernel needs (the planner's query); a node without a kernel fails later, at emit time, with its place. */
export function wasmScratchBytes(g: Graph, node: Node): number {
  return findKernel(g, node)?.scratchBytes?.(g, node) ?? 0;
}

/** Emits the function `name` computing `node`. */
export function emitLayer(ctx: LayerContext, node: Node, name: string): void {
  wasmKernelOf(ctx.g, node).emit(ctx, node, name);
}
