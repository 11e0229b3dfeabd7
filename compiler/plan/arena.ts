/**
 * @fileoverview Static arena planning (TFLM's MemoryPlanner interface): buffers with a size and the steps they are
 * alive in, placed at byte offsets of one arena so no two buffers alive at the same step overlap. Two planners:
 * linear (each buffer after the previous one: the upper bound) and greedy by size (largest first, each at the
 * lowest offset that fits beside the already placed buffers it overlaps in time). The lower bound is the largest
 * total of buffers alive at one step: no plan can be smaller.
 */

/** A buffer to place: `size` bytes alive from step `firstUse` to step `lastUse`, inclusive. */
export interface BufferRequest {
  size: number;
  firstUse: number;
  lastUse: number;
}

/** The planner interface: add buffers, then read offsets and the arena size. */
export interface ArenaPlanner {
  /** Registers a buffer and returns its id. */
  addBuffer(size: number, firstUse: number, lastUse: number): number;
  /** Byte offset of a buffer in the arena. */
  offsetOf(id: number): number;
  /** Bytes the arena needs. */
  arenaSize(): number;
}

/** Offsets are aligned so every buffer can hold int32 scratch and SIMD loads. */
export const ARENA_ALIGNMENT = 16;

const align = (n: number) => Math.ceil(n / ARENA_ALIGNMENT) * ARENA_ALIGNMENT;

function overlapsInTime(a: BufferRequest, b: BufferRequest): boolean {
  return a.firstUse <= b.lastUse && b.firstUse <= a.lastUse;
}

abstract class PlannerBase implements ArenaPlanner {
  protected readonly buffers: BufferRequest[] = [];
  private offsets: number[] | undefined;

  addBuffer(size: number, firstUse: number, lastUse: number): number {
    if (!(size >= 0) || lastUse < firstUse) throw new Error(`internal: bad buffer request (${size} B, steps ${firstUse}..${lastUse})`);
    this.buffers.push({ size, firstUse, lastUse });
    this.offsets = undefined;
    return this.buffers.length - 1;
  }

  offsetOf(id: number): number {
    this.offsets ??= this.place();
    return this.offsets[id];
  }

  arenaSize(): number {
    this.offsets ??= this.place();
    const offsets = this.offsets;
    return this.buffers.reduce((m, b, i) => Math.max(m, offsets[i] + align(b.size)), 0);
  }

  protected abstract place(): number[];
}

/** Every buffer after the previous one: no reuse at all (the naive upper bound, for comparison). */
export class LinearPlanner extends PlannerBase {
  protected place(): number[] {
    let next = 0;
    return this.buffers.map((b) => {
      const at = next;
      next += align(b.size);
      return at;
    });
  }
}

/** Largest buffer first, each at the lowest aligned offset where it overlaps no placed buffer alive at the same time. */
export class GreedyBySizePlanner extends PlannerBase {
  protected place(): number[] {
    const order = this.buffers.map((_, i) => i).sort((a, b) => this.buffers[b].size - this.buffers[a].size || this.buffers[a].firstUse - this.buffers[b].firstUse);
    const offsets = new Array<number>(this.buffers.length).fill(0);
    const placed: number[] = [];
    for (const id of order) {
      const b = this.buffers[id];
      // The placed buffers alive with this one, by offset: try the gap before each, then after the last.
      const clashing = placed.filter((p) => overlapsInTime(this.buffers[p], b)).sort((p, q) => offsets[p] - offsets[q]);
      let candidate = 0;
      for (const p of clashing) {
        if (candidate + align(b.size) <= offsets[p]) break;
        candidate = Math.max(candidate, offsets[p] + align(this.buffers[p].size));
      }
      offsets[id] = candidate;
      placed.push(id);
    }
    return offsets;
  }
}

/** The largest total size of buffers alive at any one step: a bound no placement can beat. */
export function lowerBound(buffers: readonly BufferRequest[]): number {
  const steps = new Map<number, number>();
  for (const b of buffers) for (let s = b.firstUse; s <= b.lastUse; s++) steps.set(s, (steps.get(s) ?? 0) + align(b.size));
  return Math.max(0, ...steps.values());
}
