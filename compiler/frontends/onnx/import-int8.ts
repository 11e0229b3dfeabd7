/**
 * @fileoverview The ONNX frontend for int8 models in ONNX Runtime's QLinear form, which `tinyedge export --format
 * onnx` writes: QLinearConv (regular, depthwise as group = C, and 1×1 over a [rows, k, 1, 1] reshape for dense
 * layers), com.microsoft QLinearAdd / QLinearMul / QLinearAveragePool / QLinearConcat, int8 MaxPool, Pad, Reshape,
 * Concat, Transpose, ReduceMax, ArgMax and TopK (their int64 indices Cast to int32), Clip, and DequantizeLinear →
 * Softmax | Sigmoid | ReduceMean | Identity → QuantizeLinear.
 * The IR keeps NHWC; every ONNX value carries whether it is that tensor as is ('plain') or transposed to NCHW, which
 * is how ONNX's axes, pads and weights are read back. Scales and zero points are the file's, exactly.
 */

import { withPlace } from '../../errors.ts';
import { type Clamp, NO_CLAMP } from '../../ir/attrs.ts';
import { type Graph, GraphBuilder, INDEX_OPS, type Node, tensorOf } from '../../ir/graph.ts';
import type { OpAttrs, OpName } from '../../ir/ops.ts';
import { formatShape, type Quantization } from '../../ir/tensor.ts';
import { verifyGraph } from '../../ir/verify.ts';
import { verifyQuantizedGraph, verifyTensorQuantization } from '../../ir/verify-quantized.ts';
import { constantOf, explicitPads, fail, intsAttr, NHWC_OF_NCHW, numberAttr, reduceMaxOf } from './onnx-node.ts';
import { checkOnnxSchema } from './onnx-schema.ts';
import { qlinearConvFilter } from './qlinear-conv-filter.ts';
import type { OnnxModelRecord, OnnxNodeRecord } from './read-model.ts';

/** An ONNX value that is an IR tensor, as is or viewed in NCHW. */
interface TensorValue {
  kind: 'tensor';
  ir: string;
  layout: 'plain' | 'nchw';
}

/** A dequantized value on its way to a float op and back through QuantizeLinear. */
interface FloatValue {
  kind: 'float';
  of: TensorValue;
  op?: { type: 'softmax' | 'logistic' | 'mean' | 'identity'; axes?: number[]; keepDims?: boolean; spatial?: boolean };
}

/** The quantization of ArgMax and TopK indices (int32, as the quantizer gives them). */
const INDICES: Quantization = { scale: [1], zeroPoint: [0] };
/** ONNX's TensorProto.DataType of int32, Cast's `to`. */
const ONNX_INT32 = 6;

class OnnxInt8Importer {
  private readonly b: GraphBuilder;
  private readonly values = new Map<string, TensorValue | FloatValue>();
  private counter = 0;

  constructor(private readonly m: OnnxModelRecord) {
    this.b = new GraphBuilder(m.file);
  }

  private scalar(name: string): number {
    const c = constantOf(this.m, name);
    if (c.data.length !== 1) fail(`'${name}' must hold one value (per-tensor quantization), it holds ${c.data.length}`);
    return c.data[0]!;
  }

  /** A per-tensor quantization: a float scale and an int8 zero point (ONNX Runtime refuses other types here too). */
  private quantOf(scale: string, zeroPoint: string): Quantization {
    if (constantOf(this.m, scale).type !== 'float') fail(`scale '${scale}' must be float`);
    if (constantOf(this.m, zeroPoint).type !== 'int8') fail(`zero point '${zeroPoint}' must be int8`);
    const q = { scale: [this.scalar(scale)], zeroPoint: [this.scalar(zeroPoint)] };
    verifyTensorQuantization({ name: scale, shape: [], dtype: 'int8', quant: q });
    return q;
  }

  private tensor(name: string): TensorValue {
    const v = this.values.get(name);
    if (!v)
      return this.m.initializers.has(name)
        ? fail(`'${name}' is a constant where an activation is expected`)
        : fail(`'${name}' is used before any node computes it`);
    if (v.kind !== 'tensor') fail(`'${name}' is a float value; only int8 tensors flow between tinyedge's ops`);
    return v;
  }

  private shape(v: TensorValue): number[] {
    return this.b.shapeOf(v.ir);
  }

