/**
 * @fileoverview int8 IR → .tflite, so TFLM users can run the models tinyedge quantized: the same int8 weights,
 * int32 biases, scales and zero points, int8 input and output, NHWC as TFLite is. Each IR op becomes its builtin;
 * a window op's explicit pads become SAME or VALID when they equal TF's rule for it, and otherwise an int8 PAD (with
 * the zero point, which is what IR padding means) in front of a VALID op. Scales are written as float32, as the
 * schema stores them; tinyedge's quantizer makes float32 scales, so import(export(model)) computes the same.
 */

import { withPlace } from '../../errors.ts';
import { BUILTIN_CODE, FIELD, OPTIONS_TYPE, TYPE_CODE } from '../../formats/tflite/schema.ts';
import type { Pads4 } from '../../ir/attrs.ts';
import { type Graph, type Node, type NodeOf, tensorOf } from '../../ir/graph.ts';
import { tfPads, transposeConvPads } from '../../ir/padding.ts';
import { indexQuant, type Quantization, type Tensor } from '../../ir/tensor.ts';
import { tupleOf } from '../../ir/tuple.ts';
import { activationType, quantizeValue, RANGE_OF } from '../../quantize/prepare/quant-params.ts';
import { ACTIVATION_CODE, activationOf, builtinVersion, builtinVersion16x8, fail } from './tflite-builtins.ts';
import {
  type TfliteModelRecord,
  type TfliteOptionField,
  type TfliteOptionsRecord,
  type TfliteTensorRecord,
  writeTflite,
} from './write-model.ts';

const int8 = (field: number, value: number): TfliteOptionField => ({ field, kind: 'int8', value });
const int32 = (field: number, value: number): TfliteOptionField => ({ field, kind: 'int32', value });

class Int8TfliteExport {
  private readonly record: TfliteModelRecord = {
    description: 'tinyedge int8 export',
    opcodes: [],
    tensors: [],
    operators: [],
    inputs: [],
    outputs: [],
    buffers: [new Uint8Array(0)],
  };
  private readonly index = new Map<string, number>();
  private readonly opcodeIndex = new Map<string, number>();
  /** TopK nodes already written by their sibling's TOPK_V2. */
  private readonly pairedTopK = new Set<string>();

  constructor(private readonly g: Graph) {}

  /** The .tflite index of IR tensor `name`, adding it (and its data as a buffer) on first use. */
  tensor(name: string): number {
    const known = this.index.get(name);
    if (known !== undefined) return known;
    return this.addTensor(tensorOf(this.g, name));
  }

  private addTensor(t: Tensor): number {
    const type =
      t.dtype === 'f32' || t.dtype === 'uint8'
        ? fail(`tensor '${t.name}' is ${t.dtype}; an integer export holds int8, int16, int32 and int64 tensors`)
        : TYPE_CODE[t.dtype];
    // TFLite's schema has INT4, but the TFLite runtime tinyedge checks its exports on (@tensorflow/tfjs-tflite) cannot
    // run it; writing the values as INT8 would compute the same but silently double the flash the layer was chosen for.
    if (t.quant?.bits === 4)
      fail(
        `weights '${t.name}' are 4-bit (--precision int4w), which tinyedge does not export to .tflite: quantize this layer int8 or 16x8 to export`,
      );
    let buffer = 0;
    if (t.data) {
      buffer = this.record.buffers.length;
      this.record.buffers.push(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice());
    }
    const rec: TfliteTensorRecord = {
      name: t.name,
      shape: [...t.shape],
      type,
      buffer,
      ...(t.quant ? { quant: this.quantRecord(t.quant) } : {}),
    };
    this.record.tensors.push(rec);
    const i = this.record.tensors.length - 1;
    this.index.set(t.name, i);
    return i;
  }

  private quantRecord(q: Quantization): NonNullable<TfliteTensorRecord['quant']> {
    return { scale: [...q.scale], zeroPoint: [...q.zeroPoint], quantizedDimension: q.axis ?? 0 };
  }

  /** A new int32 constant (shapes, axes, paddings), without quantization. */
  private int32Constant(name: string, shape: number[], values: number[]): number {
    return this.addTensor({ name, shape, dtype: 'int32', data: Int32Array.from(values) });
  }

