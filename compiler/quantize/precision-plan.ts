/**
 * @fileoverview Per-layer precision: which layers run int8 (TFLite's int8 spec), 16×8 (int16 activations, int8
 * weights) or int4w (int8 activations, 4-bit weights in [−7, 7]), as a plan by node name, parsed from
 * `--precision conv1=16x8,block_3_project=int4w` and checked against the graph. Layers the plan leaves out are int8
 * (MAC ops) or take their first input's activation type (the rest), so a pool or softmax after a 16×8 layer stays 16×8.
 */

import { TinyedgeError } from '../errors.ts';
import { type Graph, type Node, tensorOf } from '../ir/graph.ts';
import type { OpName } from '../ir/ops.ts';
import { UNSUPPORTED_16X8 } from './prepare/prepare-int8.ts';
import type { ActivationType } from './prepare/quant-params.ts';

/** The precisions a layer can take. */
export const LAYER_PRECISIONS = ['int8', '16x8', 'int4w'] as const;
export type LayerPrecision = (typeof LAYER_PRECISIONS)[number];

/** A precision per node name; nodes not named take the defaults above. */
export type PrecisionPlan = Readonly<Record<string, LayerPrecision>>;

/** Ops with weights, the layers a precision names. */
export const MAC_OPS: ReadonlySet<OpName> = new Set([
  'conv2d',
  'depthwise_conv2d',
  'fully_connected',
  'transpose_conv2d',
]);

/** The activation type of a precision. */
export function activationTypeOfPrecision(p: LayerPrecision): ActivationType {
  return p === '16x8' ? 'int16' : 'int8';
}

/** Parses `name=precision,…` (whitespace around items is ignored); a malformed item fails naming it. */
export function parsePrecisionList(text: string): Record<string, LayerPrecision> {
  const plan: Record<string, LayerPrecision> = {};
  for (const item of text.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const eq = item.lastIndexOf('=');
    const name = item.slice(0, eq).trim();
    const precision = item.slice(eq + 1).trim();
    if (eq < 1 || name === '' || !(LAYER_PRECISIONS as readonly string[]).includes(precision))
      throw new TinyedgeError(
        'TE601',
        `--precision: '${item}' is not layer=precision with precision one of ${LAYER_PRECISIONS.join(', ')}`,
      );
    plan[name] = precision as LayerPrecision;
  }
  return plan;
}

/**
 * The outputs that must stay int8 whatever the plan: a detector's box encodings and class scores, which its on-device
 * SSD decoding (C and WASM) reads as int8 codes through 256-entry tables.
 */
export function int8OnlyOutputs(g: Graph): ReadonlySet<string> {
  return new Set(g.detection ? [g.detection.boxesOutput, g.detection.scoresOutput] : []);
}

/** Fails when the plan names a node the graph lacks, or gives int4w or 16×8 to a node that cannot take it. */
export function checkPrecisionPlan(g: Graph, plan: PrecisionPlan): void {
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const int8Only = int8OnlyOutputs(g);
  for (const [name, precision] of Object.entries(plan)) {
    const node = byName.get(name);
    if (!node) {
      const layers = g.nodes.filter((n) => MAC_OPS.has(n.op)).map((n) => n.name);
      throw new TinyedgeError(
        'TE606',
        `--precision names layer '${name}', which the model does not have (its layers with weights: ${layers.slice(0, 8).join(', ')}${layers.length > 8 ? ', …' : ''}; \`tinyedge inspect\` lists every node)`,
        { file: g.source },
      );
    }
    const place = { file: g.source, node: node.name, op: node.op };
    if (precision === 'int4w' && !MAC_OPS.has(node.op))
      throw new TinyedgeError('TE606', 'int4w (4-bit weights) needs a layer with weights', place);
    if (precision === '16x8' && UNSUPPORTED_16X8.has(node.op))
      throw new TinyedgeError('TE606', `${node.op} has no 16×8 (int16) kernel`, place);
    if (precision === '16x8' && int8Only.has(node.outputs[0]!))
      throw new TinyedgeError(
        'TE606',
        `16×8 would make the detector output '${node.outputs[0]}' int16: its on-device SSD decoding reads int8`,
        place,
      );
  }
}

/**
 * The activation type of every node's output and of every graph input: the plan's where it names the node, int8 for
 * other MAC ops and a detector's SSD outputs (int8OnlyOutputs: a 16×8 layer before them ends in a requantize), else the
 * first activation input's type (int8 where the op has no 16×8 form: UNSUPPORTED_16X8). A graph input takes the
 * type of its first reader, so a 16×8 first layer reads an int16 input rather than a widened int8 one.
 */
export function activationTypes(g: Graph, plan: PrecisionPlan): Map<string, ActivationType> {
  const types = new Map<string, ActivationType>();
  const int8Only = int8OnlyOutputs(g);
  const typeOfNode = (n: Node, firstInput: ActivationType | undefined): ActivationType => {
    const p = plan[n.name];
    if (p) return activationTypeOfPrecision(p);
    if (MAC_OPS.has(n.op) || firstInput === undefined || UNSUPPORTED_16X8.has(n.op) || int8Only.has(n.outputs[0]!))
      return 'int8';
    return firstInput;
  };
  for (const input of g.inputs) {
    const reader = g.nodes.find((n) => n.inputs.includes(input));
    types.set(input, reader && plan[reader.name] ? activationTypeOfPrecision(plan[reader.name]!) : 'int8');
  }
  for (const n of g.nodes) {
    const first = n.inputs.map((i) => types.get(i)).find((t) => t !== undefined);
    types.set(n.outputs[0]!, typeOfNode(n, first));
  }
  return types;
}

/** The same precision for every layer with weights. */
export function uniformPlan(g: Graph, precision: LayerPrecision): Record<string, LayerPrecision> {
  return Object.fromEntries(g.nodes.filter((n) => MAC_OPS.has(n.op)).map((n) => [n.name, precision]));
}

/** The precision a node of a quantized graph runs at: 16×8 with an int16 output, int4w with 4-bit weights, else int8. */
export function precisionOfNode(q: Graph, node: Node): LayerPrecision {
  if (tensorOf(q, node.outputs[0]!).dtype === 'int16') return '16x8';
  if (MAC_OPS.has(node.op) && tensorOf(q, node.inputs[1]!).quant?.bits === 4) return 'int4w';
  return 'int8';
}