  /** Adds an IR node writing a new int8 tensor in `quant`, and returns it. */
  private emit<K extends OpName>(
    op: K,
    name: string,
    inputs: string[],
    attrs: OpAttrs<K>,
    quant: Quantization,
  ): string {
    const out = this.b.has(name) ? `${name}#${++this.counter}` : name;
    this.b.node(op, out, inputs, attrs);
    const t = tensorOf(this.b.graph, out);
    t.dtype = INDEX_OPS.has(op) ? 'int32' : 'int8';
    t.quant = quant;
    verifyTensorQuantization(t);
    return out;
  }

  private irConstant(name: string, shape: number[], data: Int8Array | Int32Array, quant?: Quantization): string {
    const ir = this.b.has(name) ? `${name}#${++this.counter}` : name;
    this.b.constant(ir, shape, data, data instanceof Int8Array ? 'int8' : 'int32');
    if (quant) {
      const t = tensorOf(this.b.graph, ir);
      t.quant = quant;
      verifyTensorQuantization(t);
    }
    return ir;
  }

  /** Declares the graph input; ONNX gives it no quantization, so it takes what its first quantized reader states. */
  input(name: string, dims: number[], nchw = false): void {
    // An NCHW input (a QDQ model's, as PyTorch exports) is the NHWC tensor [N, H, W, C] seen in NCHW.
    this.b.input(name, nchw ? [dims[0]!, dims[2]!, dims[3]!, dims[1]!] : dims, 'int8');
    this.values.set(name, { kind: 'tensor', ir: name, layout: nchw ? 'nchw' : 'plain' });
    const q = this.statedQuant(name);
    if (q) tensorOf(this.b.graph, name).quant = q;
  }

  /** The input quantization stated by the first QLinear or DequantizeLinear node reading `name`, through layout-only ops. */
  private statedQuant(name: string): Quantization | undefined {
    const passThrough = new Set(['Transpose', 'Pad', 'Reshape', 'MaxPool', 'Identity', 'Clip']);
    let current = name;
    for (const n of this.m.nodes) {
      const k = n.inputs.indexOf(current);
      if (k < 0) continue;
      if (passThrough.has(n.opType) && k === 0) {
        current = n.outputs[0]!;
        continue;
      }
      if (n.opType === 'QLinearConcat') return this.quantOf(n.inputs[k + 1]!, n.inputs[k + 2]!);
      if (
        ['QLinearConv', 'QLinearAdd', 'QLinearMul', 'QLinearAveragePool', 'DequantizeLinear'].includes(n.opType) &&
        k % 3 === 0
      )
        return this.quantOf(n.inputs[k + 1]!, n.inputs[k + 2]!);
      break;
    }
    return undefined;
  }

  /** The quantization of an IR tensor. */
  private q(ir: string): Quantization {
    return tensorOf(this.b.graph, ir).quant as Quantization;
  }

  private set(n: OnnxNodeRecord, v: TensorValue | FloatValue): void {
    this.values.set(n.outputs[0]!, v);
  }

  private qlinearConv(n: OnnxNodeRecord): TensorValue {
    const [xName, xs, xz, wName, ws, wz, ys, yz, bName] = n.inputs;
    const x = this.tensor(xName!);
    if (x.layout !== 'nchw') fail('QLinearConv reads an NCHW tensor');
    const c = this.shape(x)[3]!;
    const f = qlinearConvFilter(this.m, n, wName!, ws!, wz!, c, numberAttr(n, 'group', 1));
    const filter = this.irConstant(wName!, f.shape, f.data, f.quant);
    const strides = intsAttr(n, 'strides', [1, 1]) as [number, number];
    const dilations = intsAttr(n, 'dilations', [1, 1]) as [number, number];
    const pads = explicitPads(n);
    const inputs = [x.ir, filter];
    if (bName) {
      const b = constantOf(this.m, bName);
      if (b.type !== 'int32') fail(`bias '${bName}' must be int32`);
      inputs.push(this.irConstant(bName, [f.outChannels], Int32Array.from(b.data as Int32Array)));
    }
    this.checkQuant(x.ir, this.quantOf(xs!, xz!), 'input');
    const quant = this.quantOf(ys!, yz!);
    const ir =
      f.op === 'conv2d'
        ? this.emit('conv2d', n.outputs[0]!, inputs, { strides, dilations, pads, clamp: NO_CLAMP }, quant)
        : this.emit(
            'depthwise_conv2d',
            n.outputs[0]!,
            inputs,
            { strides, dilations, pads, depthMultiplier: f.outChannels / c, clamp: NO_CLAMP },
            quant,
          );
    return { kind: 'tensor', ir, layout: 'nchw' };
  }

