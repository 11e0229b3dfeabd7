/**
 * @fileoverview The f32 reference interpreter: executes any graph stage (frontend output, after any pass) node by
 * node. It is the oracle the int8 path is measured against, so it favours plain, obviously-right kernels.
 */
import { Graph, Node, NodeOf, tensorOf } from '../../ir/graph.ts';
import { OpName } from '../../ir/ops.ts';
import { Tensor, formatShape, sizeOf } from '../../ir/tensor.ts';
import { TinyedgeError } from '../../errors.ts';
import { conv2dF32, depthwiseConv2dF32, fullyConnectedF32 } from './conv.ts';
import { batchNormF32, binaryF32, clampF32, logisticF32, softmaxF32 } from './elementwise.ts';
import { meanF32, poolF32 } from './reduce.ts';
import { concatElements, padElements } from '../layout.ts';
import { windowOf as window } from '../window.ts';

type Kernel<K extends OpName> = (node: NodeOf<K>, x: Float32Array[], ins: Tensor[], out: Tensor) => Float32Array;

/** One f32 kernel per op; the mapped type makes a missing op a compile error. */
const KERNELS: { [K in OpName]: Kernel<K> } = {
  conv2d: ({ attrs }, [x, w, b], [input, filter], out) =>
    conv2dF32(x, w, b, window(input, out, filter.shape[1], filter.shape[2], attrs), filter.shape[0], attrs.clamp),
  depthwise_conv2d: ({ attrs }, [x, w, b], [input, filter], out) =>
    depthwiseConv2dF32(x, w, b, window(input, out, filter.shape[1], filter.shape[2], attrs), attrs.depthMultiplier, attrs.clamp),
  fully_connected: ({ attrs }, [x, w, b], [, filter]) => fullyConnectedF32(x, w, b, filter.shape[1], filter.shape[0], attrs.clamp),
  add: ({ attrs }, [a, b], [ta, tb], out) => binaryF32(a, ta.shape, b, tb.shape, out.shape, (p, q) => p + q, attrs.clamp),
  sub: ({ attrs }, [a, b], [ta, tb], out) => binaryF32(a, ta.shape, b, tb.shape, out.shape, (p, q) => p - q, attrs.clamp),
  mul: ({ attrs }, [a, b], [ta, tb], out) => binaryF32(a, ta.shape, b, tb.shape, out.shape, (p, q) => p * q, attrs.clamp),
  avg_pool2d: ({ attrs }, [x], [input], out) => poolF32(x, window(input, out, attrs.filter[0], attrs.filter[1], attrs), 'avg', attrs.clamp),
  max_pool2d: ({ attrs }, [x], [input], out) => poolF32(x, window(input, out, attrs.filter[0], attrs.filter[1], attrs), 'max', attrs.clamp),
  mean: ({ attrs }, [x], [input]) => meanF32(x, input.shape, attrs.axes.map((a) => (a < 0 ? a + input.shape.length : a))),
  pad: ({ attrs }, [x], [input]) => padElements(x, input.shape, attrs.pads, attrs.value),
  concat: ({ attrs }, xs, ins) => concatElements(xs, ins.map((t) => t.shape), attrs.axis < 0 ? attrs.axis + ins[0].shape.length : attrs.axis),
  reshape: (_n, [x]) => x,
  softmax: ({ attrs }, [x], [input]) => softmaxF32(x, input.shape[input.shape.length - 1], attrs.beta),
  logistic: (_n, [x]) => logisticF32(x),
  clamp: ({ attrs }, [x]) => clampF32(x, attrs.clamp),
  batch_norm: ({ attrs }, [x, mean, variance, offset, scale]) => batchNormF32(x, mean, variance, offset, scale, attrs.epsilon),
  identity: (_n, [x]) => x,
};

/** Runs one node on f32 values. */
export function runNodeF32(g: Graph, node: Node, values: readonly Float32Array[]): Float32Array {
  const ins = node.inputs.map((name) => tensorOf(g, name));
  const out = tensorOf(g, node.outputs[0]);
  const kernel = KERNELS[node.op] as Kernel<OpName>;
  return kernel(node as NodeOf<OpName>, values as Float32Array[], ins, out);
}

/** Options of a run: observe every node's output (for per-layer reports and pass checks). */
export interface RunOptions {
  onNode?: (node: Node, output: Float32Array) => void;
}

/** Executes the graph on f32 inputs (by input name) and returns its outputs by name. Frees each value after its last use. */
export function runF32(g: Graph, feeds: Record<string, Float32Array>, options: RunOptions = {}): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  for (const name of g.inputs) {
    const t = tensorOf(g, name);
    const v = feeds[name];
    if (!v) throw new TinyedgeError(`no value given for input '${name}'`, { file: g.source, node: name, op: 'input' });
    if (v.length !== sizeOf(t.shape)) {
      throw new TinyedgeError(`expects ${sizeOf(t.shape)} values (shape ${formatShape(t.shape)}), got ${v.length}`, { file: g.source, node: name, op: 'input' });
    }
    values.set(name, v);
  }
  const lastUse = new Map<string, number>();
  g.nodes.forEach((n, i) => n.inputs.forEach((name) => lastUse.set(name, i)));
  for (const o of g.outputs) lastUse.set(o, Infinity);
  g.nodes.forEach((node, i) => {
    const args = node.inputs.map((name) => {
      const v = values.get(name) ?? constantF32(g, name);
      if (!v) throw new Error(`internal: value '${name}' missing at node '${node.name}'`);
      return v;
    });
    const y = runNodeF32(g, node, args);
    values.set(node.outputs[0], y);
    options.onNode?.(node, y);
    for (const name of node.inputs) if (lastUse.get(name) === i) values.delete(name);
  });
  return new Map(g.outputs.map((o) => [o, values.get(o) as Float32Array]));
}

function constantF32(g: Graph, name: string): Float32Array | undefined {
  const data = g.tensors.get(name)?.data;
  if (data === undefined) return undefined;
  return data instanceof Float32Array ? data : Float32Array.from(data);
}
