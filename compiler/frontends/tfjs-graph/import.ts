/** @fileoverview TF.js graph model (model.json 'graph-model') → IR: topological order, constants, op table, outputs. */
import { Graph, GraphBuilder } from '../../ir/graph.ts';
import { DType, sizeOf, formatShape, sameShape } from '../../ir/tensor.ts';
import { TinyedgeError, withPlace } from '../../errors.ts';
import { TfjsArtifacts } from '../tfjs-common/artifacts.ts';
import { DecodedWeight, decodeTfjsWeights } from '../tfjs-common/weights.ts';
import { depthwiseShape, hwioToOhwi, transpose2d } from '../tfjs-common/layouts.ts';
import { TfAttrs, TfNode, TfTensorProto } from './tf-node.ts';
import { ConstLayout, TF_GRAPH_OPS, TfMapContext } from './op-table.ts';

const TF_DTYPES: Record<string, DType> = { DT_FLOAT: 'f32', DT_INT32: 'int32', DT_UINT8: 'uint8', DT_INT8: 'int8' };

/** A tensor reference 'node', 'node:1' or '^control' split into node and output index. */
function parseRef(ref: string): { node: string; index: number; control: boolean } {
  if (ref.startsWith('^')) return { node: ref.slice(1), index: 0, control: true };
  const m = /^(.*):(\d+)$/.exec(ref);
  return m ? { node: m[1], index: Number(m[2]), control: false } : { node: ref, index: 0, control: false };
}

/** Orders nodes so every node comes after its inputs (model.json does not promise an order). */
function topologicalOrder(nodes: TfNode[], file: string): TfNode[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: TfNode[] = [];
  const visit = (root: TfNode) => {
    const stack: [TfNode, number][] = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [node, i] = top;
      if (i === 0) state.set(node.name, 'visiting');
      const refs = node.input ?? [];
      if (i < refs.length) {
        top[1]++;
        const dep = parseRef(refs[i]).node;
        const depNode = byName.get(dep);
        if (!depNode) throw new TinyedgeError(`input '${refs[i]}' names no node in the graph`, { file, node: node.name, op: node.op });
        const s = state.get(dep);
        if (s === 'visiting') throw new TinyedgeError(`the graph has a cycle through '${dep}'`, { file, node: node.name, op: node.op });
        if (!s) stack.push([depNode, 0]);
        continue;
      }
      state.set(node.name, 'done');
      order.push(node);
      stack.pop();
    }
  };
  for (const n of nodes) if (!state.has(n.name)) visit(n);
  return order;
}

/** Values of an inline TF tensor proto (small constants: shapes, axes, paddings). */
function inlineTensor(proto: TfTensorProto | undefined): { shape: number[]; data: Float32Array } | undefined {
  if (!proto) return undefined;
  const shape = (proto.tensorShape?.dim ?? []).map((d) => Number(d.size));
  const n = sizeOf(shape);
  let values: number[] | Float32Array | Int32Array | undefined;
  if (proto.tensorContent) {
    const bytes = Buffer.from(proto.tensorContent, 'base64');
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    values = proto.dtype === 'DT_INT32' ? new Int32Array(ab) : new Float32Array(ab);
  } else {
    values = proto.floatVal ?? proto.intVal?.map(Number);
  }
  if (!values) return undefined;
  // TF repeats the last value to fill the shape when fewer are stored.
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = values[Math.min(i, values.length - 1)];
  return { shape, data };
}

function signatureOutputs(artifacts: TfjsArtifacts): string[] | undefined {
  const json = artifacts.json as unknown as Record<string, unknown>;
  const meta = json.userDefinedMetadata as Record<string, unknown> | undefined;
  const sig = (json.signature ?? meta?.signature) as { outputs?: Record<string, unknown> } | undefined;
  return sig?.outputs ? Object.keys(sig.outputs) : undefined;
}

