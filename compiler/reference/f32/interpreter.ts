/**
 * @fileoverview The f32 reference interpreter: executes any graph stage (frontend output, after any pass) node by
 * node. It is the oracle the int8 path is measured against, so it favours plain, obviously-right kernels.
 */

import { TinyedgeError } from '../../errors.ts';
import { NO_CLAMP } from '../../ir/attrs.ts';
import { type Graph, type Node, type NodeOf, tensorOf } from '../../ir/graph.ts';
import type { OpName } from '../../ir/ops.ts';
import { permuteElements } from '../../ir/permutation.ts';
import { nearestSources } from '../../ir/resize-geometry.ts';
import type { Tensor } from '../../ir/tensor.ts';
import { windowOf as window } from '../../ir/window.ts';
import { concatElements, padElements } from '../layout.ts';
import { maxOverAxes, normalizedAxes } from '../reduce-axes.ts';
import { gatherNearest, resizeBilinearF32 } from '../resize.ts';
import { runSchedule } from '../run-schedule.ts';
import { conv2dF32, depthwiseConv2dF32, fullyConnectedF32, transposeConv2dF32 } from './conv.ts';
import { batchNormF32, binaryF32, clampF32, logisticF32, softmaxF32 } from './elementwise.ts';
import { argMaxF32, meanF32, poolF32, topKF32 } from './reduce.ts';

type Kernel<K extends OpName> = (node: NodeOf<K>, x: Float32Array[], ins: Tensor[], out: Tensor) => Float32Array;

/** One f32 kernel per op; the mapped type makes a missing op a compile error. */
const KERNELS: { [K in OpName]: Kernel<K> } = {
  conv2d: ({ attrs }, [x, w, b], [input, filter], out) =>
    conv2dF32(
      x!,
      w!,
      b,
      window(input!, out, filter!.shape[1]!, filter!.shape[2]!, attrs),
      filter!.shape[0]!,
      attrs.clamp,
    ),
  depthwise_conv2d: ({ attrs }, [x, w, b], [input, filter], out) =>
    depthwiseConv2dF32(
      x!,
      w!,
      b,
      window(input!, out, filter!.shape[1]!, filter!.shape[2]!, attrs),
      attrs.depthMultiplier,
      attrs.clamp,
    ),
  fully_connected: ({ attrs }, [x, w, b], [, filter]) =>
    fullyConnectedF32(x!, w!, b, filter!.shape[1]!, filter!.shape[0]!, attrs.clamp),
  add: ({ attrs }, [a, b], [ta, tb], out) =>
    binaryF32(a!, ta!.shape, b!, tb!.shape, out.shape, (p, q) => p + q, attrs.clamp),
  sub: ({ attrs }, [a, b], [ta, tb], out) =>
    binaryF32(a!, ta!.shape, b!, tb!.shape, out.shape, (p, q) => p - q, attrs.clamp),
  mul: ({ attrs }, [a, b], [ta, tb], out) =>
    binaryF32(a!, ta!.shape, b!, tb!.shape, out.shape, (p, q) => p * q, attrs.clamp),
  avg_pool2d: ({ attrs }, [x], [input], out) =>
    poolF32(x!, window(input!, out, attrs.filter[0], attrs.filter[1], attrs), 'avg', attrs.clamp),
  max_pool2d: ({ attrs }, [x], [input], out) =>
    poolF32(x!, window(input!, out, attrs.filter[0], attrs.filter[1], attrs), 'max', attrs.clamp),
  mean: ({ attrs }, [x], [input]) => meanF32(x!, input!.shape, normalizedAxes(attrs.axes, input!.shape)),
  reduce_max: ({ attrs }, [x], [input]) => maxOverAxes(x!, input!.shape, normalizedAxes(attrs.axes, input!.shape)),
  pad: ({ attrs }, [x], [input]) => padElements(x!, input!.shape, attrs.pads, attrs.value),
  concat: ({ attrs }, xs, ins) =>
    concatElements(
      xs,
      ins.map((t) => t.shape),
      attrs.axis < 0 ? attrs.axis + ins[0]!.shape.length : attrs.axis,
    ),
  reshape: (_n, [x]) => x!,
  softmax: ({ attrs }, [x], [input]) => softmaxF32(x!, input!.shape[input!.shape.length - 1]!, attrs.beta),
  logistic: (_n, [x]) => logisticF32(x!),
  clamp: ({ attrs }, [x]) => clampF32(x!, attrs.clamp),
  batch_norm: ({ attrs }, [x, mean, variance, offset, scale]) =>
    batchNormF32(x!, mean!, variance!, offset, scale, attrs.epsilon),
  identity: (_n, [x]) => x!,
  resize_nearest: ({ attrs: a }, [x], [input]) =>
    gatherNearest(
      x!,
      input!.shape,
      nearestSources(input!.shape[1]!, a.size[0], a.alignCorners, a.halfPixelCenters),
      nearestSources(input!.shape[2]!, a.size[1], a.alignCorners, a.halfPixelCenters),
    ),
  resize_bilinear: ({ attrs: a }, [x], [input]) =>
    resizeBilinearF32(x!, input!.shape, a.size, a.alignCorners, a.halfPixelCenters),
  transpose_conv2d: ({ attrs }, [x, w, b], [input, filter], out) =>
    transposeConv2dF32(
      x!,
      w!,
      b,
      window(input!, out, filter!.shape[1]!, filter!.shape[2]!, attrs),
      filter!.shape[0]!,
      attrs.clamp,
    ),
  prelu: (_n, [x, alpha], [input, ta]) =>
    binaryF32(x!, input!.shape, alpha!, ta!.shape, input!.shape, (v, a) => (v < 0 ? a * v : v), NO_CLAMP),
  arg_max: ({ attrs }, [x], [input]) => argMaxF32(x!, input!.shape, attrs.axis),
  top_k_values: ({ attrs }, [x], [input]) => topKF32(x!, input!.shape, attrs.k).values,
  top_k_indices: ({ attrs }, [x], [input]) => topKF32(x!, input!.shape, attrs.k).indices,
  transpose: ({ attrs }, [x], [input]) => permuteElements(x!, input!.shape, attrs.perm, (n) => new Float32Array(n)),
};

