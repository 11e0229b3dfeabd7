/**
 * @fileoverview What a TF op's mapping (op-table.ts and the files beside it) may ask of the importer while it
 * translates one TF node into IR nodes.
 */

import type { OpAttrs, OpName } from '../../ir/ops.ts';
import type { DType } from '../../ir/tensor.ts';
import type { TfAttrs, TfNode } from './tf-node.ts';

/** How a constant input is laid out for the IR. */
export type ConstLayout = 'as-is' | 'conv-filter' | 'depthwise-filter' | 'matmul-weights';

/** What a mapping may ask of the importer while translating one TF node. */
export interface TfMapContext {
  node: TfNode;
  attrs: TfAttrs;
  /** Number of data inputs (control inputs excluded). */
  inputCount: number;
  /** IR tensor of data input i (constants materialize as they are). */
  input(i: number): string;
  /** IR constant of data input i in the given layout; fails if the input is not a constant. */
  constInput(i: number, layout: ConstLayout): string;
  /** Values of a constant input (axes, paddings, shapes). */
  constValues(i: number): number[];
  /** Whether data input i is a constant (a Const node). */
  isConstant(i: number): boolean;
  /** Adds a constant the TF node implies (LeakyRelu's slope); its name is a suffix of the node's. */
  constant(suffix: string, shape: number[], data: Float32Array): string;
  /** Shape of an IR tensor. */
  shapeOf(name: string): number[];
  /** Element type of an IR tensor. */
  dtypeOf(name: string): DType;
  /** A reshape of `input` (−1 allowed once); looks through earlier reshapes and returns `input` when nothing changes. */
  reshape(input: string, shape: number[]): string;
  /** Adds an IR node; `final` nodes take the TF node's name, others a suffix of it. */
  emit<K extends OpName>(op: K, inputs: string[], attrs: OpAttrs<K>, suffix?: string): string;
}

/** Translates one TF node and returns the IR tensor holding its output 0. */
export type TfOpMapping = (ctx: TfMapContext) => string | readonly string[];
