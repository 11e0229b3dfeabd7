/**
 * @fileoverview The integer reference interpreter: the oracle every backend and target must match bit for bit.
 * It runs a quantized graph (int8 activations, int8 per-channel weights, int32 biases; or 16×8: int16 activations,
 * int64 biases) with the integer constants of prepare-int8.ts and TFLite's fixed-point arithmetic; nothing here
 * touches a float. An ArgMax output (a model output only) is int32 indices.
 */
import { type Graph, type Node, type NodeOf, tensorOf } from '../../ir/graph.ts';
import type { OpName } from '../../ir/ops.ts';
import { permuteElements } from '../../ir/permutation.ts';
import { sizeOf, type Tensor } from '../../ir/tensor.ts';
import { windowOf } from '../../ir/window.ts';
import { type Int8Params, int8ParamsOf } from '../../quantize/prepare/prepare-int8.ts';
import { activationType } from '../../quantize/prepare/quant-params.ts';
import { alike, concatElements, padElements } from '../layout.ts';
import { maxOverAxes, normalizedAxes } from '../reduce-axes.ts';
import { gatherNearest, resizeBilinearInt8 } from '../resize.ts';
import { runSchedule } from '../run-schedule.ts';
import { argMaxInto, topKInto } from '../selection.ts';
import {
  type Activations,
  conv2dInt8,
  depthwiseConv2dInt8,
  type MacParams,
  matmulInt8,
  transposeConv2dInt8,
} from './conv.ts';
import { addInt8, lookupInt8, mulInt8, requantizeInt8, softmaxInt8, softmaxInt16 } from './elementwise.ts';
import { meanInt8, poolInt8 } from './reduce.ts';

type Values = Activations | Int32Array | BigInt64Array;
/** What a node writes: activations, or int32 indices (ArgMax). */
export type IntegerOutput = Activations | Int32Array;
type Kernel<K extends OpName> = (
  node: NodeOf<K>,
  x: Values[],
  ins: Tensor[],
  out: Tensor,
  p: Int8Params,
) => IntegerOutput;

function expect<K extends Int8Params['kind']>(p: Int8Params, kind: K): Extract<Int8Params, { kind: K }> {
  if (p.kind !== kind) throw new Error(`internal: expected ${kind} params, got ${p.kind}`);
  return p as Extract<Int8Params, { kind: K }>;
}

const i8 = (v: Values) => v as Int8Array;
const act = (v: Values) => v as Activations;
// int64 biases (16×8) as float64: exact, TFLite keeps them below 2^47.
const bias = (v: Values | undefined) =>
  v instanceof BigInt64Array ? Float64Array.from(v, Number) : (v as Int32Array | undefined);

/** The kernel of an f32-only op: quantize refuses such graphs first (assertQuantizable), so reaching it is a bug. */
function noIntegerKernel(op: OpName): () => never {
  return () => {
    throw new Error(`internal: ${op} has no int8 kernel`);
  };
}

