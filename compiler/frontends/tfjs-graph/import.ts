/**
 * @fileoverview TF.js graph model (model.json 'graph-model') → IR: the outputs (the model's, the user's `outputs`, or
 * a TF OD API detector's raw box encodings and class predictions), the rewrites, the part of the graph they need,
 * then constants and the op table in topological order.
 */

import { TinyedgeError, withPlace } from '../../errors.ts';
import type { SsdDetection } from '../../ir/detection.ts';
import { type Graph, GraphBuilder } from '../../ir/graph.ts';
import { subgraph } from '../../ir/subgraph.ts';
import { type DType, formatShape, sameShape, sizeOf } from '../../ir/tensor.ts';
import { MAX_TENSOR_ELEMENTS } from '../../ir/verify.ts';
import type { TfjsArtifacts } from '../tfjs-common/artifacts.ts';
import { depthwiseShape, hwioToOhwi, transpose2d } from '../tfjs-common/layouts.ts';
import { decodeTfjsWeights } from '../tfjs-common/weights.ts';
import { TF_CONSTANT_FOLDERS, type TfConstant } from './constant-folding.ts';
import type { ConstLayout, TfMapContext } from './map-context.ts';
import { TF_GRAPH_OPS } from './op-table.ts';
import { findTfOdApiSsd, type TfSsdHead } from './ssd-postprocessor.ts';
import { canonicalRef, constantNodes, neededNodes, parseRef, readersOf, sinks, topologicalOrder } from './tf-graph.ts';
import { dimsOf, TfAttrs, type TfNode, type TfTensorProto } from './tf-node.ts';
import { rewriteTfIdioms } from './tf-rewrites.ts';
import { OUTPUT_ONLY_TF_OPS, UNSUPPORTED_TF_OP_REASONS } from './unsupported-ops.ts';

const reason = (op: string) => (UNSUPPORTED_TF_OP_REASONS[op] ? `: ${UNSUPPORTED_TF_OP_REASONS[op]}` : '');

/** How to import: `outputs` (TF node names, 'node' or 'node:1') cuts the graph after them; no detector is recognized then. */
export interface TfjsGraphOptions {
  outputs?: string[];
}

const TF_DTYPES: Record<string, DType> = { DT_FLOAT: 'f32', DT_INT32: 'int32', DT_UINT8: 'uint8', DT_INT8: 'int8' };
/** The weights-manifest dtype a Const of each TF dtype is stored as (TF.js refuses a Const whose weight disagrees). */
const MANIFEST_DTYPES: Record<string, string> = { DT_FLOAT: 'float32', DT_INT32: 'int32', DT_BOOL: 'bool' };

/** Checks that model.json's node list holds nodes: objects with a name, an op, and input names if any. */
function checkNodes(nodes: unknown[], file: string): asserts nodes is TfNode[] {
  const names = new Set<string>();
  nodes.forEach((n, i) => {
    const node = n as Partial<TfNode> | null;
    if (typeof node !== 'object' || node === null || typeof node.name !== 'string' || typeof node.op !== 'string') {
      throw new TinyedgeError(
        'TE106',
        `modelTopology.node[${i}] is not a node with a name and an op (it is ${JSON.stringify(n)?.slice(0, 60)})`,
        { file },
      );
    }
    const place = { file, node: node.name, op: node.op };
    if (names.has(node.name)) throw new TinyedgeError('TE106', 'two nodes share this name', place);
    names.add(node.name);
    if (node.input !== undefined && !(Array.isArray(node.input) && node.input.every((s) => typeof s === 'string')))
      throw new TinyedgeError('TE106', "'input' is not a list of node names", place);
    if (
      node.attr !== undefined &&
      (typeof node.attr !== 'object' ||
        node.attr === null ||
        Array.isArray(node.attr) ||
        Object.values(node.attr).some((a) => typeof a !== 'object' || a === null || Array.isArray(a)))
    ) {
      throw new TinyedgeError('TE106', "'attr' is not an object of attributes", place);
    }
  });
}

