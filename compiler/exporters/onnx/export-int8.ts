/**
 * @fileoverview int8 IR → ONNX, so ONNX Runtime runs exactly our quantized model: the same int8 weights, int32
 * biases, scales and zero points. The model's input and outputs stay int8 NHWC; inside, 4-D activations move to
 * NCHW (ONNX's layout) with one Transpose at the edges.
 *
 * Mapping: conv2d, depthwise_conv2d (group = C) and fully_connected (a 1×1 conv) → QLinearConv with per-channel
 * weight scales; add/mul → com.microsoft QLinearAdd/QLinearMul; avg_pool2d → com.microsoft QLinearAveragePool
 * (padding not counted); max_pool2d → MaxPool; pad, reshape, concat (same quantization) → Pad, Reshape, Concat
 * on int8; softmax, logistic, mean and requantizing concat → DequantizeLinear, the float op, QuantizeLinear.
 * A fused clamp narrower than the int8 range becomes a Clip on int8. ORT requantizes in float (scale products,
 * round half to even) where tinyedge uses TFLite's Q31 fixed point, so single values may differ by one step.
 * resize_nearest → two int8 Gathers with the source indices prepare-int8 computes (TFLite's float32 coordinates,
 * which ONNX Resize's coordinate modes need not reproduce), exact; resize_bilinear → DequantizeLinear, Gathers of the
 * four taps weighted with TFLite's Q10 fractions, QuantizeLinear (one step off on ties). transpose, reduce_max →
 * Transpose, ReduceMax on int8; arg_max → ArgMax, top_k_values/top_k_indices → one TopK on int8, their int64
 * indices Cast to the IR's int32 (exact). Refused: transpose_conv2d, as
 * ONNX has no int8 ConvTranspose (no QLinear form in the default domain) and ONNX Runtime's CPU provider runs
 * ConvTranspose on float only.
 */

import { TinyedgeError, withPlace } from '../../errors.ts';
import { type Graph, type Node, tensorOf } from '../../ir/graph.ts';
import { type Quantization, sizeOf, type Tensor } from '../../ir/tensor.ts';
import { tupleOf } from '../../ir/tuple.ts';
import { prepareInt8Node } from '../../quantize/prepare/prepare-int8.ts';
import { OnnxGraphBuilder } from './onnx-builder.ts';
import { resizeBilinearGathers, resizeNearestGathers } from './resize-gathers.ts';

/** Where an IR tensor lives in the ONNX graph and in which layout. */
interface Placed {
  name: string;
  layout: 'nchw' | 'plain';
}

/** NCHW axis i holds NHWC axis NHWC_OF_NCHW[i]. */
const NHWC_OF_NCHW = [0, 3, 1, 2];
const NCHW_AXIS_OF_NHWC = [0, 2, 3, 1];

class Int8OnnxExport {
  readonly b = new OnnxGraphBuilder();
  private readonly placed = new Map<string, Placed>();
  private readonly converted = new Map<string, string>();
  private readonly topKs = new Map<string, [string, string]>();

  constructor(private readonly g: Graph) {}

  private tensor(name: string): Tensor {
    return tensorOf(this.g, name);
  }

  private quant(name: string): Quantization {
    const q = this.tensor(name).quant;
    if (!q) throw new TinyedgeError('TE402', `tensor '${name}' has no quantization`);
    return q;
  }

  private scaleOf(name: string): string {
    return this.b.scale(`${name}_scale`, this.quant(name).scale[0]!);
  }

  private zeroOf(name: string): string {
    return this.b.zeroPoint(`${name}_zero_point`, this.quant(name).zeroPoint[0]!);
  }

  place(ir: string, p: Placed): void {
    this.placed.set(ir, p);
  }

  private value(ir: string): Placed {
    const p = this.placed.get(ir);
    if (p) return p;
    const t = this.tensor(ir);
    if (!t.data) throw new Error(`internal: '${ir}' not exported yet`);
    if (t.dtype === 'int64' || t.dtype === 'int16')
      throw new TinyedgeError(
        'TE402',
        `constant '${ir}' is ${t.dtype}: 16×8 models export to .tflite only, ONNX has no int16 QLinear ops`,
      );
    const placed: Placed = {
      name: this.b.constant(
        ir,
        t.dtype === 'int8' ? 'int8' : t.dtype === 'int32' ? 'int32' : 'float',
        t.shape,
        t.data as Float32Array | Int8Array | Int32Array,
      ),
      layout: 'plain',
    };
    this.placed.set(ir, placed);
    return placed;
  }

