/**
 * @fileoverview Pass: fold the model's input scaling (x·a − b, e.g. TF-Hub's [0,1] → [−1,1]) into the first conv.
 * conv(W, a·x + b) = conv(a·W, x) + b·ΣW exactly, except where the conv reads zero padding: there the original
 * saw 0 = a·p + b, so the padding becomes an explicit pad of x with p = −b/a. The model then reads x directly,
 * which later lets int8 inputs be the image bytes with no rounding at all.
 */
import { cloneGraph, consumersOf, type Graph, isConstant, type Node, type NodeOf, tensorOf } from '../ir/graph.ts';
import { sizeOf } from '../ir/tensor.ts';
import { replaceUses, soleConsumer } from './graph-edit.ts';

type Affine = { a: number; b: number; nodes: Node[]; end: string };

function scalarConstant(g: Graph, name: string): number | undefined {
  const t = g.tensors.get(name);
  return t?.data && sizeOf(t.shape) === 1 ? Number(t.data[0]) : undefined;
}

/** The chain input → [mul by scalar] → [add/sub scalar], as a·x + b. */
function affineChain(g: Graph, input: string, consumers: Map<string, Node[]>): Affine | undefined {
  let a = 1;
  let b = 0;
  let end = input;
  const nodes: Node[] = [];
  for (;;) {
    const next = soleConsumer(g, end, consumers);
    if (!next || (next.op !== 'mul' && next.op !== 'add' && next.op !== 'sub')) break;
    if (next.attrs.clamp.min !== null || next.attrs.clamp.max !== null) break;
    const other = next.inputs[0] === end ? next.inputs[1]! : next.inputs[0]!;
    const k = isConstant(g, other) ? scalarConstant(g, other) : undefined;
    if (k === undefined || (next.op === 'sub' && next.inputs[1] !== other)) break;
    if (next.op === 'mul') {
      a *= k;
      b *= k;
    } else b += next.op === 'add' ? k : -k;
    nodes.push(next);
    end = next.outputs[0]!;
  }
  return nodes.length && a !== 0 ? { a, b, nodes, end } : undefined;
}

/** Folds a scalar affine on a graph input into the conv or depthwise conv that reads it. */
export function foldInputAffine(input: Graph): Graph {
  const g = cloneGraph(input);
  const consumers = consumersOf(g);
  for (const x of g.inputs) {
    const chain = affineChain(g, x, consumers);
    if (!chain) continue;
    const next = soleConsumer(g, chain.end, consumers);
    if (!next || (next.op !== 'conv2d' && next.op !== 'depthwise_conv2d') || next.inputs[0] !== chain.end) continue;
    const conv = next as NodeOf<'conv2d' | 'depthwise_conv2d'>;
    if (!isConstant(g, conv.inputs[1]!) || (conv.inputs[2] !== undefined && !isConstant(g, conv.inputs[2]))) continue;

    const filter = tensorOf(g, conv.inputs[1]!);
    const w = filter.data as Float32Array;
    const channels = conv.op === 'conv2d' ? filter.shape[0]! : filter.shape[3]!;
    const channelOf =
      conv.op === 'conv2d' ? (i: number) => Math.floor(i / (w.length / channels)) : (i: number) => i % channels;
    const sums = new Float64Array(channels);
    const scaled = new Float32Array(w.length);
    for (let i = 0; i < w.length; i++) {
      sums[channelOf(i)]! += w[i]!;
      scaled[i] = w[i]! * chain.a;
    }
    const oldBias = conv.inputs[2] !== undefined ? (tensorOf(g, conv.inputs[2]).data as Float32Array) : undefined;
    const bias = Float32Array.from(sums, (s, c) => (oldBias ? oldBias[c]! : 0) + chain.b * s);

    const wName = `${conv.name}/input_folded_filter`;
    const bName = `${conv.name}/input_folded_bias`;
    g.tensors.set(wName, { ...filter, name: wName, data: scaled });
    g.tensors.set(bName, { name: bName, shape: [channels], dtype: 'f32', data: bias });
    let source = x;
    const newNodes: Node[] = [];
    const [t, bo, l, r] = conv.attrs.pads;
    if (t || bo || l || r) {
      const padName = `${conv.name}/input_pad`;
      const shape = tensorOf(g, x).shape;
      g.tensors.set(padName, {
        name: padName,
        dtype: 'f32',
        shape: [shape[0]!, shape[1]! + t + bo, shape[2]! + l + r, shape[3]!],
      });
      newNodes.push({
        name: padName,
        op: 'pad',
        inputs: [x],
        outputs: [padName],
        attrs: {
          pads: [
            [0, 0],
            [t, bo],
            [l, r],
            [0, 0],
          ],
          value: -chain.b / chain.a,
        },
      });
      conv.attrs.pads = [0, 0, 0, 0];
      source = padName;
    }
    conv.inputs = [source, wName, bName];
    replaceUses(g, chain.end, source);
    const removed = new Set(chain.nodes.map((n) => n.name));
    const at = g.nodes.findIndex((n) => removed.has(n.name));
    g.nodes = g.nodes.filter((n) => !removed.has(n.name));
    g.nodes.splice(at, 0, ...newNodes);
  }
  return g;
}
