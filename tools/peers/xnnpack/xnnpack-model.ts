/**
 * @fileoverview The per-model part of the XNNPACK peer: from tinyedge's quantized graph (the one the bench compiles),
 * the operator table model-ops.h that driver.c turns into XNNPACK operators, and the weights file it reads (int8
 * kernels in XNNPACK's layout, float32 per-channel kernel scales, int32 biases). Ops XNNPACK's 2022 snapshot cannot
 * run on int8 end the model with a clear error, never a substitute.
 */
import { type Graph, type Node, tensorOf } from '../../../compiler/ir/graph.ts';
import type { Quantization, Tensor } from '../../../compiler/ir/tensor.ts';
import { type Int8Params, int8ParamsOf } from '../../../compiler/quantize/prepare/prepare-int8.ts';

/** The driver's operator table for one model, and the bytes of its weights file. */
export interface XnnpackModel {
  header: string;
  weights: Uint8Array;
  /** XNNPACK operators per kind, for the bench's notes. */
  operators: Record<string, number>;
  /** The graph op each operator runs, in the table's order (a reshape runs none). */
  opOfRow: string[];
}

/** One row of peer-ops.h's `struct peer_op`, by field name. */
type Row = Record<string, number | string | number[]>;

/** XNN_FLAG_DEPTHWISE_CONVOLUTION: the kernel is [kh][kw][channels], TFLite's depthwise layout. */
const DEPTHWISE_FLAG = 1;

function fail(node: Node, why: string): never {
  throw new Error(`XNNPACK cannot run ${node.op} '${node.name}': ${why}`);
}

function quantOf(node: Node, t: Tensor): Quantization {
  if (t.dtype !== 'int8' || !t.quant)
    fail(node, `'${t.name}' is ${t.dtype}; the peer runs int8 models (XNNPACK 2022 has no 16×8 operators)`);
  return t.quant;
}

/** Rank-4 NHWC shape, leading ones added. */
function shape4(shape: readonly number[]): number[] {
  return [...Array<number>(Math.max(0, 4 - shape.length)).fill(1), ...shape];
}

/** The weights file: byte arrays appended at 16-byte boundaries, so float and int32 views are aligned. */
class WeightsFile {
  private parts: Uint8Array[] = [];
  private bytes = 0;

  add(data: ArrayBufferView): number {
    const offset = this.bytes;
    const part = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.parts.push(part);
    this.bytes += part.length;
    const pad = (16 - (this.bytes % 16)) % 16;
    if (pad) this.parts.push(new Uint8Array(pad));
    this.bytes += pad;
    return offset;
  }