  /** A new activation tensor like `like` (type, quantization) in another shape (the output of an inserted PAD). */
  private activation(name: string, shape: number[], like: Tensor): number {
    return this.addTensor({ name, shape, dtype: like.dtype, quant: like.quant });
  }

  private op(
    name: string,
    inputs: number[],
    outputs: number[],
    options?: TfliteOptionsRecord,
    base = builtinVersion(name),
  ): void {
    const int16 = this.record.tensors[outputs[0]!]!.type === TYPE_CODE.int16;
    const version = int16 ? Math.max(base, builtinVersion16x8(name)) : base;
    let opcode = this.opcodeIndex.get(name);
    if (opcode === undefined) {
      opcode = this.record.opcodes.length;
      this.record.opcodes.push({ code: BUILTIN_CODE[name] ?? fail(`${name} is not in the TFLite schema`), version });
      this.opcodeIndex.set(name, opcode);
    }
    const code = this.record.opcodes[opcode]!;
    code.version = Math.max(code.version, version);
    this.record.operators.push({ opcodeIndex: opcode, inputs, outputs, ...(options ? { options } : {}) });
  }

  /**
   * The input of a window op with its pads said as SAME/VALID: for a convolution, padded explicitly first when TF's
   * rule can't say them (pooling skips out-of-bounds taps, which no PAD can mimic, so it must be SAME or VALID).
   */
  private windowInput(
    node: Node,
    pads: Pads4,
    kh: number,
    kw: number,
    strides: [number, number],
    dilations: [number, number],
  ): { input: number; padding: number } {
    const x = tensorOf(this.g, node.inputs[0]!);
    const [, h, w] = tupleOf(x.shape, 3);
    const same = tfPads('SAME', h, w, kh, kw, strides, dilations);
    if (pads.every((p) => p === 0)) return { input: this.tensor(x.name), padding: 1 };
    if (pads.every((p, i) => p === same[i])) return { input: this.tensor(x.name), padding: 0 };
    if (node.op === 'avg_pool2d' || node.op === 'max_pool2d')
      fail(`pooling pads ${pads.join(',')} are neither SAME (${same.join(',')}) nor VALID`);
    const [t, b, l, r] = pads;
    const paddings = this.int32Constant(`${node.name}/paddings`, [4, 2], [0, 0, t, b, l, r, 0, 0]);
    const padded = this.activation(`${node.name}/padded`, [x.shape[0]!, h + t + b, w + l + r, x.shape[3]!], x);
    this.op('PAD', [this.tensor(x.name), paddings], [padded], { type: OPTIONS_TYPE.pad, fields: [] });
    return { input: padded, padding: 1 };
  }

  /**
   * The inputs of a concat in the output's quantization: TFLite's int8 and int16 CONCATENATION require every input to
   * share it, so an input quantized otherwise goes through a QUANTIZE first, which requantizes as the IR concat does.
   */
  private concatInputs(node: Node): number[] {
    const y = tensorOf(this.g, node.outputs[0]!);
    const q = y.quant as Quantization;
    return node.inputs.map((name, i) => {
      const x = tensorOf(this.g, name);
      const xq = x.quant as Quantization;
      if (xq.scale[0] === q.scale[0] && xq.zeroPoint[0] === q.zeroPoint[0]) return this.tensor(name);
      const requantized = this.activation(`${node.name}/requantized_${i}`, [...x.shape], y);
      this.op('QUANTIZE', [this.tensor(name)], [requantized]);
      return requantized;
    });
  }