  /** The scale and zero point a QLinear op states for its input must be the tensor's: tinyedge does not requantize on an edge. */
  private checkQuant(ir: string, stated: Quantization, role: string): void {
    const q = this.q(ir);
    if (q.scale[0] !== stated.scale[0] || q.zeroPoint[0] !== stated.zeroPoint[0]) {
      fail(
        `its ${role} '${ir}' is quantized (${q.scale[0]}, ${q.zeroPoint[0]}) but the node states (${stated.scale[0]}, ${stated.zeroPoint[0]})`,
      );
    }
  }

  /** Clip on int8: the producer's fused clamp when it has none yet, else an IR clamp node. */
  private clip(n: OnnxNodeRecord): TensorValue {
    const x = this.tensor(n.inputs[0]!);
    const q = this.q(x.ir);
    const lo = n.inputs[1] ? this.scalar(n.inputs[1]) : -128;
    const hi = n.inputs[2] ? this.scalar(n.inputs[2]) : 127;
    const real = (v: number) => q.scale[0]! * (v - q.zeroPoint[0]!);
    const clamp: Clamp = { min: lo <= -128 ? null : real(lo), max: hi >= 127 ? null : real(hi) };
    const producer = this.b.graph.nodes.at(-1) as Node;
    const attrs = producer.attrs as { clamp?: Clamp };
    if (producer.outputs[0] === x.ir && producer.op !== 'clamp' && attrs.clamp === NO_CLAMP) {
      attrs.clamp = clamp;
      return x;
    }
    return { ...x, ir: this.emit('clamp', n.outputs[0]!, [x.ir], { clamp }, q) };
  }

  private quantizeLinear(n: OnnxNodeRecord): TensorValue {
    const v = this.values.get(n.inputs[0]!);
    if (v?.kind !== 'float') fail('QuantizeLinear must read a float value made by DequantizeLinear and one float op');
    const quant = this.quantOf(n.inputs[1]!, n.inputs[2]!);
    const x = v.of;
    const op = v.op ?? { type: 'identity' };
    if (op.type === 'softmax') {
      if (x.layout !== 'plain') fail('Softmax over an NCHW tensor is not supported');
      return { ...x, ir: this.emit('softmax', n.outputs[0]!, [x.ir], { beta: 1 }, quant) };
    }
    if (op.type === 'logistic') return { ...x, ir: this.emit('logistic', n.outputs[0]!, [x.ir], {}, quant) };
    if (op.type === 'mean' && op.spatial) {
      // GlobalAveragePool: the mean over H and W of an NCHW view, kept 4-D.
      if (x.layout !== 'nchw') fail('GlobalAveragePool reads an NCHW tensor');
      return { ...x, ir: this.emit('mean', n.outputs[0]!, [x.ir], { axes: [1, 2], keepDims: true }, quant) };
    }
    if (op.type === 'mean') {
      if (x.layout !== 'plain') fail('ReduceMean over an NCHW tensor is not supported');
      return {
        kind: 'tensor',
        ir: this.emit('mean', n.outputs[0]!, [x.ir], { axes: op.axes ?? [], keepDims: op.keepDims ?? true }, quant),
        layout: 'plain',
      };
    }
    return { ...x, ir: this.emit('clamp', n.outputs[0]!, [x.ir], { clamp: NO_CLAMP }, quant) };
  }

  private floatOp(n: OnnxNodeRecord, type: NonNullable<FloatValue['op']>['type']): FloatValue {
    const v = this.values.get(n.inputs[0]!);
    if (v?.kind !== 'float' || v.op)
      fail(`${n.opType} must read a DequantizeLinear output directly (tinyedge runs it in int8)`);
    if (
      type === 'softmax' &&
      numberAttr(n, 'axis', -1) !== -1 &&
      numberAttr(n, 'axis', -1) !== this.shape(v.of).length - 1
    )
      fail('Softmax must be over the last axis');
    if (n.opType === 'GlobalAveragePool') return { ...v, op: { type, spatial: true } };
    return {
      ...v,
      op:
        type === 'mean' ? { type, axes: intsAttr(n, 'axes'), keepDims: numberAttr(n, 'keepdims', 1) === 1 } : { type },
    };
  }