  /** The tensor in NCHW (4-D only), transposing once and remembering it. */
  nchw(ir: string): string {
    return this.inLayout(ir, 'nchw');
  }

  /** The tensor in its IR layout (NHWC for 4-D). */
  plain(ir: string): string {
    return this.inLayout(ir, 'plain');
  }

  private inLayout(ir: string, layout: Placed['layout']): string {
    const p = this.value(ir);
    if (p.layout === layout) return p.name;
    const key = `${ir}\0${layout}`;
    const done = this.converted.get(key);
    if (done) return done;
    const perm = layout === 'nchw' ? NHWC_OF_NCHW : NCHW_AXIS_OF_NHWC;
    const name = this.b.node('Transpose', [p.name], `${ir}_${layout === 'nchw' ? 'nchw' : 'nhwc'}`, { perm });
    this.converted.set(key, name);
    return name;
  }

  /** Applies a fused clamp narrower than int8's range as an int8 Clip. */
  private clip(value: string, node: Node): string {
    const p = prepareInt8Node(this.g, node);
    if (!('actMin' in p) || (p.actMin === -128 && p.actMax === 127)) return value;
    return this.b.node(
      'Clip',
      [value, this.b.zeroPoint(`${node.name}_min`, p.actMin), this.b.zeroPoint(`${node.name}_max`, p.actMax)],
      `${node.name}_clip`,
    );
  }

  /** DequantizeLinear → float op → QuantizeLinear, for ops whose int8 form ONNX lacks. */
  private viaFloat(node: Node, x: string, op: string, attrs: Record<string, number | number[]> = {}): string {
    const input = node.inputs[0]!;
    const f = this.b.node('DequantizeLinear', [x, this.scaleOf(input), this.zeroOf(input)], `${node.name}_dq`);
    const y = this.b.node(op, [f], `${node.name}_f32`, attrs);
    return this.b.node('QuantizeLinear', [y, this.scaleOf(node.outputs[0]!), this.zeroOf(node.outputs[0]!)], node.name);
  }

  /**
   * One TopK (largest, sorted: the lower index first among equals) of an int8 tensor's last axis for the IR's pair:
   * its int8 values (the input's quantization) and int64 indices.
   */
  private topK(input: string, k: number): [string, string] {
    const key = `${input}\0topk${k}`;
    const done = this.topKs.get(key);
    if (done) return done;
    const kTensor = this.b.constant(`${input}_k`, 'int64', [1], [k]);
    const [values, indices] = this.b.nodeOutputs(
      'TopK',
      [this.plain(input), kTensor],
      [`${input}_top${k}`, `${input}_top${k}_int64`],
      `${input}_topk`,
      { axis: -1, largest: 1, sorted: 1 },
    );
    const pair: [string, string] = [values!, indices!];
    this.topKs.set(key, pair);
    return pair;
  }

  private qlinearConv(
    node: Node,
    x: string,
    wOihw: Int8Array,
    wDims: number[],
    attrs: Record<string, number | number[]>,
  ): string {
    const [input, filter, bias] = node.inputs;
    const out = node.outputs[0]!;
    const wq = this.quant(filter!);
    const o = wDims[0]!;
    const wScales = wq.scale.length === 1 ? new Array<number>(o).fill(wq.scale[0]!) : wq.scale;
    const ins = [
      x,
      this.scaleOf(input!),
      this.zeroOf(input!),
      this.b.constant(filter!, 'int8', wDims, wOihw),
      this.b.constant(`${filter}_scale`, 'float', [o], wScales),
      this.b.constant(`${filter}_zero_point`, 'int8', [o], new Int8Array(o)),
      this.scaleOf(out),
      this.zeroOf(out),
    ];
    if (bias !== undefined) ins.push(this.b.constant(bias, 'int32', [o], this.tensor(bias).data as Int32Array));
    return this.clip(this.b.node('QLinearConv', ins, node.name, attrs), node);
  }

