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

const align = (n: number) => Math.ceil(n / ARENA_ALIGNMENT) * ARENA_ALIGNMENT;

const extent = (pieces: readonly Piece[]) => pieces.reduce((m, p) => Math.max(m, p.at + align(p.size)), 0);

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
      next += b.reduce((n, p) => n + align(p.size), 0);
      return at;
    });
  }

  override arenaSize(): number {
    return this.buffers.reduce((n, b) => n + b.reduce((k, p) => k + align(p.size), 0), 0);
  }
}

type BufferOrder = (a: readonly Piece[], b: readonly Piece[]) => number;

const largest = (b: readonly Piece[]) => Math.max(...b.map((p) => p.size));
const first = (b: readonly Piece[]) => Math.min(...b.map((p) => p.firstUse));
const last = (b: readonly Piece[]) => Math.max(...b.map((p) => p.lastUse));

/**
 * Orders the greedy placement tries: largest piece first (TFLM's), then the buffers of the busiest steps first
 * (bytes × steps alive), then in schedule order; ties by first use. No one order wins on every graph.
 */
const ORDERS: readonly BufferOrder[] = [
  (a, b) => largest(b) - largest(a) || first(a) - first(b),
  (a, b) => largest(b) * (last(b) - first(b) + 1) - largest(a) * (last(a) - first(a) + 1) || first(a) - first(b),
  (a, b) => first(a) - first(b) || largest(b) - largest(a),
];

/** Each buffer, in the given order, at the lowest aligned offset where none of its pieces meets a placed piece alive with it. */
function placeInOrder(buffers: readonly Piece[][], order: BufferOrder): number[] {
  const ids = buffers.map((_, i) => i).sort((a, b) => order(buffers[a]!, buffers[b]!));
  const offsets = new Array<number>(buffers.length).fill(0);
  /** Placed pieces at their arena offsets. */
  const placed: Piece[] = [];
  for (const id of ids) {
    const own = buffers[id]!;
    const clashing = placed.filter((q) => own.some((p) => p.firstUse <= q.lastUse && q.firstUse <= p.lastUse));
    // Candidate offsets: 0, and each offset that puts one of our pieces right after a clashing placed piece.
    const candidates = [0, ...clashing.flatMap((q) => own.map((p) => q.at + align(q.size) - p.at))]
      .filter((c) => c >= 0)
      .sort((a, b) => a - b);
    const fits = (base: number) =>
      own.every((p) =>
        clashing.every(
          (q) =>
            !(p.firstUse <= q.lastUse && q.firstUse <= p.lastUse) ||
            base + p.at + align(p.size) <= q.at ||
            q.at + align(q.size) <= base + p.at,
        ),
      );
    const base = candidates.find(fits) as number;
    offsets[id] = base;
    for (const p of own) placed.push({ ...p, at: base + p.at });
  }
  return offsets;
}

/** Greedy placement in a few orders (ORDERS), keeping the smallest arena: largest piece first is the first tried. */
export class GreedyBySizePlanner extends PlannerBase {
  protected place(): number[] {
    const size = (offsets: number[]) => this.buffers.reduce((m, b, i) => Math.max(m, offsets[i]! + extent(b)), 0);
    return ORDERS.map((order) => placeInOrder(this.buffers, order)).reduce((best, o) =>
      size(o) < size(best) ? o : best,
    );
  }
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
      const live = b.filter((p) => p.firstUse <= s && s <= p.lastUse).sort((x, y) => x.at - y.at);
      let bytes = 0;
      let reach = 0;
      for (const p of live) {
        const end = p.at + align(p.size);
        bytes += Math.max(0, end - Math.max(p.at, reach));
        reach = Math.max(reach, end);
      }
      steps.set(s, (steps.get(s) ?? 0) + bytes);
    }
  }
  return Math.max(0, ...steps.values());
}
