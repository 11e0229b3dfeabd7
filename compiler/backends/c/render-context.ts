/**
 * @fileoverview What the C renderer of one node works with (render-nodes.ts, render-mac.ts): the pool of constant
 * arrays bound for flash, and the expressions a call passes: an activation's arena pointer, a constant array's name,
 * a node's prepared quantization and the kernels its output type calls.
 */

import { TinyedgeError } from '../../errors.ts';
import { type Graph, type Node, tensorOf } from '../../ir/graph.ts';
import type { DType } from '../../ir/tensor.ts';
import { int32BiasValues } from '../../quantize/prepare/bias-storage.ts';
import { type Int8Params, int8ParamsOf, paramsOfKind } from '../../quantize/prepare/prepare-int8.ts';
import { arrayBody, cName, comment } from './c-literals.ts';
import { type ActivationKernels, activationKernels, type KernelLayouts, outputCType } from './kernel-table.ts';

/** The C types of constant arrays: the name letter and bytes of each. */
const ARRAY_TYPES = {
  int8_t: { letter: 'q', bytes: 1 },
  int16_t: { letter: 'h', bytes: 2 },
  int32_t: { letter: 'i', bytes: 4 },
  int64_t: { letter: 'l', bytes: 8 },
} as const;

type ArrayType = keyof typeof ARRAY_TYPES;

/** The C array type of each constant dtype the backend takes. */
const CONSTANT_TYPES: Partial<Record<DType, ArrayType>> = {
  int8: 'int8_t',
  int16: 'int16_t',
  int32: 'int32_t',
  int64: 'int64_t',
};

/** Arrays that go to flash (model_weights.c), declared `extern` in model.c. */
export class ConstantPool {
  readonly definitions: string[] = [];
  readonly declarations: string[] = [];
  private readonly byKey = new Map<string, string>();
  bytes = 0;

  constructor(private readonly prefix: string) {}

  /** The C name of a constant array, emitting it once per key. */
  add(key: string, type: ArrayType, values: ArrayLike<number> | BigInt64Array, note: string): string {
    const known = this.byKey.get(key);
    if (known) return known;
    const name = cName(this.prefix, ARRAY_TYPES[type].letter, this.byKey.size);
    this.byKey.set(key, name);
    this.declarations.push(`extern const ${type} ${name}[${values.length}];`);
    this.definitions.push(`${comment(note)}\nconst ${type} ${name}[${values.length}] = ${arrayBody(values)};`);
    this.bytes += values.length * ARRAY_TYPES[type].bytes;
    return name;
  }
}

/** What the renderer needs to turn a tensor into a pointer expression. */
export interface RenderContext {
  g: Graph;
  pool: ConstantPool;
  /** Arena offset of each activation tensor. */
  offsets: Map<string, number>;
  /** Arena offset of each node's scratch buffer. */
  scratch: Map<string, number>;
  /**
   * Bytes planned for each node's scratch: the kernels that want more (rowPairs) are called only where the plan
   * gave it, whichever scratch query it was made with.
   */
  scratchBytes: Map<string, number>;
  /** The weight and requantization layouts of the chosen kernels. */
  layouts: KernelLayouts;
  /** Threads the model is compiled for (absent: one). */
  threads?: number;
  /** The graph input read in place from the caller's buffer (`input`, the run's argument) instead of the arena. */
  callerInput?: string;
}

export function params<K extends Int8Params['kind']>(g: Graph, node: Node, kind: K): Extract<Int8Params, { kind: K }> {
  return paramsOfKind(int8ParamsOf(g), node, kind);
}

/**
 * The kernels a node calls: its output's type's, with that type's layouts (the target's for int8; for int16 ref's,
 * with the filter layouts of the target's int16_mac kernels).
 */
export function kernelsOf(ctx: RenderContext, node: Node): Required<ActivationKernels> {
  const k = activationKernels(tensorOf(ctx.g, node.outputs[0]!).dtype);
  return { ...k, layouts: k.layouts ? { ...k.layouts, ...ctx.layouts.int16 } : ctx.layouts };
}

export function act(ctx: RenderContext, name: string, writable = false): string {
  if (name === ctx.callerInput && !writable)
    return `(const ${activationKernels(tensorOf(ctx.g, name).dtype).cType} *)input`;
  const offset = ctx.offsets.get(name);
  if (offset === undefined) throw new Error(`internal: activation '${name}' has no arena offset`);
  // int32 indices (ArgMax) are a model output, written by a kernel and read by none.
  const dtype = tensorOf(ctx.g, name).dtype;
  return `(${writable ? '' : 'const '}${writable ? outputCType(dtype) : activationKernels(dtype).cType} *)(arena + ${offset})`;
}

export function constant(ctx: RenderContext, name: string): string {
  const t = tensorOf(ctx.g, name);
  if (!t.data) throw new TinyedgeError('TE401', `input '${name}' must be a constant here`);
  const type = CONSTANT_TYPES[t.dtype];
  if (!type)
    throw new TinyedgeError(
      'TE401',
      `constant '${name}' is ${t.dtype}; the C backend takes int8 weights, int8 or int16 operands, int32 or int64 biases`,
    );
  return ctx.pool.add(
    name,
    type,
    t.data as Exclude<typeof t.data, Float32Array | undefined>,
    `${name} ${t.shape.join('x')}`,
  );
}

/**
 * A 16×8 MAC's bias as a pointer to the te_s16_bias its kernel reads (a compound literal: two words on the stack a
 * call), or NULL: int64 as quantized, or int32 where every value fits (compiler/quantize/prepare/bias-storage.ts:
 * the same sums, 4 bytes a channel less flash).
 */
export function bias16(ctx: RenderContext, node: Node): string {
  const name = node.inputs[2];
  if (name === undefined) return 'NULL';
  const t = tensorOf(ctx.g, name);
  if ((t.dtype !== 'int32' && t.dtype !== 'int64') || !t.data)
    throw new TinyedgeError('TE401', `bias '${name}' must be a constant int32 or int64 tensor, got ${t.dtype}`);
  const narrow = int32BiasValues(t.data as Int32Array | BigInt64Array);
  if (!narrow) return `&(const te_s16_bias){${constant(ctx, name)}, 0}`;
  const array =
    t.dtype === 'int32'
      ? constant(ctx, name)
      : ctx.pool.add(`${name}\0int32`, 'int32_t', narrow, `${name} ${t.shape.join('x')}, int64 values stored as int32`);
  return `&(const te_s16_bias){${array}, 1}`;
}

export function operand(ctx: RenderContext, name: string): string {
  return tensorOf(ctx.g, name).data ? constant(ctx, name) : act(ctx, name);
}

/** `static const T name = init;` inside the node's block. */
export function local(type: string, name: string, init: string): string {
  return `static const ${type} ${name} = ${init};`;
}

export function bias(ctx: RenderContext, node: Node): string {
  return node.inputs[2] === undefined ? 'NULL' : constant(ctx, node.inputs[2]);
}