/** One integer kernel per op; ops without an integer form fail at prepare time. */
const KERNELS: { [K in OpName]: Kernel<K> } = {
  conv2d: ({ attrs }, [x, w, b], [input, filter], out, p) => {
    const mac = expect(p, 'mac') as MacParams;
    const g = windowOf(input!, out, filter!.shape[1]!, filter!.shape[2]!, attrs);
    const pointwise =
      g.kh === 1 && g.kw === 1 && attrs.strides[0] === 1 && attrs.strides[1] === 1 && attrs.pads.every((v) => v === 0);
    return pointwise
      ? matmulInt8(act(x!), i8(w!), bias(b), g.n * g.h * g.w, g.c, filter!.shape[0]!, mac)
      : conv2dInt8(act(x!), i8(w!), bias(b), g, filter!.shape[0]!, mac);
  },
  depthwise_conv2d: ({ attrs }, [x, w, b], [input, filter], out, p) =>
    depthwiseConv2dInt8(
      act(x!),
      i8(w!),
      bias(b),
      windowOf(input!, out, filter!.shape[1]!, filter!.shape[2]!, attrs),
      attrs.depthMultiplier,
      expect(p, 'mac'),
    ),
  fully_connected: (_n, [x, w, b], [input, filter], _out, p) =>
    matmulInt8(
      act(x!),
      i8(w!),
      bias(b),
      sizeOf(input!.shape) / filter!.shape[1]!,
      filter!.shape[1]!,
      filter!.shape[0]!,
      expect(p, 'mac'),
    ),
  add: (_n, [a, b], [ta, tb], out, p) => addInt8(act(a!), ta!.shape, act(b!), tb!.shape, out.shape, expect(p, 'add')),
  mul: (_n, [a, b], [ta, tb], out, p) => mulInt8(act(a!), ta!.shape, act(b!), tb!.shape, out.shape, expect(p, 'mul')),
  avg_pool2d: ({ attrs }, [x], [input], out, p) => {
    const { actMin, actMax } = expect(p, 'pool');
    return poolInt8(act(x!), windowOf(input!, out, attrs.filter[0], attrs.filter[1], attrs), 'avg', actMin, actMax);
  },
  max_pool2d: ({ attrs }, [x], [input], out, p) => {
    const { actMin, actMax } = expect(p, 'pool');
    return poolInt8(act(x!), windowOf(input!, out, attrs.filter[0], attrs.filter[1], attrs), 'max', actMin, actMax);
  },
  mean: ({ attrs }, [x], [input], _out, p) =>
    meanInt8(act(x!), input!.shape, normalizedAxes(attrs.axes, input!.shape), expect(p, 'mean')),
  // Input and output share one quantization (Prepare checks): the largest integer is the largest value.
  reduce_max: ({ attrs }, [x], [input]) => maxOverAxes(act(x!), input!.shape, normalizedAxes(attrs.axes, input!.shape)),
  pad: ({ attrs }, [x], [input], _out, p) => padElements(act(x!), input!.shape, attrs.pads, expect(p, 'pad').value),
  concat: ({ attrs }, xs, ins, out, p) => {
    const r = expect(p, 'requantize');
    const parts = xs.map((x, i) =>
      requantizeInt8(act(x), r.inputs[i]!, r.outputOffset, r.actMin, r.actMax, activationType(out.dtype)),
    );
    return concatElements(
      parts,
      ins.map((t) => t.shape),
      attrs.axis < 0 ? attrs.axis + ins[0]!.shape.length : attrs.axis,
    );
  },
  reshape: (_n, [x], _ins, out, p) => {
    const r = expect(p, 'requantize');
    return requantizeInt8(act(x!), r.inputs[0]!, r.outputOffset, r.actMin, r.actMax, activationType(out.dtype));
  },
  clamp: (_n, [x], _ins, out, p) => {
    const r = expect(p, 'requantize');
    return requantizeInt8(act(x!), r.inputs[0]!, r.outputOffset, r.actMin, r.actMax, activationType(out.dtype));
  },
  softmax: (_n, [x], [input], _out, p) => {
    const depth = input!.shape[input!.shape.length - 1]!;
    return p.kind === 'softmax16'
      ? softmaxInt16(x as Int16Array, depth, p)
      : softmaxInt8(i8(x!), depth, expect(p, 'softmax').expTable);
  },
  logistic: (_n, [x], _ins, _out, p) => lookupInt8(i8(x!), expect(p, 'lut').table),
  sub: noIntegerKernel('sub'),
  batch_norm: noIntegerKernel('batch_norm'),
  identity: (_n, [x]) => act(x!),
  resize_nearest: (_n, [x], [input], _out, p) => {
    const r = expect(p, 'resize');
    return gatherNearest(act(x!), input!.shape, r.rows, r.cols);
  },
  resize_bilinear: (_n, [x], [input], _out, p) => {
    const r = expect(p, 'resize');
    return resizeBilinearInt8(i8(x!), input!.shape, r.rows, r.cols);
  },
  transpose_conv2d: ({ attrs }, [x, w, b], [input, filter], out, p) =>
    transposeConv2dInt8(
      i8(x!),
      i8(w!),
      bias(b) as Int32Array | undefined,
      windowOf(input!, out, filter!.shape[1]!, filter!.shape[2]!, attrs),
      filter!.shape[0]!,
      expect(p, 'mac'),
    ),
  prelu: noIntegerKernel('prelu'),
  top_k_values: (_n, [x], _ins, out, p) => {
    const { rows, depth, k } = expect(p, 'topk');
    const n = sizeOf(out.shape);
    return topKInto(act(x!), rows, depth, k, alike(act(x!), n), new Int32Array(n)).values;
  },
  top_k_indices: (_n, [x], _ins, out, p) => {
    const { rows, depth, k } = expect(p, 'topk');
    const n = sizeOf(out.shape);
    return topKInto(act(x!), rows, depth, k, alike(act(x!), n), new Int32Array(n)).indices;
  },
  arg_max: (_n, [x], _ins, out, p) => {
    const { outer, depth, inner } = expect(p, 'argmax');
    return argMaxInto(act(x!), outer, depth, inner, new Int32Array(sizeOf(out.shape)));
  },
  // Input and output share one quantization (Prepare checks): the bytes move, unchanged.
  transpose: ({ attrs }, [x], [input]) => permuteElements(act(x!), input!.shape, attrs.perm, (n) => alike(act(x!), n)),
};

/** Runs one node on integer values (int8, or int16 in 16×8 graphs). */
export function runNodeInteger(g: Graph, node: Node, values: readonly Values[]): IntegerOutput {
  const ins = node.inputs.map((name) => tensorOf(g, name));
  const out = tensorOf(g, node.outputs[0]!);
  const kernel = KERNELS[node.op] as Kernel<OpName>;
  return kernel(node as NodeOf<OpName>, values as Values[], ins, out, int8ParamsOf(g).get(node.name) as Int8Params);
}

/** Observer of every node's output. */
export interface IntegerRunOptions {
  onNode?: (node: Node, output: IntegerOutput) => void;
}

/** Executes a quantized graph on its integer inputs (by input name) and returns its integer outputs. */
export function runInteger(
  g: Graph,
  feeds: Record<string, Activations>,
  options: IntegerRunOptions = {},
): Map<string, IntegerOutput> {
  const interpreter = {
    kind: 'integer',
    runNode: (graph: Graph, node: Node, args: Values[]) => runNodeInteger(graph, node, args),
    constant: (graph: Graph, name: string) => graph.tensors.get(name)?.data as Values | undefined,
  };
  return runSchedule<Values>(g, feeds, interpreter, options.onNode as (node: Node, output: Values) => void) as Map<
    string,
    IntegerOutput
  >;
}
