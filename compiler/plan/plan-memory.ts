/**
 * @fileoverview The memory plan of an int8 graph: every activation (the input and each node's output) gets an
 * offset in one arena, planned greedy-by-size from tensor lifetimes. Steps are node indices; a tensor lives from
 * the step that writes it (the input: step 0) to the last step that reads it (a graph output: to the end).
 *
 * In place, where provably safe:
 * - reshape (same quantization): the output is the input's bytes, so it shares the buffer;
 * - add/mul without broadcasting: y[i] depends only on a[i] and b[i], so y may overwrite an input that no later
 *   step reads, through any tensor sharing its bytes (never the graph input, which belongs to the caller);
 * - conv2d and depthwise_conv2d (batch 1) slide over their input: output pixel (y, x) needs no input before
 *   position (s·y − pad_top)·W + s·x − pad_left, so the output may start before the input and overwrite input
 *   pixels no later output reads. This relies on the kernel contract IN_PLACE_TILE_PIXELS states.
 * - conv2d and depthwise_conv2d through a ring of output rows (rolling-rows.ts, `inPlace`): the output takes its
 *   input's own bytes and a small ring holds the rows not yet safe to copy over it.
 * For several threads (`threads` > 1), a layer split into bands (thread-split.ts) never slides (its bands run at
 * once, so one could overwrite rows another has yet to read) and gets one scratch per thread.
 * With patches (patch/patch-plan.ts), the prefix's tensors are per-cell buffers of their largest cell, alive their
 * own steps within a cell; the graph input and the assembled split tensor stay whole for the whole prefix, beside the
 * cell's copy of the input rectangle and the split layer's cell (`<tensor>@cell` in the offsets), and so do the row
 * caches cells of a column share (`<tensor>@rows`); nothing in the
 * prefix is written in place (rings and slides apply after it).
 * With `callerInput`, the graph input is not in the arena at all: its readers read it in place from the caller's
 * buffer (a camera's frame), so the arena holds only the graph's own activations; with patches, each cell copies its
 * rectangle of the input (its receptive field) out of that buffer into the arena, which is how the input streams.
 */
import { TinyedgeError } from '../errors.ts';
import { type Graph, type Node, tensorOf } from '../ir/graph.ts';
import { lastReaderIndex } from '../ir/last-reader.ts';
import { DTYPE_BYTES, sameShape, sizeOf } from '../ir/tensor.ts';
import { tupleOf } from '../ir/tuple.ts';
import { int8ParamsOf } from '../quantize/prepare/prepare-int8.ts';
import { ARENA_ALIGNMENT, GreedyBySizePlanner, LinearPlanner, lowerBound, type Piece } from './arena.ts';
import { CELL_SUFFIX, type PatchPlan, ROW_CACHE_SUFFIX } from './patch/patch-plan.ts';
import { type RollingRows, ringBytes, rollingRowsOf } from './rolling-rows.ts';
import { splitsAcrossThreads, threadScratchStride } from './thread-split.ts';

/**
 * The kernel contract in-place convolution relies on, kept by every conv2d and depthwise kernel of every backend:
 * output pixels are computed in raster order in tiles of at most this many pixels, and a tile's outputs are written
 * only after every input byte the tile reads has been read.
 */
export const IN_PLACE_TILE_PIXELS = 8;

/** Where each activation lives and how big the arena is. */
export interface MemoryPlan {
  arenaBytes: number;
  /** The largest set of buffers alive at one step: no plan can be smaller. */
  lowerBoundBytes: number;
  /** Without any reuse: every activation its own buffer. */
  naiveBytes: number;
  /** Byte offset of each activation tensor in the arena. */
  offsets: Map<string, number>;
  /** Byte offset of each node's scratch buffer (only nodes whose kernel asked for one). */
  scratch: Map<string, number>;
  /** Outputs written over their own input (the node reads and writes overlapping bytes), by output name. */
  overlapping: Set<string>;
  /** Nodes run in place through a ring of output rows, by node name: the geometry and the ring's offset. */
  rolling: Map<string, RollingRows & { ring: number }>;
  /** The prefix that runs in patches, if any. */
  patches?: PatchPlan;
  /** The graph input read in place from the caller's buffer, outside the arena (`callerInput`). */
  callerInput?: string;
  /** Every piece placed, with its bytes and steps: the plan as it is drawn (`tinyedge report`'s arena timeline). */
  pieces: PlacedPiece[];
}

