/** @fileoverview Lists whose length the caller has checked, typed as tuples, so that destructuring them needs no `!`. */

/** A tuple of `N` items of `T`. */
export type Tuple<T, N extends number, R extends T[] = []> = R['length'] extends N ? R : Tuple<T, N, [T, ...R]>;

/**
 * The list typed as a tuple of its first `n` items (`const [n, h, w, c] = tupleOf(shape, 4)`); an internal error if
 * it is shorter, which the caller's own check (a verified rank, an arity) rules out.
 */
export function tupleOf<T, N extends number>(list: readonly T[], n: N): Tuple<T, N> {
  if (list.length < n) throw new Error(`internal: expected at least ${n} items, got ${list.length}`);
  return list as unknown as Tuple<T, N>;
}
