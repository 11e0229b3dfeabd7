/**
 * @fileoverview QLinearConv's weights read back as an IR filter: ONNX's [O, I, KH, KW] int8 weights with their
 * symmetric per-tensor or per-channel scales become a conv2d filter [O, KH, KW, I] (group 1) or a depthwise filter
 * [1, KH, KW, O] (group = C, I = 1). Scales are the file's, exactly.
 */

import type { Quantization } from '../../ir/tensor.ts';
import { checkKernelShape, constantOf, fail } from './onnx-node.ts';
import type { OnnxModelRecord, OnnxNodeRecord } from './read-model.ts';

/** An IR filter: which convolution reads it, its NHWC-ordered data and shape, and its quantization. */
export interface IrFilter {
  op: 'conv2d' | 'depthwise_conv2d';
  shape: number[];
  data: Int8Array;
  quant: Quantization;
  outChannels: number;
}

/** The filter of QLinearConv `n` (weights `wName`, scale `ws`, zero point `wz`) over an input of `c` channels. */
export function qlinearConvFilter(
  m: OnnxModelRecord,
  n: OnnxNodeRecord,
  wName: string,
  ws: string,
  wz: string,
  c: number,
  group: number,
): IrFilter {
  const w = constantOf(m, wName);
  if (w.type !== 'int8' || w.dims.length !== 4) fail(`weights '${wName}' must be int8 [O, I, KH, KW]`);
  const [wsc, wzp] = [constantOf(m, ws), constantOf(m, wz)];
  if (wsc.type !== 'float' || wzp.type !== 'int8') fail(`weights '${wName}' need a float scale and an int8 zero point`);
  const wScale = Array.from(wsc.data);
  if (wzp.data.length !== wScale.length)
    fail(`weights '${wName}' have ${wScale.length} scales but ${wzp.data.length} zero points`);
  if (Array.from(wzp.data).some((z) => z !== 0))
    fail(`weights '${wName}' have a non-zero zero point: tinyedge's int8 weights are symmetric`);
  const [o, i, kh, kw] = w.dims as [number, number, number, number];
  checkKernelShape(n, kh, kw);
  // ONNX Runtime refuses a per-channel scale whose length is not the output channels.
  if (wScale.length !== 1 && wScale.length !== o)
    fail(`weights '${wName}' have ${wScale.length} scales for ${o} output channels`);
  const quant: Quantization =
    wScale.length === 1
      ? { scale: wScale, zeroPoint: [0] }
      : { scale: wScale, zeroPoint: wScale.map(() => 0), axis: 0 };
  const src = w.data as Int8Array;
  if (group === 1) {
    if (i !== c) fail(`weights '${wName}' expect ${i} input channels, the input has ${c}`);
    const ohwi = new Int8Array(src.length);
    for (let oc = 0; oc < o; oc++)
      for (let ci = 0; ci < i; ci++)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++)
            ohwi[((oc * kh + y) * kw + x) * i + ci] = src[((oc * i + ci) * kh + y) * kw + x]!;
    return { op: 'conv2d', shape: [o, kh, kw, i], data: ohwi, quant, outChannels: o };
  }
  if (group === c && i === 1) {
    const hwc = new Int8Array(src.length);
    for (let oc = 0; oc < o; oc++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) hwc[(y * kw + x) * o + oc] = src[(oc * kh + y) * kw + x]!;
    const perChannel = quant.axis === undefined ? quant : { ...quant, axis: 3 };
    return { op: 'depthwise_conv2d', shape: [1, kh, kw, o], data: hwc, quant: perChannel, outChannels: o };
  }
  return fail(`group ${group} over ${c} channels is neither a regular (1) nor a depthwise (${c}) convolution`);
}