/** Values of an inline TF tensor proto (small constants: shapes, axes, paddings). */
function inlineTensor(proto: TfTensorProto | undefined): { shape: number[]; data: Float32Array } | undefined {
  if (!proto) return undefined;
  const shape = dimsOf(proto.tensorShape?.dim);
  if (!shape || shape.some((d) => d < 0) || sizeOf(shape) > MAX_TENSOR_ELEMENTS)
    throw new TinyedgeError('TE108', `inline tensor shape ${JSON.stringify(proto.tensorShape)} is not a list of sizes`);
  const n = sizeOf(shape);
  let values: number[] | Float32Array | Int32Array | undefined;
  if (typeof proto.tensorContent === 'string' && proto.tensorContent.length > 0) {
    const bytes = Buffer.from(proto.tensorContent, 'base64');
    if (bytes.length % 4 !== 0)
      throw new TinyedgeError(
        'TE108',
        `inline tensor holds ${bytes.length} bytes, not a whole number of 4-byte values`,
      );
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    values = proto.dtype === 'DT_INT32' ? new Int32Array(ab) : new Float32Array(ab);
  } else {
    const list: unknown = proto.floatVal ?? proto.intVal;
    if (list !== undefined && !(Array.isArray(list) && list.every((v) => Number.isFinite(Number(v)))))
      throw new TinyedgeError('TE108', 'inline tensor values are not a list of numbers');
    values = (list as (number | string)[] | undefined)?.map(Number);
  }
  if (!values || (values.length === 0 && n > 0)) return undefined;
  // TF repeats the last value to fill the shape when fewer are stored.
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = values[Math.min(i, values.length - 1)]!;
  return { shape, data };
}

interface TfSignature {
  inputs?: Record<string, { name?: string; tensorShape?: TfTensorProto['tensorShape'] }>;
  outputs?: Record<string, unknown>;
}

function signatureOf(artifacts: TfjsArtifacts): TfSignature | undefined {
  const json = artifacts.json as unknown as Record<string, unknown>;
  const meta = json.userDefinedMetadata as Record<string, unknown> | undefined;
  const signature = json.signature ?? (typeof meta === 'object' && meta !== null ? meta.signature : undefined);
  if (typeof signature !== 'object' || signature === null) return undefined;
  const { inputs, outputs } = signature as Record<string, unknown>;
  const isRecord = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  return {
    ...(isRecord(inputs) ? { inputs: inputs as TfSignature['inputs'] } : {}),
    ...(isRecord(outputs) ? { outputs: outputs as TfSignature['outputs'] } : {}),
  };
}

/** The input shape the signature declares for a placeholder (TF OD API exports leave the placeholder's H×W open). */
function signatureInputShape(artifacts: TfjsArtifacts, node: string): number[] | undefined {
  const entry = Object.entries(signatureOf(artifacts)?.inputs ?? {}).find(
    ([key, v]) =>
      typeof v === 'object' && v !== null && parseRef(typeof v.name === 'string' ? v.name : key).node === node,
  )?.[1];
  const dims = dimsOf(entry?.tensorShape?.dim);
  return dims?.every((d) => d > 0) ? dims : undefined;
}

/** A −1 in a reshape's shape filled in from the element count (left as is when it does not divide: the op reports it). */
function concreteShape(shape: number[], elements: number): number[] {
  const known = sizeOf(shape.filter((d) => d !== -1));
  const fill = elements / known;
  return shape.filter((d) => d === -1).length === 1 && Number.isInteger(fill)
    ? shape.map((d) => (d === -1 ? fill : d))
    : shape;
}

/** The detector's raw outputs as IR tensors, checked against its anchors. */
function detectionOf(g: Graph, head: TfSsdHead, irOf: (ref: string) => string): SsdDetection {
  const boxesOutput = irOf(head.boxes);
  const scoresOutput = irOf(head.scores);
  const anchors = head.detection.anchors.length / 4;
  const [boxes, scores] = [g.tensors.get(boxesOutput)?.shape ?? [], g.tensors.get(scoresOutput)?.shape ?? []];
  if (!sameShape(boxes, [1, anchors, 4]) || scores.length !== 3 || scores[0] !== 1 || scores[1] !== anchors) {
    throw new TinyedgeError(
      'TE113',
      `the detector's box encodings (${formatShape(boxes)}) and class predictions (${formatShape(scores)}) do not have one row per anchor (${anchors})`,
      { file: g.source, node: boxesOutput },
    );
  }
  return { boxesOutput, scoresOutput, ...head.detection };
}

