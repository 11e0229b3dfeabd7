/** @fileoverview Pass: fold an explicit zero pad of height/width (Keras ZeroPadding2D) into the conv that reads it. */
import { cloneGraph, consumersOf, type Graph, type NodeOf } from '../ir/graph.ts';
import { tupleOf } from '../ir/tuple.ts';
import { replaceUses, soleConsumer } from './graph-edit.ts';

/** Merges pad→conv2d / pad→depthwise_conv2d when the pad value is 0 and only H and W are padded. */
export function foldPadIntoConv(input: Graph): Graph {
  const g = cloneGraph(input);
  const consumers = consumersOf(g);
  const dropped = new Set<string>();
  for (const pad of g.nodes) {
    if (pad.op !== 'pad' || pad.attrs.value !== 0 || pad.attrs.pads.length !== 4) continue;
    const [n, h, w, c] = tupleOf(pad.attrs.pads, 4);
    if (n[0] || n[1] || c[0] || c[1]) continue;
    const next = soleConsumer(g, pad.outputs[0]!, consumers);
    if (!next || (next.op !== 'conv2d' && next.op !== 'depthwise_conv2d') || next.inputs[0] !== pad.outputs[0])
      continue;
    const conv = next as NodeOf<'conv2d' | 'depthwise_conv2d'>;
    const p = conv.attrs.pads;
    conv.attrs.pads = [p[0] + h[0], p[1] + h[1], p[2] + w[0], p[3] + w[1]];
    replaceUses(g, pad.outputs[0]!, pad.inputs[0]!);
    dropped.add(pad.name);
  }
  g.nodes = g.nodes.filter((x) => !dropped.has(x.name));
  return g;
}