  /** Reshape to `target` (ONNX's shape, −1 allowed), or Flatten (axis 1) when no target is given. */
  private reshape(n: OnnxNodeRecord, flatten = false): TensorValue {
    const x = this.tensor(n.inputs[0]!);
    if (flatten && numberAttr(n, 'axis', 1) !== 1) fail('only Flatten with axis 1 is supported');
    const target = flatten ? [this.shape(x)[0]!, -1] : Array.from(constantOf(this.m, n.inputs[1]!).data as number[]);
    const xs = this.shape(x);
    // An NCHW view and the NHWC tensor hold their elements in the same order only when H·W = 1 (or C = 1).
    const sameOrder = (s: number[]) => s.length !== 4 || s[1]! * s[2]! === 1 || s[3] === 1;
    if (x.layout === 'nchw' && !sameOrder(xs)) fail(`Reshape of an NCHW ${formatShape(xs)} tensor is not supported`);
    if (target.length === 4) {
      const nhwc = [target[0]!, target[2]!, target[3]!, target[1]!];
      if (!sameOrder(nhwc)) fail(`Reshape to NCHW ${target.join('×')} is not supported`);
      return {
        kind: 'tensor',
        ir: this.emit('reshape', n.outputs[0]!, [x.ir], { shape: nhwc }, this.q(x.ir)),
        layout: 'nchw',
      };
    }
    return {
      kind: 'tensor',
      ir: this.emit('reshape', n.outputs[0]!, [x.ir], { shape: target }, this.q(x.ir)),
      layout: 'plain',
    };
  }

  private irAxis(x: TensorValue, axis: number): number {
    const rank = this.shape(x).length;
    const a = axis < 0 ? axis + rank : axis;
    return x.layout === 'nchw' ? NHWC_OF_NCHW[a]! : a;
  }

