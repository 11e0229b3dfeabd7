/**
 * @fileoverview Pass: fold batch normalization into the conv, depthwise conv or fully connected op before it:
 * w' = w·γ/√(σ²+ε) per output channel, b' = (b − μ)·γ/√(σ²+ε) + β.
 */
import { cloneGraph, consumersOf, type Graph, isConstant, type NodeOf, producersOf, tensorOf } from '../ir/graph.ts';
import { replaceUses, soleConsumer } from './graph-edit.ts';

type Foldable = NodeOf<'conv2d' | 'depthwise_conv2d' | 'fully_connected'>;

/** Folds each batch_norm whose producer is a foldable op with no activation and no other reader. */
export function foldBatchNorm(input: Graph): Graph {
  const g = cloneGraph(input);
  const producers = producersOf(g);
  const consumers = consumersOf(g);
  const folded = new Set<string>();
  for (const bn of g.nodes) {
    if (bn.op !== 'batch_norm') continue;
    const prev = producers.get(bn.inputs[0]!);
    if (!prev || (prev.op !== 'conv2d' && prev.op !== 'depthwise_conv2d' && prev.op !== 'fully_connected')) continue;
    const conv = prev as Foldable;
    if (conv.attrs.clamp.min !== null || conv.attrs.clamp.max !== null) continue;
    if (soleConsumer(g, conv.outputs[0]!, consumers) !== bn) continue;
    if (!bn.inputs.slice(1).every((i) => isConstant(g, i)) || !isConstant(g, conv.inputs[1]!)) continue;
    if (conv.inputs[2] !== undefined && !isConstant(g, conv.inputs[2])) continue;

    const [mean, variance, offset, scale] = bn.inputs.slice(1).map((i) => tensorOf(g, i).data as Float32Array);
    const channels = mean!.length;
    const mul = new Float64Array(channels);
    for (let c = 0; c < channels; c++) mul[c] = (scale ? scale[c]! : 1) / Math.sqrt(variance![c]! + bn.attrs.epsilon);

    const filter = tensorOf(g, conv.inputs[1]!);
    const w = filter.data as Float32Array;
    const scaled = new Float32Array(w.length);
    // Output channel is the first axis of OHWI and [O,K], the last of depthwise [1,KH,KW,C·M].
    const channelOf =
      conv.op === 'depthwise_conv2d'
        ? (i: number) => i % channels
        : (i: number) => Math.floor(i / (w.length / channels));
    for (let i = 0; i < w.length; i++) scaled[i] = w[i]! * mul[channelOf(i)]!;
    const oldBias = conv.inputs[2] !== undefined ? (tensorOf(g, conv.inputs[2]).data as Float32Array) : undefined;
    const bias = new Float32Array(channels);
    for (let c = 0; c < channels; c++)
      bias[c] = ((oldBias ? oldBias[c]! : 0) - mean![c]!) * mul[c]! + (offset ? offset[c]! : 0);

    const wName = `${conv.name}/folded_filter`;
    const bName = `${conv.name}/folded_bias`;
    g.tensors.set(wName, { ...filter, name: wName, data: scaled });
    g.tensors.set(bName, { name: bName, shape: [channels], dtype: 'f32', data: bias });
    conv.inputs = [conv.inputs[0]!, wName, bName];
    replaceUses(g, bn.outputs[0]!, conv.outputs[0]!);
    folded.add(bn.name);
  }
  g.nodes = g.nodes.filter((n) => !folded.has(n.name));
  return g;
}