/** One placed piece: an activation (`<tensor>@cell` for a patch's cell copy), a node's scratch or its ring of rows. */
export interface PlacedPiece {
  name: string;
  kind: 'tensor' | 'scratch' | 'ring';
  offset: number;
  size: number;
  firstUse: number;
  lastUse: number;
}

/** A backend's scratch-size query: bytes a node's kernel needs while it runs (0 for none). */
export type ScratchQuery = (g: Graph, node: Node) => number;

function bytesOf(g: Graph, name: string): number {
  const t = tensorOf(g, name);
  return sizeOf(t.shape) * DTYPE_BYTES[t.dtype];
}

/** The input whose buffer the node's output may take over, if any. */
function inPlaceSource(
  g: Graph,
  node: Node,
  step: number,
  storageEnd: (tensor: string) => number,
  callerInput: string | undefined,
): string | undefined {
  if (node.op === 'reshape') {
    const p = int8ParamsOf(g).get(node.name);
    // The caller's buffer is only read: a reshape of it gets its own bytes in the arena.
    if (p?.kind === 'requantize' && p.inputs[0]!.identity && node.inputs[0] !== callerInput) return node.inputs[0];
    return undefined;
  }
  if (node.op === 'add' || node.op === 'mul') {
    const out = tensorOf(g, node.outputs[0]!);
    return node.inputs.find((i) => {
      const t = tensorOf(g, i);
      return (
        !t.data &&
        !g.inputs.includes(i) &&
        !g.outputs.includes(i) &&
        sameShape(t.shape, out.shape) &&
        storageEnd(i) === step
      );
    });
  }
  return undefined;
}

/**
 * Where a convolution's output may start, in bytes from its input's start, so that no output tile overwrites an
 * input byte a later tile reads (undefined when it may not overlap its input). Rounded down to the arena alignment.
 */
export function slidingOutputOffset(g: Graph, node: Node): number | undefined {
  if (node.op !== 'conv2d' && node.op !== 'depthwise_conv2d') return undefined;
  const x = tensorOf(g, node.inputs[0]!);
  const y = tensorOf(g, node.outputs[0]!);
  const [n, , w, cin] = x.shape;
  const [, ho, wo, cout] = tupleOf(y.shape, 4);
  if (n !== 1 || x.dtype !== 'int8' || y.dtype !== 'int8') return undefined;
  const [sh, sw] = node.attrs.strides;
  const [pt, , pl] = node.attrs.pads;
  const pixels = ho * wo;
  let offset = Infinity;
  for (let oy = 0; oy < ho; oy++) {
    for (let ox = 0; ox < wo; ox++) {
      // The first input pixel any output from (oy, ox) on reads; the tile starting here must end before it.
      const first = Math.max(0, (sh * oy - pt) * w! + sw * ox - pl);
      const tileEnd = Math.min(oy * wo + ox + IN_PLACE_TILE_PIXELS, pixels);
      offset = Math.min(offset, cin! * first - cout * tileEnd);
    }
  }
  return Math.floor(offset / ARENA_ALIGNMENT) * ARENA_ALIGNMENT;
}

