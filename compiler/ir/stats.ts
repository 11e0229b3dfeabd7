/** @fileoverview Per-node and whole-model figures for `inspect`: MACs, parameters, activation bytes, weight bytes. */
import { type Graph, tensorOf } from './graph.ts';
import { lastReaderIndex } from './last-reader.ts';
import { OP_SEMANTICS, type OpName } from './ops.ts';
import { DTYPE_BYTES, sizeOf, type Tensor } from './tensor.ts';

/** One row of the per-node table. */
export interface NodeStats {
  name: string;
  op: OpName;
  outputShape: number[];
  macs: number;
  params: number;
  activationBytes: number;
}

/** Totals over the model. */
export interface ModelStats {
  nodes: NodeStats[];
  totals: {
    nodes: number;
    macs: number;
    params: number;
    weightBytes: number;
    largestActivationBytes: number;
    largestActivation: string;
  };
}

/** Bytes of a tensor; int4 weights (quant.bits 4) as backends pack them: each output channel's row two values a byte. */
function bytesOf(t: Tensor): number {
  if (t.quant?.bits === 4) {
    const rows = t.shape[0] ?? 1;
    return rows * Math.ceil(sizeOf(t.shape) / rows / 2);
  }
  return sizeOf(t.shape) * DTYPE_BYTES[t.dtype];
}

/** Counts each node's MACs (from the op table), constant parameters and output bytes. */
export function modelStats(g: Graph): ModelStats {
  const nodes: NodeStats[] = g.nodes.map((n) => {
    const ins = n.inputs.map((i) => tensorOf(g, i));
    const out = tensorOf(g, n.outputs[0]!);
    const macs = (OP_SEMANTICS[n.op] as { macs(i: Tensor[], o: number[], a: unknown): number }).macs(
      ins,
      out.shape,
      n.attrs,
    );
    const params = ins.filter((t) => t.data).reduce((s, t) => s + sizeOf(t.shape), 0);
    return { name: n.name, op: n.op, outputShape: out.shape, macs, params, activationBytes: bytesOf(out) };
  });
  const constants = [...g.tensors.values()].filter((t) => t.data);
  const activations = [...g.inputs.map((i) => tensorOf(g, i)), ...g.nodes.map((n) => tensorOf(g, n.outputs[0]!))];
  const largest = activations.reduce((a, b) => (bytesOf(b) > bytesOf(a) ? b : a));
  return {
    nodes,
    totals: {
      nodes: nodes.length,
      macs: nodes.reduce((s, n) => s + n.macs, 0),
      params: constants.reduce((s, t) => s + sizeOf(t.shape), 0),
      weightBytes: constants.reduce((s, t) => s + bytesOf(t), 0),
      largestActivationBytes: bytesOf(largest),
      largestActivation: largest.name,
    },
  };
}

/** Peak bytes of activations alive at once when nodes run in order and each value is freed after its last reader. */
export function peakActivationBytes(g: Graph): number {
  const lastUse = lastReaderIndex(g);
  const live = new Map<string, number>(g.inputs.map((x) => [x, bytesOf(tensorOf(g, x))]));
  let peak = 0;
  g.nodes.forEach((n, i) => {
    const out = tensorOf(g, n.outputs[0]!);
    live.set(out.name, bytesOf(out));
    peak = Math.max(
      peak,
      [...live.values()].reduce((a, b) => a + b, 0),
    );
    for (const x of n.inputs) if (lastUse.get(x) === i && !g.outputs.includes(x)) live.delete(x);
  });
  return peak;
}