/** Converts a TF.js graph model to the IR (batch fixed to 1). */
export function importTfjsGraph(artifacts: TfjsArtifacts): Graph {
  const file = artifacts.file;
  const topology = artifacts.json.modelTopology as { node?: TfNode[] };
  if (!Array.isArray(topology.node)) throw new TinyedgeError("not a graph model: modelTopology has no 'node' list", { file });
  const weights = decodeTfjsWeights(artifacts);
  const b = new GraphBuilder(file);
  const tfNodes = topologicalOrder(topology.node, file);
  const byName = new Map(tfNodes.map((n) => [n.name, n]));
  /** TF output ref (node or node:i) → IR tensor name. */
  const irOf = new Map<string, string>();
  /** Const nodes, materialized only when used (so layout changes happen once, unused ones vanish). */
  const consts = new Map<string, { shape: number[]; data: Float32Array; dtype: DType }>();

  const constantOf = (node: TfNode): { shape: number[]; data: Float32Array; dtype: DType } => {
    const attrs = new TfAttrs(node);
    const declared = attrs.tensor('value')?.tensorShape;
    const dtype = TF_DTYPES[attrs.dtype('dtype', 'DT_FLOAT')] ?? 'f32';
    const w: DecodedWeight | undefined = weights.get(node.name) ?? inlineTensor(attrs.tensor('value'));
    if (!w) throw new TinyedgeError('constant has no value: not in the weights manifest and no inline tensor');
    if (declared?.dim) {
      const shape = declared.dim.map((d) => Number(d.size));
      if (!sameShape(shape, w.shape)) {
        throw new TinyedgeError(`the graph declares shape ${formatShape(shape)} but the weights manifest stores ${formatShape(w.shape)} (${sizeOf(w.shape)} values)`);
      }
    }
    return { shape: w.shape, data: w.data, dtype };
  };

  for (const node of tfNodes) {
    withPlace({ file, node: node.name, op: node.op }, () => {
      if (node.op === 'Const') {
        consts.set(node.name, constantOf(node));
        return;
      }
      if (node.op === 'Placeholder') {
        const attrs = new TfAttrs(node);
        const shape = attrs.shape('shape').map((d, i) => (d === -1 && i === 0 ? 1 : d));
        if (shape.some((d) => d < 0)) throw new TinyedgeError(`input shape ${JSON.stringify(attrs.shape('shape'))} has unknown dimensions besides the batch`);
        const dtype = TF_DTYPES[attrs.dtype('dtype')];
        if (!dtype) throw new TinyedgeError(`input dtype ${attrs.dtype('dtype')} is not supported`);
        irOf.set(node.name, b.input(node.name, shape, dtype));
        return;
      }
      const mapping = TF_GRAPH_OPS[node.op];
      if (!mapping) throw new TinyedgeError(`TF op '${node.op}' is not supported by tinyedge's graph-model frontend`);
      const refs = (node.input ?? []).map(parseRef).filter((r) => !r.control);
      const refAt = (i: number) => {
        const r = refs[i];
        if (!r) throw new TinyedgeError(`expects an input ${i}, has ${refs.length}`);
        return r;
      };
      const constAt = (i: number) => {
        const r = refAt(i);
        const c = consts.get(r.node);
        if (!c) throw new TinyedgeError(`input ${i} ('${r.node}', ${byName.get(r.node)?.op}) must be a constant`);
        return { name: r.node, ...c };
      };
      const materialize = (i: number, layout: ConstLayout): string => {
        const c = constAt(i);
        const name = layout === 'as-is' ? c.name : `${c.name}:${layout}`;
        if (!b.has(name)) {
          if (layout === 'as-is') b.constant(name, c.shape, c.data, c.dtype);
          else if (layout === 'conv-filter') {
            if (c.shape.length !== 4) throw new TinyedgeError(`filter '${c.name}' must be 4-D HWIO, has shape ${formatShape(c.shape)}`);
            b.constant(name, [c.shape[3], c.shape[0], c.shape[1], c.shape[2]], hwioToOhwi(c.data, c.shape));
          } else if (layout === 'depthwise-filter') {
            if (c.shape.length !== 4) throw new TinyedgeError(`filter '${c.name}' must be 4-D [KH,KW,C,M], has shape ${formatShape(c.shape)}`);
            b.constant(name, depthwiseShape(c.shape), c.data);
          } else {
            if (c.shape.length !== 2) throw new TinyedgeError(`weights '${c.name}' must be 2-D, have shape ${formatShape(c.shape)}`);
            b.constant(name, [c.shape[1], c.shape[0]], transpose2d(c.data, c.shape));
          }
        }
        return name;
      };
      const ctx: TfMapContext = {
        node,
        attrs: new TfAttrs(node),
        inputCount: refs.length,
        input(i) {
          const r = refAt(i);
          if (consts.has(r.node)) return materialize(i, 'as-is');
          const ir = irOf.get(r.index ? `${r.node}:${r.index}` : r.node);
          if (!ir) throw new TinyedgeError(`input '${r.node}:${r.index}' is not available (an unsupported multi-output op?)`);
          return ir;
        },
        constInput: materialize,
        constValues: (i) => Array.from(constAt(i).data),
        shapeOf: (name) => b.shapeOf(name),
        emit: (op, inputs, attrs, suffix) => b.node(op, suffix ? `${node.name}/${suffix}` : node.name, inputs, attrs),
      };
      irOf.set(node.name, mapping(ctx));
    }, true);
  }

  const outputRefs = signatureOutputs(artifacts) ?? sinks(tfNodes);
  for (const ref of outputRefs) {
    const r = parseRef(ref);
    const ir = irOf.get(r.index ? `${r.node}:${r.index}` : r.node);
    if (!ir) throw new TinyedgeError(`model output '${ref}' is not computed by the graph`, { file });
    b.graph.outputs.push(ir);
  }
  return b.graph;
}

/** Nodes whose output nobody reads: the outputs when model.json has no signature. */
function sinks(nodes: TfNode[]): string[] {
  const read = new Set(nodes.flatMap((n) => (n.input ?? []).map((r) => parseRef(r).node)));
  return nodes.filter((n) => !read.has(n.name) && n.op !== 'Const' && n.op !== 'Placeholder').map((n) => n.name);
}