/** One plan with the given convolutions sliding over their inputs (where the input's storage allows it). */
function planOnce(
  g: Graph,
  scratchOf: ScratchQuery,
  slides: ReadonlySet<string>,
  rolls: ReadonlySet<string>,
  patches: PatchPlan | undefined,
  callerInput: string | undefined,
): MemoryPlan {
  const end = g.nodes.length;
  const lastRead = lastReaderIndex(g);
  for (const o of g.outputs) lastRead.set(o, end);
  const inPrefix = (step: number) => patches !== undefined && step <= patches.split;
  const cellOf = (name: string) => (patches && name !== patches.splitTensor ? patches.cellBytes.get(name) : undefined);
  if (patches) lastRead.set(patches.input, Math.max(lastRead.get(patches.input) ?? 0, patches.split));
  // Buffers of tensors sharing storage: each tensor is a piece of one buffer, at an offset in it, alive its own steps.
  const bufferOf = new Map<string, number>();
  const buffers: Piece[][] = [];
  const pieceOf = new Map<string, Piece>();
  const overlapping = new Set<string>();
  const piece = (name: string, at: number, first: number): Piece => {
    const size = g.inputs.includes(name) ? bytesOf(g, name) : (cellOf(name) ?? bytesOf(g, name));
    const p = { at, size, firstUse: first, lastUse: Math.max(first, lastRead.get(name) ?? first) };
    pieceOf.set(name, p);
    return p;
  };
  const open = (name: string, first: number) => {
    bufferOf.set(name, buffers.length);
    buffers.push([piece(name, 0, first)]);
  };
  /** Puts `out` into `source`'s buffer at `delta` bytes from `source`, re-basing the buffer if it starts earlier. */
  const join = (out: string, source: string, delta: number, step: number) => {
    const bi = bufferOf.get(source) as number;
    let at = (pieceOf.get(source) as Piece).at + delta;
    if (at < 0) {
      for (const p of buffers[bi]!) p.at -= at;
      at = 0;
    }
    bufferOf.set(out, bi);
    buffers[bi]!.push(piece(out, at, step));
  };
  /** Whether `t`'s bytes are free after `step`: an activation of the graph's own (not its input or an output), read last here. */
  const endsAt = (t: string, step: number) =>
    !g.inputs.includes(t) &&
    !g.outputs.includes(t) &&
    !tensorOf(g, t).data &&
    (pieceOf.get(t) as Piece).lastUse === step;
  const rolled = new Map<string, RollingRows>();
  for (const name of g.inputs) if (name !== callerInput) open(name, 0);
  g.nodes.forEach((node, step) => {
    const out = node.outputs[0]!;
    if (inPrefix(step)) {
      // The assembled split tensor fills up cell by cell from the prefix's first step.
      open(out, out === patches?.splitTensor ? 0 : step);
      return;
    }
    const source = inPlaceSource(g, node, step, (t) => (pieceOf.get(t) as Piece).lastUse, callerInput);
    if (source !== undefined) {
      // Same bytes: the output is a piece at the source's offset that lives on after it.
      const bi = bufferOf.get(source) as number;
      bufferOf.set(out, bi);
      buffers[bi]!.push(piece(out, (pieceOf.get(source) as Piece).at, step));
      return;
    }
    const roll = rolls.has(node.name) ? rollingRowsOf(g, node) : undefined;
    if (roll !== undefined && endsAt(node.inputs[0]!, step)) {
      rolled.set(node.name, roll);
      join(out, node.inputs[0]!, 0, step);
      return;
    }
    const slide = slides.has(node.name) ? slidingOutputOffset(g, node) : undefined;
    if (slide !== undefined && endsAt(node.inputs[0]!, step)) {
      overlapping.add(out);
      join(out, node.inputs[0]!, slide, step);
      return;
    }
    open(out, step);
  });
  if (patches) {
    // Each cell's copy of its input rectangle (read by the prefix's first readers), and of the split layer's cell.
    const inputEnd = Math.max(
      ...g.nodes.slice(0, patches.split + 1).flatMap((n, i) => (n.inputs.includes(patches.input) ? [i] : [])),
    );
    for (const [name, first, last] of [
      [patches.input, 0, inputEnd],
      [patches.splitTensor, patches.split, patches.split],
    ] as const) {
      bufferOf.set(name + CELL_SUFFIX, buffers.length);
      const p = { at: 0, size: patches.cellBytes.get(name)!, firstUse: first, lastUse: last };
      pieceOf.set(name + CELL_SUFFIX, p);
      buffers.push([p]);
    }
    // The row caches: from a cell's writing of its last rows to the next cell's reading of them, so the whole prefix.
    for (const [name, size] of patches.rowCacheBytes) {
      bufferOf.set(name + ROW_CACHE_SUFFIX, buffers.length);
      const p = { at: 0, size, firstUse: 0, lastUse: patches.split };
      pieceOf.set(name + ROW_CACHE_SUFFIX, p);
      buffers.push([p]);
    }
  }
  const scratchBuffer = new Map<string, number>();
  g.nodes.forEach((node, step) => {
    const size = scratchOf(g, node);
    if (size > 0) {
      scratchBuffer.set(node.name, buffers.length);
      buffers.push([{ at: 0, size, firstUse: step, lastUse: step }]);
    }
  });
  const ringBuffer = new Map<string, number>();
  rolled.forEach((r, name) => {
    const step = g.nodes.findIndex((n) => n.name === name);
    ringBuffer.set(name, buffers.length);
    buffers.push([{ at: 0, size: ringBytes(r), firstUse: step, lastUse: step }]);
  });
  const greedy = new GreedyBySizePlanner();
  const linear = new LinearPlanner();
  for (const b of buffers) {
    greedy.addPieces(b);
    linear.addPieces(b);
  }
  const offsets = new Map(
    [...bufferOf].map(([name, bi]) => [name, greedy.offsetOf(bi) + (pieceOf.get(name) as Piece).at]),
  );
  const scratch = new Map([...scratchBuffer].map(([name, bi]) => [name, greedy.offsetOf(bi)]));
  const rolling = new Map(
    [...rolled].map(([name, r]) => [name, { ...r, ring: greedy.offsetOf(ringBuffer.get(name)!) }]),
  );
  const placed = (name: string, kind: PlacedPiece['kind'], bi: number, p: Piece): PlacedPiece => ({
    name,
    kind,
    offset: greedy.offsetOf(bi) + p.at,
    size: p.size,
    firstUse: p.firstUse,
    lastUse: p.lastUse,
  });
  const pieces = [
    ...[...bufferOf].map(([name, bi]) => placed(name, 'tensor', bi, pieceOf.get(name) as Piece)),
    ...[...scratchBuffer].map(([name, bi]) => placed(name, 'scratch', bi, buffers[bi]![0]!)),
    ...[...ringBuffer].map(([name, bi]) => placed(name, 'ring', bi, buffers[bi]![0]!)),
  ];
  return {
    arenaBytes: greedy.arenaSize(),
    lowerBoundBytes: lowerBound(buffers),
    naiveBytes: linear.arenaSize(),
    offsets,
    scratch,
    overlapping,
    rolling,
    ...(patches ? { patches } : {}),
    ...(callerInput !== undefined ? { callerInput } : {}),
    pieces,
  };
}