  node(n: OnnxNodeRecord): void {
    const out = n.outputs[0]!;
    switch (n.opType) {
      case 'Transpose': {
        const x = this.tensor(n.inputs[0]!);
        const p = intsAttr(n, 'perm');
        const perm = p.join();
        if (x.layout === 'plain' && perm === '0,3,1,2') return this.set(n, { ...x, layout: 'nchw' });
        if (x.layout === 'nchw' && perm === '0,2,3,1') return this.set(n, { ...x, layout: 'plain' });
        // Any other moves data: ONNX's axis d of an NCHW value is NHWC_OF_NCHW[d] of the IR tensor; the result is plain.
        const irPerm = x.layout === 'nchw' ? p.map((d) => NHWC_OF_NCHW[d]!) : p;
        const ir = this.emit('transpose', out, [x.ir], { perm: irPerm }, this.q(x.ir));
        return this.set(n, { kind: 'tensor', ir, layout: 'plain' });
      }
      case 'ReduceMax': {
        const x = this.tensor(n.inputs[0]!);
        const { axes, keepDims, layout } = reduceMaxOf(n, this.m, x.layout, this.shape(x).length);
        return this.set(n, {
          kind: 'tensor',
          ir: this.emit('reduce_max', out, [x.ir], { axes, keepDims }, this.q(x.ir)),
          layout,
        });
      }
      case 'ArgMax': {
        const x = this.tensor(n.inputs[0]!);
        if (x.layout !== 'plain') fail('ArgMax reads a plain (NHWC) tensor');
        if (numberAttr(n, 'keepdims', 1) !== 0 || numberAttr(n, 'select_last_index', 0) !== 0)
          fail("only ArgMax with keepdims 0 and select_last_index 0 is supported (TFLite's ARG_MAX)");
        const axis = this.irAxis(x, numberAttr(n, 'axis', 0));
        return this.set(n, { ...x, ir: this.emit('arg_max', out, [x.ir], { axis }, INDICES) });
      }
      case 'TopK': {
        // The k largest along the IR's last axis (the channels of an NCHW view), best first: values and indices.
        const x = this.tensor(n.inputs[0]!);
        const rank = this.shape(x).length;
        if (numberAttr(n, 'largest', 1) !== 1) fail('TopK of the smallest values (largest = 0) is not supported');
        if (this.irAxis(x, numberAttr(n, 'axis', -1)) !== rank - 1)
          fail('TopK along an axis other than the last (the channels of NCHW activations) is not supported');
        const k = Number(constantOf(this.m, n.inputs[1]!).data[0]);
        const values = this.emit('top_k_values', out, [x.ir], { k }, this.q(x.ir));
        this.set(n, { ...x, ir: values });
        if (n.outputs[1])
          this.values.set(n.outputs[1], { ...x, ir: this.emit('top_k_indices', n.outputs[1], [x.ir], { k }, INDICES) });
        return;
      }
      case 'Cast': {
        // ONNX's ArgMax and TopK write int64 indices; the IR's are int32, as is the one Cast the exporter writes.
        const x = this.tensor(n.inputs[0]!);
        if (tensorOf(this.b.graph, x.ir).dtype !== 'int32' || numberAttr(n, 'to', 0) !== ONNX_INT32)
          fail('only a Cast of ArgMax or TopK indices to int32 is supported');
        return this.set(n, x);
      }
      case 'Identity': {
        const v = this.values.get(n.inputs[0]!);
        if (v?.kind === 'float' && !v.op) return this.set(n, { ...v, op: { type: 'identity' } });
        return this.set(n, this.tensor(n.inputs[0]!));
      }
      case 'QLinearConv':
        return this.set(n, this.qlinearConv(n));
      case 'Clip':
        return this.set(n, this.clip(n));
      case 'QLinearAdd':
      case 'QLinearMul': {
        const [a, as, az, b, bs, bz, ys, yz] = n.inputs;
        const [va, vb] = [this.tensor(a!), this.tensor(b!)];
        if (va.layout !== vb.layout) fail(`its inputs '${a}' and '${b}' are in different layouts`);
        this.checkQuant(va.ir, this.quantOf(as!, az!), 'first input');
        this.checkQuant(vb.ir, this.quantOf(bs!, bz!), 'second input');
        const op = n.opType === 'QLinearAdd' ? 'add' : 'mul';
        return this.set(n, {
          ...va,
          ir: this.emit(op, out, [va.ir, vb.ir], { clamp: NO_CLAMP }, this.quantOf(ys!, yz!)),
        });
      }
      case 'QLinearAveragePool':
      case 'MaxPool': {
        const x = this.tensor(n.inputs[0]!);
        if (x.layout !== 'nchw') fail(`${n.opType} reads an NCHW tensor`);
        if (n.opType === 'QLinearAveragePool' && numberAttr(n, 'count_include_pad', 0) !== 0)
          fail('count_include_pad = 1 is not supported (TFLite averages the in-bounds taps)');
        const attrs = {
          filter: intsAttr(n, 'kernel_shape') as [number, number],
          strides: intsAttr(n, 'strides', [1, 1]) as [number, number],
          pads: explicitPads(n),
          clamp: NO_CLAMP,
        };
        const quant = n.opType === 'MaxPool' ? this.q(x.ir) : this.quantOf(n.inputs[3]!, n.inputs[4]!);
        if (n.opType === 'QLinearAveragePool') this.checkQuant(x.ir, this.quantOf(n.inputs[1]!, n.inputs[2]!), 'input');
        return this.set(n, {
          ...x,
          ir: this.emit(n.opType === 'MaxPool' ? 'max_pool2d' : 'avg_pool2d', out, [x.ir], attrs, quant),
        });
      }
      case 'Pad': {
        const x = this.tensor(n.inputs[0]!);
        const p = Array.from(constantOf(this.m, n.inputs[1]!).data as number[]);
        const rank = p.length / 2;
        const pads: [number, number][] = Array.from({ length: rank }, () => [0, 0]);
        for (let i = 0; i < rank; i++) pads[x.layout === 'nchw' ? NHWC_OF_NCHW[i]! : i] = [p[i]!, p[rank + i]!];
        const q = this.q(x.ir);
        const value = n.inputs[2] ? q.scale[0]! * (this.scalar(n.inputs[2]) - q.zeroPoint[0]!) : 0;
        return this.set(n, { ...x, ir: this.emit('pad', out, [x.ir], { pads, value }, q) });
      }
      case 'Reshape':
        return this.set(n, this.reshape(n));
      case 'Flatten':
        return this.set(n, this.reshape(n, true));
      case 'Concat':
      case 'QLinearConcat': {
        const q = n.opType === 'Concat' ? undefined : this.quantOf(n.inputs[0]!, n.inputs[1]!);
        const names = n.opType === 'Concat' ? n.inputs : n.inputs.slice(2).filter((_, i) => i % 3 === 0);
        const xs = names.map((i) => this.tensor(i));
        if (xs.some((x) => x.layout !== xs[0]!.layout)) fail('its inputs are in different layouts');
        const axis = this.irAxis(xs[0]!, numberAttr(n, 'axis', 0));
        return this.set(n, {
          ...xs[0]!,
          ir: this.emit(
            'concat',
            out,
            xs.map((x) => x.ir),
            { axis },
            q ?? this.q(xs[0]!.ir),
          ),
        });
      }
      case 'DequantizeLinear': {
        const x = this.tensor(n.inputs[0]!);
        this.checkQuant(x.ir, this.quantOf(n.inputs[1]!, n.inputs[2]!), 'input');
        return this.set(n, { kind: 'float', of: x });
      }
      case 'Softmax':
        return this.set(n, this.floatOp(n, 'softmax'));
      case 'Sigmoid':
        return this.set(n, this.floatOp(n, 'logistic'));
      case 'ReduceMean':
      case 'GlobalAveragePool':
        return this.set(n, this.floatOp(n, 'mean'));
      case 'QuantizeLinear':
        return this.set(n, this.quantizeLinear(n));
      default:
        return fail(
          `op ${n.domain ? `${n.domain}.` : ''}${n.opType} is not supported: tinyedge imports the int8 QLinear form \`tinyedge export --format onnx\` writes (QLinearConv, QLinearAdd, QLinearMul, QLinearAveragePool, QLinearConcat, MaxPool, Pad, Reshape, Flatten, Concat, Transpose, ReduceMax, ArgMax, TopK, Cast of indices to int32, Clip, and Softmax, Sigmoid or ReduceMean between DequantizeLinear and QuantizeLinear)`,
          'TE109',
        );
    }
  }