/** Converts a TF.js graph model to the IR (batch fixed to 1); a TF OD API SSD detector is cut before its post-processing. */
export function importTfjsGraph(artifacts: TfjsArtifacts, options: TfjsGraphOptions = {}): Graph {
  const file = artifacts.file;
  const topology = artifacts.json.modelTopology as { node?: TfNode[] };
  if (!Array.isArray(topology.node))
    throw new TinyedgeError('TE104', "not a graph model: modelTopology has no 'node' list", { file });
  checkNodes(topology.node, file);
  const weights = decodeTfjsWeights(artifacts);
  const allNodes = topology.node;
  const b = new GraphBuilder(file);
  /** TF output ref (node or node:i) → IR tensor name. */
  const irOf = new Map<string, string>();
  /** Const nodes, decoded once when first read (so layout changes happen once, unused ones vanish). */
  const consts = new Map<string, TfConstant>();
  /** IR reshape outputs → the tensor they reshape (never itself a reshape output). */
  const reshapeSource = new Map<string, string>();

  const constantOf = (node: TfNode): TfConstant => {
    const cached = consts.get(node.name);
    if (cached) return cached;
    const attrs = new TfAttrs(node);
    const declared = attrs.tensor('value')?.tensorShape;
    const tfDtype = attrs.dtype('dtype', 'DT_FLOAT');
    const dtype = TF_DTYPES[tfDtype] ?? 'f32';
    const stored = weights.get(node.name);
    if (stored && MANIFEST_DTYPES[tfDtype] !== stored.dtype) {
      throw new TinyedgeError(
        'TE108',
        `the graph declares ${tfDtype} but the weights manifest stores ${stored.dtype} (TF.js refuses it too)`,
      );
    }
    const w = stored ?? inlineTensor(attrs.tensor('value'));
    if (!w) throw new TinyedgeError('TE108', 'constant has no value: not in the weights manifest and no inline tensor');
    if (declared?.dim) {
      const shape = dimsOf(declared.dim) ?? [];
      if (!sameShape(shape, w.shape)) {
        throw new TinyedgeError(
          'TE108',
          `the graph declares shape ${formatShape(shape)} but the weights manifest stores ${formatShape(w.shape)} (${sizeOf(w.shape)} values)`,
        );
      }
    }
    const c = { shape: w.shape, data: w.data, dtype };
    consts.set(node.name, c);
    return c;
  };
  const allByName = new Map(allNodes.map((n) => [n.name, n]));
  const constData = (name: string) => {
    const n = allByName.get(name);
    return n?.op === 'Const' ? withPlace({ file, node: n.name, op: n.op }, () => constantOf(n).data, true) : undefined;
  };

  const ssd = options.outputs ? undefined : findTfOdApiSsd(allNodes, constData, file);
  // TF.js takes a signature output's tensor from its `name` (the key is only the name a caller sees), in key order.
  const modelOutputs = Object.entries(signatureOf(artifacts)?.outputs ?? {}).map(([key, v]) => {
    const name = (v as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? name : key;
  });
  const outputRefs =
    options.outputs ?? (ssd ? [ssd.boxes, ssd.scores] : modelOutputs.length ? modelOutputs : sinks(allNodes));
  const rewritten = rewriteTfIdioms(
    allNodes,
    (name) => {
      const d = constData(name);
      return d && Array.from(d);
    },
    file,
  );
  const kept = neededNodes(rewritten, outputRefs, file);
  const readers = readersOf(kept);
  const foldedAtImport = constantNodes(kept, (op) => op in TF_CONSTANT_FOLDERS);
  // Refuse unmapped ops before ordering: a while loop's cycle would otherwise hide which op is the problem.
  for (const node of kept) {
    const reader = OUTPUT_ONLY_TF_OPS.has(node.op) ? readers.get(node.name)?.[0] : undefined;
    const mapped = TF_GRAPH_OPS[node.op] && !reader;
    if (node.op === 'Const' || node.op === 'Placeholder' || mapped || foldedAtImport.has(node.name)) continue;
    const folds = TF_CONSTANT_FOLDERS[node.op] ? '; tinyedge folds it only when all its inputs are constants' : '';
    const readBy = reader
      ? `; tinyedge computes it only as a model output, and '${reader.name}' (${reader.op}) reads its indices`
      : '';
    throw new TinyedgeError(
      'TE109',
      `TF op '${node.op}' is not supported by tinyedge's graph-model frontend${reason(node.op)}${folds}${readBy} (--outputs can cut the graph before it)`,
      { file, node: node.name, op: node.op },
    );
  }
  const tfNodes = topologicalOrder(kept, file);
  const byName = new Map(tfNodes.map((n) => [n.name, n]));

  for (const node of tfNodes) {
    withPlace(
      { file, node: node.name, op: node.op },
      () => {
        if (node.op === 'Const') {
          constantOf(node);
          return;
        }
        if (node.op === 'Placeholder') {
          const attrs = new TfAttrs(node);
          const declared = attrs.shape('shape').map((d, i) => (d === -1 && i === 0 ? 1 : d));
          const shape = declared.some((d) => d < 0)
            ? (signatureInputShape(artifacts, node.name) ?? declared)
            : declared;
          if (shape.some((d) => d < 0))
            throw new TinyedgeError(
              'TE111',
              `input shape ${JSON.stringify(attrs.shape('shape'))} has unknown dimensions besides the batch`,
            );
          const dtype = TF_DTYPES[attrs.dtype('dtype')];
          if (!dtype) throw new TinyedgeError('TE111', `input dtype ${attrs.dtype('dtype')} is not supported`);
          // An integer image (uint8, or int32 that the graph only casts to float) enters the float IR as f32 values
          // 0..255: the graph's Cast to float is then the identity.
          const image =
            dtype === 'uint8' ||
            (dtype === 'int32' &&
              (readers.get(node.name) ?? []).every(
                (r) => r.op === 'Cast' && new TfAttrs(r).dtype('DstT') === 'DT_FLOAT',
              ));
          irOf.set(node.name, b.input(node.name, shape, image ? 'f32' : dtype));
          return;
        }
        const refs = (node.input ?? []).map(parseRef).filter((r) => !r.control);
        if (foldedAtImport.has(node.name)) {
          const fold = TF_CONSTANT_FOLDERS[node.op]!;
          consts.set(
            node.name,
            fold(
              refs.map((r) => consts.get(r.node)!),
              new TfAttrs(node),
            ),
          );
          return;
        }
        const mapping = TF_GRAPH_OPS[node.op]!;
        const refAt = (i: number) => {
          const r = refs[i];
          if (!r) throw new TinyedgeError('TE110', `expects an input ${i}, has ${refs.length}`);
          return r;
        };
        const constAt = (i: number) => {
          const r = refAt(i);
          const c = consts.get(r.node);
          if (!c)
            throw new TinyedgeError('TE110', `input ${i} ('${r.node}', ${byName.get(r.node)?.op}) must be a constant`);
          return { name: r.node, ...c };
        };
        const materialize = (i: number, layout: ConstLayout): string => {
          const c = constAt(i);
          const name = layout === 'as-is' ? c.name : `${c.name}:${layout}`;
          if (!b.has(name)) {
            if (layout === 'as-is') b.constant(name, c.shape, c.data, c.dtype);
            else if (layout === 'conv-filter') {
              if (c.shape.length !== 4)
                throw new TinyedgeError(
                  'TE110',
                  `filter '${c.name}' must be 4-D HWIO, has shape ${formatShape(c.shape)}`,
                );
              b.constant(name, [c.shape[3]!, c.shape[0]!, c.shape[1]!, c.shape[2]!], hwioToOhwi(c.data, c.shape));
            } else if (layout === 'depthwise-filter') {
              if (c.shape.length !== 4)
                throw new TinyedgeError(
                  'TE110',
                  `filter '${c.name}' must be 4-D [KH,KW,C,M], has shape ${formatShape(c.shape)}`,
                );
              b.constant(name, depthwiseShape(c.shape), c.data);
            } else {
              if (c.shape.length !== 2)
                throw new TinyedgeError('TE110', `weights '${c.name}' must be 2-D, have shape ${formatShape(c.shape)}`);
              b.constant(name, [c.shape[1]!, c.shape[0]!], transpose2d(c.data, c.shape));
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
            if (!ir)
              throw new TinyedgeError(
                'TE111',
                `input '${r.node}:${r.index}' is not available (an unsupported multi-output op?)`,
              );
            return ir;
          },
          constInput: materialize,
          constValues: (i) => Array.from(constAt(i).data),
          isConstant: (i) => consts.has(refAt(i).node),
          constant: (suffix, shape, data) => b.constant(`${node.name}/${suffix}`, shape, data),
          shapeOf: (name) => b.shapeOf(name),
          dtypeOf: (name) => b.graph.tensors.get(name)?.dtype ?? 'f32',
          reshape(input, shape) {
            // reshape(reshape(x)) is reshape(x): chains of Squeeze/ExpandDims collapse, and vanish when they undo each other.
            const source = reshapeSource.get(input) ?? input;
            const target = concreteShape(shape, sizeOf(b.shapeOf(source)));
            if (sameShape(target, b.shapeOf(source))) return source;
            const out = b.node('reshape', node.name, [source], { shape: target });
            reshapeSource.set(out, source);
            return out;
          },
          emit: (op, inputs, attrs, suffix) => b.node(op, suffix ? `${node.name}/${suffix}` : node.name, inputs, attrs),
        };
        // A multi-output op (TopKV2) gives one IR tensor per TF output, 'node' (= 'node:0'), 'node:1', ….
        const out = mapping(ctx);
        const outs = typeof out === 'string' ? [out] : out;
        for (const [i, o] of outs.entries()) irOf.set(i ? `${node.name}:${i}` : node.name, o);
      },
      true,
    );
  }

  const irTensor = (ref: string) => {
    const ir = irOf.get(canonicalRef(ref));
    if (!ir) throw new TinyedgeError('TE114', `model output '${ref}' is not computed by the graph`, { file });
    return ir;
  };
  b.graph.outputs.push(...outputRefs.map(irTensor));
  // Reshapes that later reshapes looked through are read by nobody: keep only what the outputs need.
  const g = subgraph(b.graph, b.graph.inputs, b.graph.outputs);
  if (ssd) g.detection = detectionOf(g, ssd, irTensor);
  return g;
}
