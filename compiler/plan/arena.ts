/**
 * @fileoverview Static arena planning (TFLM's MemoryPlanner interface, extended): buffers placed at byte offsets of
 * one arena so no two bytes alive at the same step overlap. A buffer is one or more pieces that move together, each
 * at a fixed offset in the buffer with its own lifetime: a plain tensor is one piece; a chain of convolutions that
 * write over their own inputs is one buffer whose pieces are the chain's tensors (dead ones no longer block others).
 * Two planners: linear (each buffer after the previous one: the upper bound) and greedy by size (largest piece
 * first, each buffer at the lowest offset where none of its pieces meets a placed piece alive at the same step).
 * The lower bound is the largest total of pieces alive at one step: no plan of these buffers can be smaller.
 */

/** Bytes [at, at + size) of a buffer, alive from step `firstUse` to step `lastUse`, inclusive. */
export interface Piece {
  at: number;
  size: number;
  firstUse: number;
  lastUse: number;
}

/** A buffer of one piece: `size` bytes alive from step `firstUse` to step `lastUse`, inclusive. */
export interface BufferRequest {
  size: number;
  firstUse: number;
  lastUse: number;
}

/** The planner interface: add buffers, then read offsets and the arena size. */
export interface ArenaPlanner {
  /** Registers a one-piece buffer and returns its id. */
  addBuffer(size: number, firstUse: number, lastUse: number): number;
  /** Registers a buffer of pieces (offsets relative to the buffer, aligned) and returns its id. */
  addPieces(pieces: readonly Piece[]): number;
  /** Byte offset of a buffer in the arena. */
  offsetOf(id: number): number;
  /** Bytes the arena needs. */
  arenaSize(): number;
}

/** Offsets are aligned so every buffer can hold int32 scratch and SIMD loads. */
export const ARENA_ALIGNMENT = 16;

/** `n` bytes rounded up to whole ARENA_ALIGNMENT blocks: what a piece takes in the arena. */
export const alignedSize = (n: number) => Math.ceil(n / ARENA_ALIGNMENT) * ARENA_ALIGNMENT;

const extent = (pieces: readonly Piece[]) => pieces.reduce((m, p) => Math.max(m, p.at + alignedSize(p.size)), 0);

abstract class PlannerBase implements ArenaPlanner {
  protected readonly buffers: Piece[][] = [];
  private offsets: number[] | undefined;

  addBuffer(size: number, firstUse: number, lastUse: number): number {
    return this.addPieces([{ at: 0, size, firstUse, lastUse }]);
  }

  addPieces(pieces: readonly Piece[]): number {
    for (const p of pieces) {
      if (!(p.size >= 0) || p.lastUse < p.firstUse || p.at < 0 || p.at % ARENA_ALIGNMENT !== 0)
        throw new Error(`internal: bad piece (${p.size} B at ${p.at}, steps ${p.firstUse}..${p.lastUse})`);
    }
    this.buffers.push([...pieces]);
    this.offsets = undefined;
    return this.buffers.length - 1;
  }

  offsetOf(id: number): number {
    this.offsets ??= this.place();
    return this.offsets[id]!;
  }

  arenaSize(): number {
    this.offsets ??= this.place();
    const offsets = this.offsets;
    return this.buffers.reduce((m, b, i) => Math.max(m, offsets[i]! + extent(b)), 0);
  }

  protected abstract place(): number[];
}

/** Every buffer after the previous one: no reuse at all (the naive upper bound, for comparison). */
export class LinearPlanner extends PlannerBase {
  protected place(): number[] {
    let next = 0;
    return this.buffers.map((b) => {
      const at = next;
      next += b.reduce((n, p) => n + alignedSize(p.size), 0);
      return at;
    });
  }

  override arenaSize(): number {
    return this.buffers.reduce((n, b) => n + b.reduce((k, p) => k + alignedSize(p.size), 0), 0);
  }
}

/** What the orders compare, computed once per buffer rather than in every comparison. */
interface BufferKeys {
  largest: number;
  first: number;
  last: number;
}

type BufferOrder = (a: BufferKeys, b: BufferKeys) => number;

const keysOf = (b: readonly Piece[]): BufferKeys => ({
  largest: Math.max(...b.map((p) => p.size)),
  first: Math.min(...b.map((p) => p.firstUse)),
  last: Math.max(...b.map((p) => p.lastUse)),
});

