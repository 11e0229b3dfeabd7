/**
 * @fileoverview Rewrites of the TF node list before mapping: idioms TF spells with ops the IR has no use for, turned
 * into the plain ops they amount to. A `map_fn` over a batch of one (TF OD API's preprocessor loop) is its body run
 * once; TF OD API's nearest-neighbor upsampling (two stacks and a reshape) is one resize.
 */
import { TinyedgeError } from '../../errors.ts';
import { canonicalRef, dataInputs, parseRef, readersOf } from './tf-graph.ts';
import type { TfNode } from './tf-node.ts';

/** Values of a constant node, or undefined when the node is not a constant. */
export type ConstLookup = (node: string) => number[] | undefined;

/** A synthetic int32 constant node (the rewrites' axes and sizes). */
function intConst(name: string, values: number[], scalar = false): TfNode {
  const dim = scalar ? [] : [{ size: values.length }];
  return {
    name,
    op: 'Const',
    attr: {
      dtype: { type: 'DT_INT32' },
      value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim }, intVal: values } },
    },
  };
}

class LoopTracer {
  constructor(
    private readonly byName: Map<string, TfNode>,
    private readonly constOf: ConstLookup,
    private readonly file: string,
  ) {}

  node(ref: string): TfNode {
    const n = this.byName.get(parseRef(ref).node);
    if (!n) throw new TinyedgeError('TE106', `input '${ref}' names no node in the graph`, { file: this.file });
    return n;
  }

  /** Follows a loop value back through Identity/Switch/Exit to the Merge that carries it around the loop. */
  merge(ref: string): TfNode | undefined {
    let n = this.node(ref);
    while (n.op === 'Identity' || n.op === 'Switch' || n.op === 'Exit') n = this.node(dataInputs(n)[0]!);
    return n.op === 'Merge' ? n : undefined;
  }

  /** The value a loop variable enters the loop with (Merge ← Enter ← x). */
  entering(merge: TfNode): TfNode | undefined {
    const enter = this.node(dataInputs(merge)[0]!);
    return enter.op === 'Enter' ? this.node(dataInputs(enter)[0]!) : undefined;
  }

  /** Whether a loop index starts at 0 (a counter entering as the constant 0). */
  startsAtZero(indexRef: string): boolean {
    const merge = this.merge(indexRef);
    const start = merge && this.entering(merge);
    const v = start && this.constOf(start.name);
    return v !== undefined && v.length === 1 && v[0] === 0;
  }
}

/**
 * TensorListGetItem(list of TensorListFromTensor(x), 0) is x[0], i.e. x squeezed on axis 0 when x's batch is 1 (the
 * Squeeze mapping checks it). TensorListStack(list written once by TensorListSetItem(·, 0, v)) is v with an axis 0.
 */
function unrollBatchOfOneMap(nodes: TfNode[], constOf: ConstLookup, file: string): TfNode[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const loop = new LoopTracer(byName, constOf, file);
  const added: TfNode[] = [];
  const rewritten = nodes.map((n): TfNode => {
    if (n.op === 'TensorListGetItem') {
      const [list, index] = dataInputs(n);
      const merge = loop.merge(list!);
      const source = merge && loop.entering(merge);
      if (source?.op !== 'TensorListFromTensor' || !loop.startsAtZero(index!)) return n;
      return {
        name: n.name,
        op: 'Squeeze',
        input: [dataInputs(source)[0]!],
        attr: { squeeze_dims: { list: { i: [0] } } },
      };
    }
    if (n.op === 'TensorListStack') {
      const merge = loop.merge(dataInputs(n)[0]!);
      const reserve = merge && loop.entering(merge);
      const next = merge && loop.node(dataInputs(merge)[1] ?? dataInputs(merge)[0]!);
      const write = next?.op === 'NextIteration' ? loop.node(dataInputs(next)[0]!) : undefined;
      if (reserve?.op !== 'TensorListReserve' || write?.op !== 'TensorListSetItem') return n;
      const count = constOf(parseRef(dataInputs(reserve)[1]!).node);
      const [, index, value] = dataInputs(write);
      if (count?.length !== 1 || count[0] !== 1 || !loop.startsAtZero(index!)) return n;
      const axis = intConst(`${n.name}/batch_axis`, [0], true);
      added.push(axis);
      return { name: n.name, op: 'ExpandDims', input: [value!, axis.name] };
    }
    return n;
  });
  return [...rewritten, ...added];
}

/** Pack(axis) of N copies of one tensor: that tensor and N, else undefined. */
function packOfCopies(n: TfNode | undefined, axis: number): { of: string; copies: number } | undefined {
  if (n?.op !== 'Pack' || Number(n.attr?.axis?.i ?? 0) !== axis) return undefined;
  const refs = dataInputs(n).map(canonicalRef);
  return refs.length > 0 && refs.every((r) => r === refs[0]) ? { of: refs[0]!, copies: refs.length } : undefined;
}

/**
 * TF OD API's ops.nearest_neighbor_upsampling: stack([x]·sw, axis 3), stack([·]·sh, axis 2), reshape to
 * [n, h·sh, w·sw, c]. That is out[i, j] = x[⌊i/sh⌋, ⌊j/sw⌋]: a nearest resize. The stacks must feed only it.
 */
function nearestUpsampling(nodes: TfNode[]): TfNode[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const readers = readersOf(nodes);
  return nodes.map((n) => {
    if (n.op !== 'Reshape') return n;
    const [packed, shape] = dataInputs(n);
    const outer = byName.get(parseRef(packed!).node);
    const rows = packOfCopies(outer, 2);
    const cols = rows && packOfCopies(byName.get(parseRef(rows.of).node), 3);
    const onlyReadBy = (ref: string, reader: TfNode | undefined) => (readers.get(ref) ?? []).every((r) => r === reader);
    // A Reshape without its shape input is left for the op table to refuse.
    if (!rows || !cols || shape === undefined || !onlyReadBy(canonicalRef(packed!), n) || !onlyReadBy(rows.of, outer))
      return n;
    return {
      name: n.name,
      op: 'NearestNeighborUpsampling',
      input: [cols.of, shape],
      attr: { height_scale: { i: rows.copies }, width_scale: { i: cols.copies } },
    };
  });
}

/** Applies every rewrite; nodes they leave unread are cut away with the rest of what the outputs do not need. */
export function rewriteTfIdioms(nodes: TfNode[], constOf: ConstLookup, file: string): TfNode[] {
  return nearestUpsampling(unrollBatchOfOneMap(nodes, constOf, file));
}