  finish(): Graph {
    const g = this.b.graph;
    const input = tensorOf(g, g.inputs[0]!);
    if (!input.quant) fail(`input '${input.name}' is read by no quantized op that states its scale and zero point`);
    g.outputs = this.m.outputs.map((o) => {
      const v = this.tensor(o.name);
      // An output the file leaves in NCHW (the IR's NHWC transposed) is that data: a transpose of the IR tensor.
      if (v.layout === 'plain' || this.shape(v).length !== 4) return v.ir;
      return this.emit('transpose', o.name, [v.ir], { perm: [0, 3, 1, 2] }, this.q(v.ir));
    });
    verifyGraph(g);
    verifyQuantizedGraph(g);
    return g;
  }
}

/** An imported int8 ONNX model and how a photo's pixels become its input (as for .tflite: pixel p enters as p − 128). */
export interface ImportedOnnx {
  graph: Graph;
  preprocessing: { scale: number; offset: number };
}

/** Imports a decoded ONNX model in QLinear int8 form; errors name its file, and a node's name and op type. */
export function importOnnxInt8(m: OnnxModelRecord): ImportedOnnx {
  return withPlace({ file: m.file }, () => {
    if (m.inputs.length !== 1) fail(`the model has ${m.inputs.length} inputs; tinyedge runs models with one`);
    const input = m.inputs[0]!;
    if (input.dims.some((d) => d < 1))
      fail(`input '${input.name}' has dynamic dims ${input.dims.join('×')}; tinyedge needs a fixed shape`);
    const importer = new OnnxInt8Importer(m);
    importer.input(input.name, input.dims, input.nchw);
    for (const n of m.nodes) {
      withPlace(
        { node: n.name, op: n.opType },
        () => {
          checkOnnxSchema(n);
          importer.node(n);
        },
        true,
      );
    }
    const graph = importer.finish();
    // The graph input's quantization is what its first consumer states (QLinearConv's x_scale, x_zero_point).
    const q = tensorOf(graph, graph.inputs[0]!).quant as Quantization;
    return { graph, preprocessing: { scale: q.scale[0]!, offset: -q.scale[0]! * (128 + q.zeroPoint[0]!) } };
  });
}
