/**
 * @fileoverview The activation element types of the WASM kernels (int8, and int16 in 16×8 models): width, range,
 * loads and stores, so one scalar kernel serves both.
 */
import { type Graph, tensorOf } from '../../../ir/graph.ts';
import { type ActivationType, activationType, RANGE_OF } from '../../../quantize/prepare/quant-params.ts';
import type { Expr, FunctionBuilder } from './binaryen.ts';

/** How a kernel reads and writes one activation element type. */
export interface ElementType {
  /** log2 of the element's bytes: an index shifted left by it is a byte offset. */
  log2Bytes: 0 | 1;
  min: number;
  max: number;
  /** The signed element at byte address `ptr`, as an i32. */
  load(f: FunctionBuilder, ptr: Expr): Expr;
  /** Stores the low bits of the i32 `value` at byte address `ptr`. */
  store(f: FunctionBuilder, ptr: Expr, value: Expr): Expr;
}

const ELEMENT_TYPES: Record<ActivationType, ElementType> = {
  int8: {
    log2Bytes: 0,
    min: RANGE_OF.int8[0],
    max: RANGE_OF.int8[1],
    load: (f, p) => f.load8(p),
    store: (f, p, v) => f.store8(p, v),
  },
  int16: {
    log2Bytes: 1,
    min: RANGE_OF.int16[0],
    max: RANGE_OF.int16[1],
    load: (f, p) => f.load16(p),
    store: (f, p, v) => f.store16(p, v),
  },
};

/** The element type of an activation tensor. */
export function elementTypeOf(g: Graph, name: string): ElementType {
  return ELEMENT_TYPES[activationType(tensorOf(g, name).dtype)];
}

/** The byte address of element `index` of an array of `e` at `base`. */
export function elementAt(f: FunctionBuilder, e: ElementType, base: Expr, index: Expr): Expr {
  return f.add(base, e.log2Bytes ? f.shl(index, f.c(e.log2Bytes)) : index);
}
