/**
 * @fileoverview What every WASM layer emitter works in: where tensors and scratch sit in linear memory, a node's
 * prepared integer constants, its scratch, and the call of the shared `mbqm` helper. Every family's emitters read
 * it, so none of them imports the kernel table.
 */
import { type Graph, type Node, tensorOf } from '../../../ir/graph.ts';
import { type Int8Params, int8ParamsOf, paramsOfKind } from '../../../quantize/prepare/prepare-int8.ts';
import type { Expr, FunctionBuilder, WasmModule } from './binaryen.ts';
import type { WasmData } from './wasm-data.ts';

/** Where things are in linear memory. */
export interface LayerContext {
  g: Graph;
  module: WasmModule;
  data: WasmData;
  /** Address of each activation tensor. */
  address: Map<string, number>;
  /** Address of each node's scratch buffer. */
  scratch: Map<string, number>;
  /** The integer constants of the nodes, when `g` is a band of a larger graph (threads/band-layer.ts): the whole graph's. */
  params?: Map<string, Int8Params>;
}

/** A node's integer constants, checked to be of the expected kind. */
export function paramsOf<K extends Int8Params['kind']>(
  ctx: LayerContext,
  node: Node,
  kind: K,
): Extract<Int8Params, { kind: K }> {
  return paramsOfKind(ctx.params ?? int8ParamsOf(ctx.g), node, kind);
}

/** The address of an activation, or of a constant (placed in the data segment on first use). */
export function tensorAddress(ctx: LayerContext, name: string): number {
  const data = tensorOf(ctx.g, name).data;
  const a =
    ctx.address.get(name) ??
    (data && !(data instanceof Float32Array) && !(data instanceof Uint8Array) ? ctx.data.add(name, data) : undefined);
  if (a === undefined) throw new Error(`internal: '${name}' has no address`);
  return a;
}

/** The address of a node's scratch buffer; the kernel table's scratch query must have asked for one. */
export function scratchAddress(ctx: LayerContext, node: Node): number {
  const at = ctx.scratch.get(node.name);
  if (at === undefined) throw new Error(`internal: node '${node.name}' has no scratch`);
  return at;
}

/** TFLite's MultiplyByQuantizedMultiplier of `x` by a constant multiplier and shift. */
export function mbqmConst(f: FunctionBuilder, x: Expr, multiplier: number, shift: number): Expr {
  return f.callI32('mbqm', [x, f.c(multiplier), f.c(Math.max(shift, 0)), f.c(Math.max(-shift, 0))]);
}