/** The graph input the caller keeps (`callerInput`): the model's one input, which must not also be an output. */
function callerInputOf(g: Graph): string {
  const input = g.inputs[0]!;
  if (g.inputs.length !== 1 || g.outputs.includes(input))
    throw new TinyedgeError(
      'TE602',
      "the input can stay in the caller's buffer only for a model of one input that is not an output",
      {
        file: g.source,
      },
    );
  return input;
}

/** How to plan: which convolutions may slide, threads, and whether convolutions may run in place through a ring. */
export interface PlanOptions {
  /** Tests force every slide (the kernels' contract, proven on every target) or none; default: where it helps. */
  slide?: 'best' | 'every' | 'none';
  /** Threads the model is compiled for (default 1). */
  threads?: number;
  /**
   * Let conv2d and depthwise_conv2d run in place through a ring of output rows where that lowers the arena (one
   * thread, C backend); tests force it wherever the input allows (`every`).
   */
  inPlace?: boolean | 'every';
  /** The prefix that runs in patches (one thread only); its nodes neither slide nor roll. */
  patches?: PatchPlan;
  /** Leave the graph input out of the arena: the C API reads it in place from the caller's buffer (one thread). */
  callerInput?: boolean;
}

/**
 * Plans the arena of an int8 graph; `scratchQuery` says which kernels need scratch (per thread), alive only at their
 * own step.
 * Every convolution that can slide over its input does, unless the plan without it is smaller: sliding makes the
 * pair one buffer, which the greedy placement may fit worse, so each is kept only where it helps, largest first.
 * With `inPlace`, rings are then added (and dropped) the same way, a ring taking precedence over a slide.
 */