  concat(): Uint8Array {
    const out = new Uint8Array(this.bytes);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Kernel, per-channel scales and bias of a conv, depthwise or fully connected node, as XNNPACK's qc8 wants them. */
function macWeights(g: Graph, node: Node, file: WeightsFile, outChannels: number): Row {
  const filter = tensorOf(g, node.inputs[1]!);
  const fq = filter.quant;
  if (filter.dtype !== 'int8' || !(filter.data instanceof Int8Array) || !fq)
    fail(node, 'its filter is not constant int8');
  if (fq.zeroPoint.some((z) => z !== 0)) fail(node, 'qc8 kernels are symmetric (zero point 0)');
  const scales = Float32Array.from({ length: outChannels }, (_, c) => fq.scale[fq.scale.length === 1 ? 0 : c]!);
  const biasName = node.inputs[2];
  const bias = biasName ? tensorOf(g, biasName).data : new Int32Array(outChannels);
  if (!(bias instanceof Int32Array)) fail(node, 'its bias is not constant int32');
  return {
    kernel_offset: file.add(filter.data),
    scale_offset: file.add(scales),
    bias_offset: file.add(bias),
  };
}

/** The operator row of one node that runs (a reshape that only aliases its input never gets here). */
function rowOf(g: Graph, node: Node, p: Int8Params | undefined, file: WeightsFile, buffer: (t: string) => number): Row {
  const input = tensorOf(g, node.inputs[0]!);
  const output = tensorOf(g, node.outputs[0]!);
  const iq = quantOf(node, input);
  const oq = quantOf(node, output);
  const io = {
    input: buffer(input.name),
    output: buffer(output.name),
    input_zero_point: iq.zeroPoint[0]!,
    input_scale: iq.scale[0]!,
    output_zero_point: oq.zeroPoint[0]!,
    output_scale: oq.scale[0]!,
    shape: shape4(input.shape),
  };
  const clamp = (q: Int8Params | undefined) =>
    q && 'actMin' in q ? { output_min: q.actMin, output_max: q.actMax } : { output_min: -128, output_max: 127 };
  switch (node.op) {
    case 'conv2d':
    case 'depthwise_conv2d': {
      const [o, kh, kw] = tensorOf(g, node.inputs[1]!).shape as [number, number, number];
      const c = input.shape[3]!;
      const depthwise = node.op === 'depthwise_conv2d';
      const m = depthwise ? node.attrs.depthMultiplier : 0;
      const [top, bottom, left, right] = node.attrs.pads as [number, number, number, number];
      return {
        kind: 'PEER_CONV',
        ...io,
        ...clamp(p),
        padding: [top, right, bottom, left],
        kernel_h: kh,
        kernel_w: kw,
        stride_h: node.attrs.strides[0],
        stride_w: node.attrs.strides[1],
        dilation_h: node.attrs.dilations[0],
        dilation_w: node.attrs.dilations[1],
        groups: depthwise ? c : 1,
        group_in: depthwise ? 1 : c,
        group_out: depthwise ? m : o,
        flags: depthwise ? DEPTHWISE_FLAG : 0,
        ...macWeights(g, node, file, depthwise ? c * m : o),
      };
    }
    case 'fully_connected': {
      // A fully connected layer with per-channel scales is a 1×1 convolution (2022's qs8 FC has one kernel scale).
      const [o, k] = tensorOf(g, node.inputs[1]!).shape as [number, number];
      const rows = input.shape.reduce((a, b) => a * b, 1) / k;
      return {
        kind: 'PEER_CONV',
        ...io,
        ...clamp(p),
        shape: [rows, 1, 1, k],
        kernel_h: 1,
        kernel_w: 1,
        stride_h: 1,
        stride_w: 1,
        dilation_h: 1,
        dilation_w: 1,
        groups: 1,
        group_in: k,
        group_out: o,
        ...macWeights(g, node, file, o),
      };
    }
    case 'add': {
      const b = tensorOf(g, node.inputs[1]!);
      const bq = quantOf(node, b);
      return {
        kind: 'PEER_ADD',
        ...io,
        ...clamp(p),
        input2: buffer(b.name),
        input2_zero_point: bq.zeroPoint[0]!,
        input2_scale: bq.scale[0]!,
        shape2: shape4(b.shape),
      };
    }
    case 'mean': {
      const axes = node.attrs.axes.map((a) => (a < 0 ? a + input.shape.length : a)).sort();
      if (input.shape.length !== 4 || axes.join() !== '1,2')
        fail(node, 'only a mean over height and width (global average pooling) has an int8 operator');
      return { kind: 'PEER_GLOBAL_AVERAGE', ...io, output_min: -128, output_max: 127 };
    }
    case 'avg_pool2d': {
      const [, h, w] = input.shape as [number, number, number];
      if (node.attrs.filter[0] !== h || node.attrs.filter[1] !== w || node.attrs.pads.some((v) => v !== 0))
        fail(node, 'XNNPACK 2022 averages int8 only globally (its windowed average pooling is uint8 only)');
      return { kind: 'PEER_GLOBAL_AVERAGE', ...io, ...clamp(p) };
    }
    case 'pad': {
      if (p?.kind !== 'pad' || node.attrs.pads.length !== 4) fail(node, 'pads a rank-4 tensor only');
      return {
        kind: 'PEER_PAD',
        ...io,
        shape2: node.attrs.pads.map((d) => d[0]!),
        shape3: node.attrs.pads.map((d) => d[1]!),
        output_min: p.value,
      };
    }
    case 'softmax': {
      if (node.attrs.beta !== 1) fail(node, 'XNNPACK has no softmax beta');
      if (oq.scale[0] !== 1 / 256 || oq.zeroPoint[0] !== -128)
        fail(node, 'its uint8 softmax writes scale 1/256, zero point 0 (int8: -128) only');
      const depth = input.shape[input.shape.length - 1]!;
      return { kind: 'PEER_SOFTMAX', ...io, shape: [1, 1, input.shape.reduce((a, b) => a * b, 1) / depth, depth] };
    }
    default:
      return fail(node, 'the 2022 XNNPACK operator API has no int8 form of it that the peer maps');
  }
}

/** A reshape or identity with the same quantization on both sides is a no-op: its output is its input's bytes. */
function isAlias(g: Graph, node: Node): boolean {
  if (node.op !== 'reshape' && node.op !== 'identity') return false;
  const a = tensorOf(g, node.inputs[0]!).quant;
  const b = tensorOf(g, node.outputs[0]!).quant;
  if (a?.scale[0] !== b?.scale[0] || a?.zeroPoint[0] !== b?.zeroPoint[0])
    fail(node, 'a requantizing reshape has no int8 XNNPACK operator');
  return true;
}

const C_FIELDS = (row: Row) =>
  Object.entries(row)
    .map(([k, v]) => `.${k} = ${Array.isArray(v) ? `{${v.join(', ')}}` : typeof v === 'number' ? cNumber(k, v) : v}`)
    .join(', ');

/** Scales as float literals with every digit (float32 reads the same value); everything else as integers. */
function cNumber(field: string, v: number): string {
  return field.endsWith('_scale') ? `${v.toPrecision(17)}f` : String(v);
}

/** Builds the operator table and weights file for an int8 graph with one input and one output. */
export function xnnpackModel(g: Graph): XnnpackModel {
  if (g.inputs.length !== 1 || g.outputs.length !== 1)
    throw new Error('XNNPACK peer: the driver runs models with one input and one output');
  const params = int8ParamsOf(g);
  const buffers = new Map<string, number>();
  const sizes: number[] = [];
  const buffer = (name: string) => {
    let i = buffers.get(name);
    if (i === undefined) {
      i = sizes.length;
      buffers.set(name, i);
      sizes.push(tensorOf(g, name).shape.reduce((a, b) => a * b, 1));
    }
    return i;
  };
  buffer(g.inputs[0]!);
  const file = new WeightsFile();
  const rows: Row[] = [];
  const opOfRow: string[] = [];
  for (const node of g.nodes) {
    if (isAlias(g, node)) {
      buffers.set(node.outputs[0]!, buffer(node.inputs[0]!));
      continue;
    }
    rows.push({ input2: -1, ...rowOf(g, node, params.get(node.name), file, buffer) });
    opOfRow.push(node.op);
  }
  const weights = file.concat();
  const operators: Record<string, number> = {};
  for (const r of rows) operators[String(r.kind)] = (operators[String(r.kind)] ?? 0) + 1;
  const header = [
    '/* Generated by tools/peers/xnnpack/xnnpack-model.ts from the quantized graph: do not edit. */',
    '#include "peer-ops.h"',
    `#define PEER_OP_COUNT ${rows.length}`,
    `#define PEER_BUFFER_COUNT ${sizes.length}`,
    `#define PEER_INPUT ${buffer(g.inputs[0]!)}`,
    `#define PEER_OUTPUT ${buffer(g.outputs[0]!)}`,
    `#define PEER_WEIGHT_BYTES ${weights.length}u`,
    `static const size_t PEER_BUFFER_BYTES[PEER_BUFFER_COUNT] = {${sizes.join(', ')}};`,
    'static const struct peer_op PEER_OPS[PEER_OP_COUNT] = {',
    ...rows.map((r) => `  {${C_FIELDS(r)}},`),
    '};',
    '',
  ].join('\n');
  return { header, weights, operators, opOfRow };
}
