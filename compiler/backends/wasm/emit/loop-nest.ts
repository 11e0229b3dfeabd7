/** @fileoverview The loop nest of the scalar kernels that walk a tensor up to rank 4 in order (broadcast binary ops, pad). */
import type { Expr, FunctionBuilder } from './binaryen.ts';

/** for (i of idx) loops over `dims`, outermost first, around `inner`. */
export function nest(
  f: FunctionBuilder,
  idx: ReturnType<FunctionBuilder['i32']>[],
  dims: number[],
  inner: Expr[],
): Expr[] {
  return idx.reduceRight<Expr[]>((body, i, k) => [f.for(i, f.c(0), f.c(dims[k]!), body)], inner);
}