  /** Nearest resize as two int8 Gathers through prepare-int8's source tables: exactly TFLite's indices. */
  private resizeNearest(node: Node): string {
    const p = prepareInt8Node(this.g, node);
    if (p.kind !== 'resize') throw new Error('internal: resize params expected');
    return resizeNearestGathers(this.b, this.plain(node.inputs[0]!), p, node.name);
  }

  /**
   * Bilinear resize with TFLite's Q10 taps (prepare-int8's tables) on the dequantized input, then QuantizeLinear
   * (half to even where TFLite rounds half away from zero: one step apart on ties).
   */
  private resizeBilinear(node: Node): string {
    const p = prepareInt8Node(this.g, node);
    if (p.kind !== 'resize') throw new Error('internal: resize params expected');
    const input = node.inputs[0]!;
    const x = this.b.node(
      'DequantizeLinear',
      [this.plain(input), this.scaleOf(input), this.zeroOf(input)],
      `${node.name}_dq`,
    );
    const y = resizeBilinearGathers(this.b, x, p, node.name);
    return this.b.node('QuantizeLinear', [y, this.scaleOf(node.outputs[0]!), this.zeroOf(node.outputs[0]!)], node.name);
  }

  private emit(node: Node): Placed {
    const out = this.tensor(node.outputs[0]!);
    switch (node.op) {
      case 'conv2d': {
        const f = this.tensor(node.inputs[1]!);
        const [o, kh, kw, c] = tupleOf(f.shape, 4);
        const w = f.data as Int8Array;
        const oihw = new Int8Array(w.length);
        for (let oc = 0; oc < o; oc++)
          for (let ci = 0; ci < c; ci++)
            for (let y = 0; y < kh; y++)
              for (let x = 0; x < kw; x++)
                oihw[((oc * c + ci) * kh + y) * kw + x] = w[((oc * kh + y) * kw + x) * c + ci]!;
        const a = node.attrs;
        return {
          name: this.qlinearConv(node, this.nchw(node.inputs[0]!), oihw, [o, c, kh, kw], {
            kernel_shape: [kh, kw],
            strides: a.strides,
            dilations: a.dilations,
            pads: [a.pads[0], a.pads[2], a.pads[1], a.pads[3]],
            group: 1,
          }),
          layout: 'nchw',
        };
      }
      case 'depthwise_conv2d': {
        const f = this.tensor(node.inputs[1]!);
        const [, kh, kw, cm] = tupleOf(f.shape, 4);
        const w = f.data as Int8Array;
        const oihw = new Int8Array(w.length);
        for (let oc = 0; oc < cm; oc++)
          for (let y = 0; y < kh; y++)
            for (let x = 0; x < kw; x++) oihw[(oc * kh + y) * kw + x] = w[(y * kw + x) * cm + oc]!;
        const a = node.attrs;
        const group = this.tensor(node.inputs[0]!).shape[3]!;
        return {
          name: this.qlinearConv(node, this.nchw(node.inputs[0]!), oihw, [cm, 1, kh, kw], {
            kernel_shape: [kh, kw],
            strides: a.strides,
            dilations: a.dilations,
            pads: [a.pads[0], a.pads[2], a.pads[1], a.pads[3]],
            group,
          }),
          layout: 'nchw',
        };
      }
      case 'fully_connected': {
        const f = this.tensor(node.inputs[1]!);
        const [o, k] = tupleOf(f.shape, 2);
        const rows = sizeOf(this.tensor(node.inputs[0]!).shape) / k;
        const x4 = this.b.node(
          'Reshape',
          [this.plain(node.inputs[0]!), this.b.constant(`${node.name}_in_shape`, 'int64', [4], [rows, k, 1, 1])],
          `${node.name}_in`,
        );
        const y4 = this.qlinearConv(node, x4, f.data as Int8Array, [o, k, 1, 1], { kernel_shape: [1, 1] });
        return {
          name: this.b.node(
            'Reshape',
            [y4, this.b.constant(`${node.name}_out_shape`, 'int64', [out.shape.length], out.shape)],
            `${node.name}_out`,
          ),
          layout: 'plain',
        };
      }
      case 'add':
      case 'mul': {
        // NCHW only when both sides are same-shaped 4-D tensors; broadcasting stays in the IR's layout.
        const [sa, sb] = tupleOf(
          node.inputs.map((i) => this.tensor(i).shape),
          2,
        );
        const nchw = sa.length === 4 && sa.every((d, i) => d === sb[i]);
        const [a, b] = tupleOf(
          node.inputs.map((i) => (nchw ? this.nchw(i) : this.plain(i))),
          2,
        );
        const ins = [
          a,
          this.scaleOf(node.inputs[0]!),
          this.zeroOf(node.inputs[0]!),
          b,
          this.scaleOf(node.inputs[1]!),
          this.zeroOf(node.inputs[1]!),
          this.scaleOf(node.outputs[0]!),
          this.zeroOf(node.outputs[0]!),
        ];
        const y = this.b.node(node.op === 'add' ? 'QLinearAdd' : 'QLinearMul', ins, node.name, {}, 'com.microsoft');
        return { name: this.clip(y, node), layout: nchw ? 'nchw' : 'plain' };
      }
      case 'avg_pool2d': {
        const a = node.attrs;
        const x = this.nchw(node.inputs[0]!);
        const ins = [
          x,
          this.scaleOf(node.inputs[0]!),
          this.zeroOf(node.inputs[0]!),
          this.scaleOf(node.outputs[0]!),
          this.zeroOf(node.outputs[0]!),
        ];
        const y = this.b.node(
          'QLinearAveragePool',
          ins,
          node.name,
          {
            kernel_shape: a.filter,
            strides: a.strides,
            pads: [a.pads[0], a.pads[2], a.pads[1], a.pads[3]],
            count_include_pad: 0,
          },
          'com.microsoft',
        );
        return { name: this.clip(y, node), layout: 'nchw' };
      }
      case 'max_pool2d': {
        const a = node.attrs;
        const y = this.b.node('MaxPool', [this.nchw(node.inputs[0]!)], node.name, {
          kernel_shape: a.filter,
          strides: a.strides,
          pads: [a.pads[0], a.pads[2], a.pads[1], a.pads[3]],
        });
        return { name: this.clip(y, node), layout: 'nchw' };
      }
      case 'pad': {
        const p = prepareInt8Node(this.g, node);
        const value = p.kind === 'pad' ? p.value : 0;
        const nchw = this.tensor(node.inputs[0]!).shape.length === 4;
        const order = nchw ? NHWC_OF_NCHW : node.attrs.pads.map((_, i) => i);
        const pads = [...order.map((i) => node.attrs.pads[i]![0]), ...order.map((i) => node.attrs.pads[i]![1])];
        const x = nchw ? this.nchw(node.inputs[0]!) : this.plain(node.inputs[0]!);
        const y = this.b.node(
          'Pad',
          [
            x,
            this.b.constant(`${node.name}_pads`, 'int64', [pads.length], pads),
            this.b.zeroPoint(`${node.name}_value`, value),
          ],
          node.name,
        );
        return { name: y, layout: nchw ? 'nchw' : 'plain' };
      }
      case 'reshape':
        return {
          name: this.b.node(
            'Reshape',
            [
              this.plain(node.inputs[0]!),
              this.b.constant(`${node.name}_shape`, 'int64', [out.shape.length], out.shape),
            ],
            node.name,
          ),
          layout: 'plain',
        };
      case 'concat': {
        const rank = out.shape.length;
        const axis = node.attrs.axis < 0 ? node.attrs.axis + rank : node.attrs.axis!;
        const nchw = rank === 4;
        const xs = node.inputs.map((i) => (nchw ? this.nchw(i) : this.plain(i)));
        const p = prepareInt8Node(this.g, node);
        const onnxAxis = nchw ? NCHW_AXIS_OF_NHWC[axis]! : axis;
        if (p.kind === 'requantize' && p.inputs.every((r) => r.identity))
          return { name: this.b.node('Concat', xs, node.name, { axis: onnxAxis }), layout: nchw ? 'nchw' : 'plain' };
        const ins = [
          this.scaleOf(node.outputs[0]!),
          this.zeroOf(node.outputs[0]!),
          ...node.inputs.flatMap((i, k) => [xs[k]!, this.scaleOf(i), this.zeroOf(i)]),
        ];
        return {
          name: this.b.node('QLinearConcat', ins, node.name, { axis: onnxAxis }, 'com.microsoft'),
          layout: nchw ? 'nchw' : 'plain',
        };
      }
      case 'clamp': {
        const x = this.value(node.inputs[0]!);
        const requantized = this.viaFloat(node, x.name, 'Identity');
        return { name: this.clip(requantized, node), layout: x.layout };
      }
      case 'softmax':
        if (node.attrs.beta !== 1)
          throw new TinyedgeError('TE402', `softmax with beta ${node.attrs.beta} has no ONNX form`);
        return { name: this.viaFloat(node, this.plain(node.inputs[0]!), 'Softmax', { axis: -1 }), layout: 'plain' };
      case 'logistic': {
        const x = this.value(node.inputs[0]!);
        return { name: this.viaFloat(node, x.name, 'Sigmoid'), layout: x.layout };
      }
      case 'mean':
        return {
          name: this.viaFloat(node, this.plain(node.inputs[0]!), 'ReduceMean', {
            axes: node.attrs.axes,
            keepdims: node.attrs.keepDims ? 1 : 0,
          }),
          layout: 'plain',
        };
      case 'transpose_conv2d':
        throw new TinyedgeError(
          'TE402',
          "transpose_conv2d cannot be exported as int8 ONNX: ONNX has no quantized ConvTranspose (no QLinear form in the default domain) and ONNX Runtime's CPU provider runs ConvTranspose on float only",
        );
      case 'resize_nearest':
        return { name: this.resizeNearest(node), layout: 'plain' };
      case 'resize_bilinear':
        return { name: this.resizeBilinear(node), layout: 'plain' };
      case 'transpose':
        return {
          name: this.b.node('Transpose', [this.plain(node.inputs[0]!)], node.name, { perm: node.attrs.perm }),
          layout: 'plain',
        };
      case 'reduce_max':
        return {
          name: this.b.node('ReduceMax', [this.plain(node.inputs[0]!)], node.name, {
            axes: node.attrs.axes,
            keepdims: node.attrs.keepDims ? 1 : 0,
          }),
          layout: 'plain',
        };
      case 'arg_max': {
        // ONNX's ArgMax writes int64 (the first index on ties, select_last_index 0); the IR's indices are int32.
        const x = this.plain(node.inputs[0]!);
        const i = this.b.node('ArgMax', [x], `${node.name}_int64`, { axis: node.attrs.axis, keepdims: 0 });
        return { name: this.b.cast(i, 'int32', node.name), layout: 'plain' };
      }
      case 'top_k_values':
      case 'top_k_indices': {
        const [values, indices] = this.topK(node.inputs[0]!, node.attrs.k);
        if (node.op === 'top_k_values') return { name: values, layout: 'plain' };
        return { name: this.b.cast(indices, 'int32', node.name), layout: 'plain' };
      }
      case 'sub':
      case 'batch_norm':
      case 'identity':
      case 'prelu':
        throw new TinyedgeError('TE402', `${node.op} cannot be exported as int8 ONNX`);
    }
  }