/** Runs one node on f32 values. */
export function runNodeF32(g: Graph, node: Node, values: readonly Float32Array[]): Float32Array {
  const ins = node.inputs.map((name) => tensorOf(g, name));
  const out = tensorOf(g, node.outputs[0]!);
  const kernel = KERNELS[node.op] as Kernel<OpName>;
  return kernel(node as NodeOf<OpName>, values as Float32Array[], ins, out);
}

/** Options of a run: observe every node's output (for per-layer reports and pass checks). */
export interface RunOptions {
  onNode?: (node: Node, output: Float32Array) => void;
}

/** Executes the graph on f32 inputs (by input name) and returns its outputs by name. Frees each value after its last use. */
export function runF32(
  g: Graph,
  feeds: Record<string, Float32Array>,
  options: RunOptions = {},
): Map<string, Float32Array> {
  return runSchedule(g, feeds, { kind: 'float32', runNode: runFiniteNode, constant: constantF32 }, options.onNode);
}

/** A node's result, which must be finite: past an overflow (huge weights, say) no answer means anything, and runtimes disagree on it. */
function runFiniteNode(g: Graph, node: Node, args: Float32Array[]): Float32Array {
  const y = runNodeF32(g, node, args);
  const i = y.findIndex((v) => !Number.isFinite(v));
  if (i >= 0)
    throw new TinyedgeError('TE505', `computes ${y[i]} at element ${i}: the model's values overflow float32`, {
      file: g.source,
      node: node.name,
      op: node.op,
    });
  return y;
}

function constantF32(g: Graph, name: string): Float32Array | undefined {
  const data = g.tensors.get(name)?.data;
  if (data === undefined) return undefined;
  return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number | bigint>, Number);
}