  node(node: Node): void {
    const out = [this.tensor(node.outputs[0]!)];
    const ins = () => node.inputs.map((i) => this.tensor(i));
    switch (node.op) {
      case 'conv2d':
      case 'depthwise_conv2d': {
        const [, kh, kw] = tupleOf(tensorOf(this.g, node.inputs[1]!).shape, 3);
        const a = node.attrs;
        const { input, padding } = this.windowInput(node, a.pads, kh, kw, a.strides, a.dilations);
        const inputs = [input, ...node.inputs.slice(1).map((i) => this.tensor(i))];
        if (node.op === 'conv2d') {
          const C = FIELD.conv2dOptions;
          const fields = [
            int8(C.padding, padding),
            int32(C.strideW, a.strides[1]),
            int32(C.strideH, a.strides[0]),
            int8(C.activation, activationOf(a.clamp)),
            int32(C.dilationW, a.dilations[1]),
            int32(C.dilationH, a.dilations[0]),
          ];
          this.op('CONV_2D', inputs, out, { type: OPTIONS_TYPE.conv2d, fields });
        } else {
          const D = FIELD.depthwiseOptions;
          const fields = [
            int8(D.padding, padding),
            int32(D.strideW, a.strides[1]),
            int32(D.strideH, a.strides[0]),
            int32(D.depthMultiplier, node.attrs.depthMultiplier),
            int8(D.activation, activationOf(a.clamp)),
            int32(D.dilationW, a.dilations[1]),
            int32(D.dilationH, a.dilations[0]),
          ];
          this.op('DEPTHWISE_CONV_2D', inputs, out, { type: OPTIONS_TYPE.depthwise, fields });
        }
        return;
      }
      case 'fully_connected': {
        const F = FIELD.fullyConnectedOptions;
        const keep = tensorOf(this.g, node.inputs[0]!).shape.length !== 2;
        this.op('FULLY_CONNECTED', ins(), out, {
          type: OPTIONS_TYPE.fullyConnected,
          fields: [
            int8(F.activation, activationOf(node.attrs.clamp)),
            int8(F.weightsFormat, 0),
            int8(F.keepNumDims, keep ? 1 : 0),
          ],
        });
        return;
      }
      case 'add':
        // pot_scale_int16 false: TFLite then runs int16 adds with general scales, as TFLM (and tinyedge) always do.
        this.op('ADD', ins(), out, {
          type: OPTIONS_TYPE.add,
          fields: [
            int8(FIELD.addOptions.activation, activationOf(node.attrs.clamp)),
            int8(FIELD.addOptions.potScaleInt16, 0),
          ],
        });
        return;
      case 'mul':
        this.op('MUL', ins(), out, {
          type: OPTIONS_TYPE.mul,
          fields: [int8(FIELD.mulOptions.activation, activationOf(node.attrs.clamp))],
        });
        return;
      case 'avg_pool2d':
      case 'max_pool2d': {
        const a = node.attrs;
        const { input, padding } = this.windowInput(node, a.pads, a.filter[0], a.filter[1], a.strides, [1, 1]);
        const P = FIELD.pool2dOptions;
        const fields = [
          int8(P.padding, padding),
          int32(P.strideW, a.strides[1]),
          int32(P.strideH, a.strides[0]),
          int32(P.filterW, a.filter[1]),
          int32(P.filterH, a.filter[0]),
          int8(P.activation, activationOf(a.clamp)),
        ];
        this.op(node.op === 'avg_pool2d' ? 'AVERAGE_POOL_2D' : 'MAX_POOL_2D', [input], out, {
          type: OPTIONS_TYPE.pool2d,
          fields,
        });
        return;
      }
      case 'mean':
      case 'reduce_max': {
        const axes = this.int32Constant(`${node.name}/axes`, [node.attrs.axes.length], node.attrs.axes);
        this.op(node.op === 'mean' ? 'MEAN' : 'REDUCE_MAX', [this.tensor(node.inputs[0]!), axes], out, {
          type: OPTIONS_TYPE.reducer,
          fields: [int8(FIELD.reducerOptions.keepDims, node.attrs.keepDims ? 1 : 0)],
        });
        return;
      }
      case 'pad': {
        const p = node.attrs.pads;
        const paddings = this.int32Constant(`${node.name}/paddings`, [p.length, 2], p.flat());
        if (node.attrs.value === 0) {
          this.op('PAD', [this.tensor(node.inputs[0]!), paddings], out, { type: OPTIONS_TYPE.pad, fields: [] });
          return;
        }
        // Another value is PADV2's constant of the activation type, in the (shared) quantization of input and output.
        const y = tensorOf(this.g, node.outputs[0]!);
        const q = y.quant as Quantization;
        const type = activationType(y.dtype);
        const v = quantizeValue(node.attrs.value, q.scale[0]!, q.zeroPoint[0]!, ...RANGE_OF[type]);
        const value = this.addTensor({
          name: `${node.name}/value`,
          shape: [],
          dtype: type,
          data: type === 'int8' ? Int8Array.of(v) : Int16Array.of(v),
          quant: q,
        });
        this.op('PADV2', [this.tensor(node.inputs[0]!), paddings, value], out, {
          type: OPTIONS_TYPE.padV2,
          fields: [],
        });
        return;
      }
      case 'concat':
        this.op('CONCATENATION', this.concatInputs(node), out, {
          type: OPTIONS_TYPE.concatenation,
          fields: [
            int32(FIELD.concatenationOptions.axis, node.attrs.axis),
            int8(FIELD.concatenationOptions.activation, 0),
          ],
        });
        return;
      case 'reshape': {
        const shape = tensorOf(this.g, node.outputs[0]!).shape;
        const target = this.int32Constant(`${node.name}/shape`, [shape.length], shape);
        this.op('RESHAPE', [this.tensor(node.inputs[0]!), target], out, {
          type: OPTIONS_TYPE.reshape,
          fields: [{ field: FIELD.reshapeOptions.newShape, kind: 'int32s', value: shape }],
        });
        return;
      }
      case 'softmax':
        this.op('SOFTMAX', ins(), out, {
          type: OPTIONS_TYPE.softmax,
          fields: [{ field: FIELD.softmaxOptions.beta, kind: 'float32', value: node.attrs.beta }],
        });
        return;
      case 'logistic':
        this.op('LOGISTIC', ins(), out);
        return;
      case 'clamp': {
        // The IR clamp requantizes and clamps, as TFLite's int8 RELU family and QUANTIZE do.
        const code = activationOf(node.attrs.clamp);
        const name =
          code === ACTIVATION_CODE.NONE
            ? 'QUANTIZE'
            : code === ACTIVATION_CODE.RELU
              ? 'RELU'
              : code === ACTIVATION_CODE.RELU6
                ? 'RELU6'
                : 'RELU_N1_TO_1';
        this.op(name, ins(), out);
        return;
      }
      case 'resize_nearest':
      case 'resize_bilinear': {
        const a = node.attrs;
        const size = this.int32Constant(`${node.name}/size`, [2], a.size);
        const [name, type, F] =
          node.op === 'resize_bilinear'
            ? (['RESIZE_BILINEAR', OPTIONS_TYPE.resizeBilinear, FIELD.resizeBilinearOptions] as const)
            : ([
                'RESIZE_NEAREST_NEIGHBOR',
                OPTIONS_TYPE.resizeNearestNeighbor,
                FIELD.resizeNearestNeighborOptions,
              ] as const);
        const fields = [
          int8(F.alignCorners, a.alignCorners ? 1 : 0),
          int8(F.halfPixelCenters, a.halfPixelCenters ? 1 : 0),
        ];
        this.op(name, [this.tensor(node.inputs[0]!), size], out, { type, fields }, a.halfPixelCenters ? 3 : 2);
        return;
      }
      case 'transpose_conv2d': {
        const a = node.attrs;
        const x = tensorOf(this.g, node.inputs[0]!).shape;
        const [, kh, kw] = tupleOf(tensorOf(this.g, node.inputs[1]!).shape, 3);
        const y = tensorOf(this.g, node.outputs[0]!).shape;
        // TFLite says the crop as SAME or VALID top/left pads; the output shape says the rest.
        const padding =
          a.pads[0] === 0 && a.pads[2] === 0
            ? 1
            : transposeConvPads('SAME', x[1]!, x[2]!, y[1]!, y[2]!, kh, kw, a.strides).every((p, i) => p === a.pads[i])
              ? 0
              : -1;
        if (padding < 0)
          fail(`transpose conv pads ${a.pads.join(',')} are neither SAME nor VALID for its ${y[1]}×${y[2]} output`);
        const shape = this.int32Constant(`${node.name}/output_shape`, [4], y);
        const inputs = [
          shape,
          this.tensor(node.inputs[1]!),
          this.tensor(node.inputs[0]!),
          ...(node.inputs[2] === undefined ? [] : [this.tensor(node.inputs[2])]),
        ];
        const T = FIELD.transposeConvOptions;
        const act = activationOf(a.clamp);
        const fields = [
          int8(T.padding, padding),
          int32(T.strideW, a.strides[1]),
          int32(T.strideH, a.strides[0]),
          int8(T.activation, act),
        ];
        this.op(
          'TRANSPOSE_CONV',
          inputs,
          out,
          { type: OPTIONS_TYPE.transposeConv, fields },
          act !== ACTIVATION_CODE.NONE ? 4 : node.inputs[2] === undefined ? 2 : 3,
        );
        return;
      }
      case 'arg_max': {
        // TFLite's ARG_MAX takes the axis as a tensor; its int8 form (version 2) writes int32 indices.
        if (tensorOf(this.g, node.inputs[0]!).dtype !== 'int8') fail('ARG_MAX has no 16×8 form in TFLite');
        const axis = this.int32Constant(`${node.name}/axis`, [1], [node.attrs.axis]);
        this.op('ARG_MAX', [this.tensor(node.inputs[0]!), axis], out, {
          type: OPTIONS_TYPE.argMax,
          fields: [int8(FIELD.argMaxOptions.outputType, TYPE_CODE.int32)],
        });
        return;
      }
      case 'transpose': {
        const perm = this.int32Constant(`${node.name}/perm`, [node.attrs.perm.length], node.attrs.perm);
        // Version 4 is TFLite's for more than four axes.
        const version = node.attrs.perm.length > 4 ? 4 : undefined;
        this.op(
          'TRANSPOSE',
          [this.tensor(node.inputs[0]!), perm],
          out,
          { type: OPTIONS_TYPE.transpose, fields: [] },
          version,
        );
        return;
      }
      case 'top_k_values':
      case 'top_k_indices':
        this.topK(node, out[0]!);
        return;
      case 'sub':
      case 'batch_norm':
      case 'identity':
      case 'prelu':
        fail(`${node.op} has no int8 TFLite form`);
    }
  }