export function planMemory(g: Graph, scratchQuery: ScratchQuery = () => 0, options: PlanOptions = {}): MemoryPlan {
  const threads = options.threads ?? 1;
  const patches = options.patches;
  if ((patches || options.callerInput) && threads > 1)
    throw new Error('internal: patches or the caller input on several threads');
  const callerInput = options.callerInput ? callerInputOf(g) : undefined;
  const split = (n: Node) => threads > 1 && splitsAcrossThreads(g, n);
  const inPrefix = (n: Node) => patches !== undefined && g.nodes.indexOf(n) <= patches.split;
  const scratchOf: ScratchQuery = (_, n) =>
    split(n) ? threadScratchStride(scratchQuery(g, n)) * threads : scratchQuery(g, n);
  const bytesAround = (n: Node) => bytesOf(g, n.inputs[0]!) + bytesOf(g, n.outputs[0]!);
  const candidates = g.nodes
    .filter((n) => {
      if (split(n) || inPrefix(n)) return false;
      const slide = slidingOutputOffset(g, n);
      // Sliding pays only when the output overlaps its input, i.e. starts less than its own size before it.
      return slide !== undefined && slide > -bytesOf(g, n.outputs[0]!);
    })
    .sort((a, b) => bytesAround(b) - bytesAround(a));
  const names = (nodes: readonly Node[]) => new Set(nodes.map((n) => n.name));
  const none = new Set<string>();
  if (options.slide === 'every') return planOnce(g, scratchOf, names(candidates), none, patches, callerInput);
  if (options.slide === 'none') return planOnce(g, scratchOf, none, none, patches, callerInput);
  const better = (a: MemoryPlan, b: MemoryPlan) =>
    a.arenaBytes < b.arenaBytes ||
    (a.arenaBytes === b.arenaBytes && a.overlapping.size + a.rolling.size < b.overlapping.size + b.rolling.size);
  // Two greedy searches over one set of choices, from all of them (dropping each that doesn't help) and from none
  // (adding each that does); the smaller plan wins, and on a tie the one with fewer overlapping writes.
  const searchBoth = (choices: readonly Node[], planWith: (chosen: ReadonlySet<string>) => MemoryPlan) => {
    const search = (chosen: Set<string>, adding: boolean) => {
      let best = planWith(chosen);
      for (const n of choices) {
        if (adding) chosen.add(n.name);
        else chosen.delete(n.name);
        const tried = planWith(chosen);
        const keep = adding ? tried.arenaBytes < best.arenaBytes : tried.arenaBytes <= best.arenaBytes;
        if (keep) best = tried;
        else if (adding) chosen.delete(n.name);
        else chosen.add(n.name);
      }
      return { best, chosen };
    };
    const fromAll = search(names(choices), false);
    const fromNone = search(new Set(), true);
    return better(fromAll.best, fromNone.best) ? fromAll : fromNone;
  };
  const slid = searchBoth(candidates, (slides) => planOnce(g, scratchOf, slides, none, patches, callerInput));
  if (!options.inPlace || threads > 1) return slid.best;
  const rollable = g.nodes
    .filter((n) => !inPrefix(n) && rollingRowsOf(g, n) !== undefined)
    .sort((a, b) => bytesAround(b) - bytesAround(a));
  if (options.inPlace === 'every') return planOnce(g, scratchOf, slid.chosen, names(rollable), patches, callerInput);
  const rolled = searchBoth(rollable, (rolls) => planOnce(g, scratchOf, slid.chosen, rolls, patches, callerInput));
  return better(rolled.best, slid.best) ? rolled.best : slid.best;
}