  run(extraOutputs: readonly string[]): Uint8Array {
    const g = this.g;
    for (const name of g.inputs) {
      const t = this.tensor(name);
      if (t.dtype !== 'int8')
        throw new TinyedgeError(
          'TE206',
          `input '${name}' is ${t.dtype}; the ONNX exporter writes int8 models (run \`tinyedge quantize\` first)`,
          { file: g.source },
        );
      this.place(name, { name: this.b.input(name, 'int8', t.shape), layout: 'plain' });
    }
    const outputs = [...g.outputs, ...extraOutputs.filter((o) => !g.outputs.includes(o))];
    for (const name of outputs) this.b.reserve(name);
    for (const node of g.nodes) {
      withPlace({ file: g.source, node: node.name, op: node.op }, () => this.place(node.outputs[0]!, this.emit(node)));
    }
    for (const name of outputs) {
      const t = this.tensor(name);
      this.b.output(this.plain(name), name, t.dtype === 'int32' ? 'int32' : 'int8', t.shape);
    }
    return this.b.encode(g.source, `int8 model exported by tinyedge from ${g.source}`);
  }
}

/** Serializes an int8 graph as ONNX; `extraOutputs` exposes inner tensors (int8, NHWC) for checking. */
export function exportInt8Onnx(g: Graph, extraOutputs: readonly string[] = []): Uint8Array {
  return new Int8OnnxExport(g).run(extraOutputs);
}