/**
 * Orders the greedy placement tries: largest piece first (TFLM's), then the buffers of the busiest steps first
 * (bytes × steps alive), then in schedule order; ties by first use. No one order wins on every graph.
 */
const ORDERS: readonly BufferOrder[] = [
  (a, b) => b.largest - a.largest || a.first - b.first,
  (a, b) => b.largest * (b.last - b.first + 1) - a.largest * (a.last - a.first + 1) || a.first - b.first,
  (a, b) => a.first - b.first || b.largest - a.largest,
];

/**
 * Each buffer, in the given order, at the lowest aligned offset where none of its pieces meets a placed piece alive
 * with it. Every pair of our piece p and a placed piece q alive at the same step forbids the open interval of bases
 * (q.at - p.at - |p|, q.at + |q| - p.at); the lowest base outside all of them is found by one sweep in order of
 * their starts. Placed pieces are listed per step alive, so a piece meets only those alive with it: patch plans
 * search thousands of placements of hundreds of pieces, and testing every candidate against every pair took a
 * minute on a 320×320 detector.
 */
function placeInOrder(buffers: readonly Piece[][], keys: readonly BufferKeys[], order: BufferOrder): number[] {
  const ids = buffers.map((_, i) => i).sort((a, b) => order(keys[a]!, keys[b]!));
  const offsets = new Array<number>(buffers.length).fill(0);
  /** Placed pieces at their arena offsets, under each step they are alive at (a piece may be met more than once). */
  const steps = Math.max(0, ...keys.map((k) => k.last + 1));
  const aliveAt: Piece[][] = Array.from({ length: steps }, () => []);
  for (const id of ids) {
    const own = buffers[id]!;
    const forbidden: [number, number][] = [];
    for (const p of own) {
      for (let step = p.firstUse; step <= p.lastUse; step++) {
        for (const q of aliveAt[step]!) {
          const lo = q.at - p.at - alignedSize(p.size);
          const hi = q.at + alignedSize(q.size) - p.at;
          if (hi > 0 && lo < hi) forbidden.push([lo, hi]);
        }
      }
    }
    forbidden.sort((a, b) => a[0] - b[0]);
    let base = 0;
    for (const [lo, hi] of forbidden) {
      if (lo >= base) break;
      if (hi > base) base = hi;
    }
    offsets[id] = base;
    for (const p of own) {
      const q = { ...p, at: base + p.at };
      for (let step = p.firstUse; step <= p.lastUse; step++) aliveAt[step]!.push(q);
    }
  }
  return offsets;
}

/** Greedy placement in a few orders (ORDERS), keeping the smallest arena: largest piece first is the first tried. */
export class GreedyBySizePlanner extends PlannerBase {
  protected place(): number[] {
    const size = (offsets: number[]) => this.buffers.reduce((m, b, i) => Math.max(m, offsets[i]! + extent(b)), 0);
    const keys = this.buffers.map(keysOf);
    return ORDERS.map((order) => placeInOrder(this.buffers, keys, order)).reduce((best, o) =>
      size(o) < size(best) ? o : best,
    );
  }
}

/** Bytes [start, end). */
export type Span = [number, number];

/** The bytes of the union of spans (sorted here, in place). */
export function unionBytes(spans: Span[]): number {
  spans.sort((a, b) => a[0] - b[0]);
  let bytes = 0;
  let reach = 0;
  for (const [start, end] of spans) {
    bytes += Math.max(0, end - Math.max(start, reach));
    reach = Math.max(reach, end);
  }
  return bytes;
}

/**
 * The largest total of bytes alive at any one step, pieces of one buffer that overlap counted once: a bound no
 * placement of these buffers can beat.
 */
export function lowerBound(buffers: readonly (readonly Piece[])[]): number {
  const steps = new Map<number, number>();
  for (const b of buffers) {
    const last = Math.max(...b.map((p) => p.lastUse));
    for (let s = Math.min(...b.map((p) => p.firstUse)); s <= last; s++) {
      // The union of this buffer's pieces alive at step s.
      const live = b
        .filter((p) => p.firstUse <= s && s <= p.lastUse)
        .map((p): Span => [p.at, p.at + alignedSize(p.size)]);
      steps.set(s, (steps.get(s) ?? 0) + unionBytes(live));
    }
  }
  return Math.max(0, ...steps.values());
}