  /**
   * TFLite's TOPK_V2 writes values and indices: one operator for the IR pair reading the same input with the same k
   * (the second of the pair adds nothing), a tensor nobody reads for a missing half.
   */
  private topK(node: NodeOf<'top_k_values' | 'top_k_indices'>, written: number): void {
    if (this.pairedTopK.has(node.name)) return;
    const x = tensorOf(this.g, node.inputs[0]!);
    if (x.dtype !== 'int8') fail('TOPK_V2 has no 16×8 form in TFLite');
    const other = node.op === 'top_k_values' ? 'top_k_indices' : 'top_k_values';
    const sibling = this.g.nodes.find(
      (n) => n.op === other && n.inputs[0] === node.inputs[0] && n.attrs.k === node.attrs.k,
    );
    if (sibling) this.pairedTopK.add(sibling.name);
    const shape = tensorOf(this.g, node.outputs[0]!).shape;
    const half = (op: string, make: () => number) =>
      node.op === op ? written : sibling ? this.tensor(sibling.outputs[0]!) : make();
    const values = half('top_k_values', () => this.activation(`${node.name}/values`, shape, x));
    const indices = half('top_k_indices', () =>
      this.addTensor({ name: `${node.name}/indices`, shape, dtype: 'int32', quant: indexQuant() }),
    );
    const k = this.int32Constant(`${node.name}/k`, [], [node.attrs.k]);
    this.op('TOPK_V2', [this.tensor(x.name), k], [values, indices], { type: OPTIONS_TYPE.topKV2, fields: [] });
  }

  finish(): Uint8Array {
    this.record.inputs = this.g.inputs.map((i) => this.tensor(i));
    this.record.outputs = this.g.outputs.map((o) => this.tensor(o));
    return writeTflite(this.record);
  }
}

/** The int8 graph as .tflite bytes; a node TFLite cannot express fails naming it. */
export function exportInt8Tflite(g: Graph): Uint8Array {
  const e = new Int8TfliteExport(g);
  for (const i of g.inputs) e.tensor(i);
  for (const node of g.nodes) withPlace({ file: g.source, node: node.name, op: node.op }, () => e.node(node));
  return e.finish();
}
