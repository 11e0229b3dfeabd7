/** @fileoverview Geometry of a 2-D window op (conv, depthwise, pooling) over an NHWC input, shared by both interpreters. */
import { Pads4 } from '../ir/attrs.ts';
import { Tensor } from '../ir/tensor.ts';

/** Input size, output size, kernel size, strides, dilations and explicit pads. */
export interface Window2d {
  n: number;
  h: number;
  w: number;
  c: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  strides: [number, number];
  dilations: [number, number];
  pads: Pads4;
}

/** The window of a node from its input and output tensors and its attributes. */
export function windowOf(input: Tensor, out: Tensor, kh: number, kw: number, a: { strides: [number, number]; pads: Pads4; dilations?: [number, number] }): Window2d {
  const [n, h, w, c] = input.shape;
  return { n, h, w, c, oh: out.shape[1], ow: out.shape[2], kh, kw, strides: a.strides, dilations: a.dilations ?? [1, 1], pads: a.pads };
}
