/**
 * @fileoverview The ONNX frontend for float models (as PyTorch and most converters write them, NCHW): the graph
 * becomes the f32 IR (NHWC), which the passes and the quantizer then take like any TF.js model. Each ONNX value is
 * an IR tensor as is ('plain') or viewed in NCHW; 4-D activations are NCHW views, so the model's input is the NHWC
 * tensor [1, H, W, C] of its [1, C, H, W] (feed --input FILE.f32 in NHWC, as for every tinyedge model).
 *
 * Ops: Conv (regular and depthwise), Gemm and MatMul with constant weights, BatchNormalization, Relu, Clip, Add,
 * Mul, Sigmoid, Softmax, GlobalAveragePool, AveragePool, MaxPool, Flatten, Reshape, Concat, Pad, Transpose, TopK (the
 * largest, along the last axis), ReduceMax, Resize and Upsample (resize.ts), Identity and Dropout. Anything else fails naming the node and op type.
 */

import { withPlace } from '../../errors.ts';
import { type Clamp, NO_CLAMP, type Pads4 } from '../../ir/attrs.ts';
import { type Graph, GraphBuilder } from '../../ir/graph.ts';
import type { OpAttrs, OpName } from '../../ir/ops.ts';
import { formatShape } from '../../ir/tensor.ts';
import { verifyFiniteConstants } from '../../ir/verify-quantized.ts';
import {
  checkKernelShape,
  constantOf,
  explicitPads,
  fail,
  intsAttr,
  NHWC_OF_NCHW,
  numberAttr,
  reduceMaxOf,
} from './onnx-node.ts';
import { checkOnnxSchema } from './onnx-schema.ts';
import type { OnnxModelRecord, OnnxNodeRecord } from './read-model.ts';
import { resizeMapping } from './resize.ts';

/** An ONNX value that is an IR tensor, as is or viewed in NCHW. */
interface Value {
  ir: string;
  layout: 'plain' | 'nchw';
}

class OnnxFloatImporter {
  private readonly b: GraphBuilder;
  private readonly values = new Map<string, Value>();
  private counter = 0;

  constructor(private readonly m: OnnxModelRecord) {
    this.b = new GraphBuilder(m.file);
  }

  private floats(name: string): Float32Array {
    const c = constantOf(this.m, name);
    if (c.type !== 'float') fail(`'${name}' must be a float constant, it is ${c.type}`);
    return c.data as Float32Array;
  }

  private value(name: string): Value {
    const v = this.values.get(name);
    if (v) return v;
    if (this.m.initializers.has(name)) return this.irConstantValue(name);
    return fail(`'${name}' is used before any node computes it`);
  }

  /** A float initializer used as an operand (a bias to add, a scale to multiply): an IR constant, in ONNX's layout. */
  private irConstantValue(name: string): Value {
    const c = constantOf(this.m, name);
    const ir = this.fresh(name);
    this.b.constant(ir, c.dims, Float32Array.from(this.floats(name)));
    const v: Value = { ir, layout: 'plain' };
    this.values.set(name, v);
    return v;
  }

  private fresh(name: string): string {
    return this.b.has(name) ? `${name}#${++this.counter}` : name;
  }

  private shape(v: Value): number[] {
    return this.b.shapeOf(v.ir);
  }

  /** The value in NCHW view (4-D activations only). */
  private nchw(name: string): Value {
    const v = this.value(name);
    if (v.layout !== 'nchw') fail(`'${name}' must be a 4-D NCHW activation`);
    return v;
  }

  private emit<K extends OpName>(op: K, name: string, inputs: string[], attrs: OpAttrs<K>): string {
    const out = this.fresh(name);
    this.b.node(op, out, inputs, attrs);
    return out;
  }

  private pads4(
    n: OnnxNodeRecord,
    kh: number,
    kw: number,
    strides: [number, number],
    dilations: [number, number],
    x: Value,
  ): Pads4 {
    const auto = n.attrs.get('auto_pad');
    if (auto !== undefined && auto !== 'NOTSET') {
      if (auto === 'VALID') return [0, 0, 0, 0];
      const [, h, w] = this.shape(x);
      const along = (size: number, k: number, s: number, d: number, upper: boolean): [number, number] => {
        const total = Math.max((Math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size, 0);
        const small = Math.floor(total / 2);
        return upper ? [small, total - small] : [total - small, small];
      };
      const upper = auto === 'SAME_UPPER';
      if (!upper && auto !== 'SAME_LOWER') fail(`auto_pad '${String(auto)}' is not supported`);
      const [t, bt] = along(h!, kh, strides[0], dilations[0], upper);
      const [l, r] = along(w!, kw, strides[1], dilations[1], upper);
      return [t, bt, l, r];
    }
    return explicitPads(n);
  }

  input(name: string, dims: number[]): void {
    if (dims.length === 4) {
      const [n, c, h, w] = dims;
      this.b.input(name, [n!, h!, w!, c!]);
      this.values.set(name, { ir: name, layout: 'nchw' });
    } else {
      this.b.input(name, dims);
      this.values.set(name, { ir: name, layout: 'plain' });
    }
  }

  private conv(n: OnnxNodeRecord): Value {
    const x = this.nchw(n.inputs[0]!);
    const w = constantOf(this.m, n.inputs[1]!);
    if (w.type !== 'float' || w.dims.length !== 4) fail(`weights '${n.inputs[1]}' must be float [O, I, KH, KW]`);
    const [o, i, kh, kw] = w.dims;
    checkKernelShape(n, kh!, kw!);
    const c = this.shape(x)[3];
    const group = numberAttr(n, 'group', 1);
    const src = w.data as Float32Array;
    const strides = intsAttr(n, 'strides', [1, 1]) as [number, number];
    const dilations = intsAttr(n, 'dilations', [1, 1]) as [number, number];
    const pads = this.pads4(n, kh!, kw!, strides, dilations, x);
    const bias = n.inputs[2] ? [this.fresh(n.inputs[2])] : [];
    if (bias.length) this.b.constant(bias[0]!, [o!], Float32Array.from(this.floats(n.inputs[2]!)));
    if (group === 1) {
      if (i !== c) fail(`weights expect ${i} input channels, the input has ${c}`);
      const ohwi = new Float32Array(src.length);
      for (let oc = 0; oc < o!; oc++)
        for (let ci = 0; ci < i!; ci++)
          for (let y = 0; y < kh!; y++)
            for (let xx = 0; xx < kw!; xx++)
              ohwi[((oc * kh! + y) * kw! + xx) * i! + ci] = src[((oc * i! + ci) * kh! + y) * kw! + xx]!;
      const filter = this.fresh(n.inputs[1]!);
      this.b.constant(filter, [o!, kh!, kw!, i!], ohwi);
      return {
        ir: this.emit('conv2d', n.outputs[0]!, [x.ir, filter, ...bias], { strides, dilations, pads, clamp: NO_CLAMP }),
        layout: 'nchw',
      };
    }
    if (group === c && i === 1) {
      const hwc = new Float32Array(src.length);
      for (let oc = 0; oc < o!; oc++)
        for (let y = 0; y < kh!; y++)
          for (let xx = 0; xx < kw!; xx++) hwc[(y * kw! + xx) * o! + oc] = src[(oc * kh! + y) * kw! + xx]!;
      const filter = this.fresh(n.inputs[1]!);
      this.b.constant(filter, [1, kh!, kw!, o!], hwc);
      return {
        ir: this.emit('depthwise_conv2d', n.outputs[0]!, [x.ir, filter, ...bias], {
          strides,
          dilations,
          pads,
          depthMultiplier: o! / c,
          clamp: NO_CLAMP,
        }),
        layout: 'nchw',
      };
    }
    return fail(`group ${group} over ${c} channels is neither a regular (1) nor a depthwise (${c}) convolution`);
  }

  /** Gemm (A·B' + C, alpha = beta = 1) or MatMul with a constant right side: a fully connected layer. */
  private dense(n: OnnxNodeRecord): Value {
    const x = this.value(n.inputs[0]!);
    if (x.layout !== 'plain' || this.shape(x).length !== 2)
      fail('the left operand must be a 2-D [rows, k] tensor (Flatten first)');
    const wc = constantOf(this.m, n.inputs[1]!);
    const transB = n.opType === 'Gemm' ? numberAttr(n, 'transB', 0) : 0;
    if (
      n.opType === 'Gemm' &&
      (numberAttr(n, 'transA', 0) !== 0 || numberAttr(n, 'alpha', 1) !== 1 || numberAttr(n, 'beta', 1) !== 1)
    )
      fail('only Gemm with transA = 0, alpha = beta = 1 is supported');
    if (wc.dims.length !== 2) fail(`weights '${n.inputs[1]}' must be 2-D`);
    const src = this.floats(n.inputs[1]!);
    const [o, k] = transB ? wc.dims : [wc.dims[1], wc.dims[0]];
    const ok = transB
      ? Float32Array.from(src)
      : Float32Array.from({ length: o! * k! }, (_, idx) => src[(idx % k!) * o! + Math.floor(idx / k!)]!);
    const filter = this.fresh(n.inputs[1]!);
    this.b.constant(filter, [o!, k!], ok);
    const inputs = [x.ir, filter];
    if (n.opType === 'Gemm' && n.inputs[2]) {
      const bias = this.floats(n.inputs[2]);
      if (bias.length !== o) fail(`bias '${n.inputs[2]}' has ${bias.length} values, the layer ${o} outputs`);
      const b = this.fresh(n.inputs[2]);
      this.b.constant(b, [o], Float32Array.from(bias));
      inputs.push(b);
    }
    return { ir: this.emit('fully_connected', n.outputs[0]!, inputs, { clamp: NO_CLAMP }), layout: 'plain' };
  }

  /** An elementwise binary op; a constant operand in NCHW form ([C, 1, 1] or [1, C, 1, 1]) is turned to NHWC. */
  private binary(n: OnnxNodeRecord, op: 'add' | 'mul'): Value {
    const [a, b] = n.inputs.map((i) => this.operand(i, n.inputs));
    if (a!.layout !== b!.layout && !(this.isConstant(a!) || this.isConstant(b!)))
      fail('its operands are in different layouts');
    const layout = a!.layout === 'nchw' || b!.layout === 'nchw' ? 'nchw' : 'plain';
    return { ir: this.emit(op, n.outputs[0]!, [a!.ir, b!.ir], { clamp: NO_CLAMP }), layout };
  }

  private isConstant(v: Value): boolean {
    return this.b.graph.tensors.get(v.ir)?.data !== undefined;
  }

  /** An operand of an elementwise op; a constant beside an NCHW activation has its channel axis moved last. */
  private operand(name: string, siblings: string[]): Value {
    if (!this.m.initializers.has(name) || this.values.has(name)) return this.value(name);
    const c = constantOf(this.m, name);
    const nchwSibling = siblings.some((s) => s !== name && this.values.get(s)?.layout === 'nchw');
    const data = Float32Array.from(this.floats(name));
    const ir = this.fresh(name);
    if (nchwSibling && c.dims.length >= 3) {
      const d = c.dims.length === 4 ? c.dims.slice(1) : c.dims;
      if (d[1] !== 1 || d[2] !== 1)
        fail(`constant '${name}' (${formatShape(c.dims)}) must be per channel ([C, 1, 1]) beside an NCHW tensor`);
      this.b.constant(ir, [d[0]!], data);
    } else {
      this.b.constant(ir, c.dims, data);
    }
    return { ir, layout: 'plain' };
  }

  private clip(n: OnnxNodeRecord): Value {
    const x = this.value(n.inputs[0]!);
    const bound = (i: number, attr: string): number | null => {
      if (n.inputs[i]) return this.floats(n.inputs[i])[0]!;
      const v = n.attrs.get(attr);
      return typeof v === 'number' ? v : null;
    };
    const clamp: Clamp = { min: bound(1, 'min'), max: bound(2, 'max') };
    return { ...x, ir: this.emit('clamp', n.outputs[0]!, [x.ir], { clamp }) };
  }

  private pool(n: OnnxNodeRecord, op: 'avg_pool2d' | 'max_pool2d'): Value {
    const x = this.nchw(n.inputs[0]!);
    const [kh, kw] = intsAttr(n, 'kernel_shape');
    const strides = intsAttr(n, 'strides', [1, 1]) as [number, number];
    if (
      op === 'avg_pool2d' &&
      numberAttr(n, 'count_include_pad', 0) !== 0 &&
      intsAttr(n, 'pads', [0, 0, 0, 0]).some((p) => p > 0)
    )
      fail('count_include_pad = 1 with padding is not supported (the IR averages in-bounds taps)');
    if (numberAttr(n, 'ceil_mode', 0) !== 0) fail('ceil_mode = 1 is not supported');
    return {
      ir: this.emit(op, n.outputs[0]!, [x.ir], {
        filter: [kh!, kw!],
        strides,
        pads: this.pads4(n, kh!, kw!, strides, [1, 1], x),
        clamp: NO_CLAMP,
      }),
      layout: 'nchw',
    };
  }

  /** Reshape or Flatten to `target` (ONNX's shape); an NCHW view reshapes only when its element order is NHWC's (H·W = 1 or C = 1). */
  private reshapeTo(n: OnnxNodeRecord, target: number[]): Value {
    const x = this.value(n.inputs[0]!);
    const s = this.shape(x);
    if (x.layout === 'nchw' && s[1]! * s[2]! !== 1 && s[3] !== 1)
      fail(
        `reshaping the NCHW ${formatShape([s[0]!, s[3]!, s[1]!, s[2]!])} activation is not supported (tinyedge keeps NHWC)`,
      );
    const total = s.reduce((a, b) => a * b, 1);
    const known = target.filter((d) => d > 0).reduce((a, b) => a * b, 1);
    const dims = target.map((d, i) => (d === 0 ? [s[0], s[3], s[1], s[2]][i]! : d === -1 ? total / known : d));
    return { ir: this.emit('reshape', n.outputs[0]!, [x.ir], { shape: dims }), layout: 'plain' };
  }

  node(n: OnnxNodeRecord): void {
    const set = (v: Value) => this.values.set(n.outputs[0]!, v);
    switch (n.opType) {
      case 'Conv':
        return void set(this.conv(n));
      case 'Gemm':
      case 'MatMul':
        return void set(this.dense(n));
      case 'BatchNormalization': {
        const x = this.nchw(n.inputs[0]!);
        const [scale, offset, mean, variance] = n.inputs.slice(1, 5).map((i) => {
          const ir = this.fresh(i);
          this.b.constant(ir, [this.shape(x)[3]!], Float32Array.from(this.floats(i)));
          return ir;
        });
        return void set({
          ir: this.emit('batch_norm', n.outputs[0]!, [x.ir, mean!, variance!, offset!, scale!], {
            epsilon: numberAttr(n, 'epsilon', 1e-5),
          }),
          layout: 'nchw',
        });
      }
      case 'Relu': {
        const x = this.value(n.inputs[0]!);
        return void set({ ...x, ir: this.emit('clamp', n.outputs[0]!, [x.ir], { clamp: { min: 0, max: null } }) });
      }
      case 'Clip':
        return void set(this.clip(n));
      case 'Add':
        return void set(this.binary(n, 'add'));
      case 'Mul':
        return void set(this.binary(n, 'mul'));
      case 'Sigmoid': {
        const x = this.value(n.inputs[0]!);
        return void set({ ...x, ir: this.emit('logistic', n.outputs[0]!, [x.ir], {}) });
      }
      case 'Softmax': {
        const x = this.value(n.inputs[0]!);
        const axis = numberAttr(n, 'axis', -1);
        if (x.layout !== 'plain' || (axis !== -1 && axis !== this.shape(x).length - 1))
          fail('Softmax must be over the last axis of a plain tensor');
        return void set({ ...x, ir: this.emit('softmax', n.outputs[0]!, [x.ir], { beta: 1 }) });
      }
      case 'GlobalAveragePool': {
        const x = this.nchw(n.inputs[0]!);
        return void set({
          ir: this.emit('mean', n.outputs[0]!, [x.ir], { axes: [1, 2], keepDims: true }),
          layout: 'nchw',
        });
      }
      case 'AveragePool':
        return void set(this.pool(n, 'avg_pool2d'));
      case 'MaxPool':
        return void set(this.pool(n, 'max_pool2d'));
      case 'Flatten': {
        const s = this.shape(this.value(n.inputs[0]!));
        if (numberAttr(n, 'axis', 1) !== 1) fail('only Flatten with axis 1 is supported');
        return void set(this.reshapeTo(n, [s[0]!, -1]));
      }
      case 'Reshape':
        return void set(this.reshapeTo(n, Array.from(constantOf(this.m, n.inputs[1]!).data as number[])));
      case 'Concat': {
        const xs = n.inputs.map((i) => this.value(i));
        if (xs.some((x) => x.layout !== xs[0]!.layout)) fail('its inputs are in different layouts');
        const rank = this.shape(xs[0]!).length;
        const a = numberAttr(n, 'axis', 0);
        const axis = a < 0 ? a + rank : a;
        return void set({
          ...xs[0]!,
          ir: this.emit(
            'concat',
            n.outputs[0]!,
            xs.map((x) => x.ir),
            { axis: xs[0]!.layout === 'nchw' ? NHWC_OF_NCHW[axis]! : axis },
          ),
        });
      }
      case 'Pad': {
        const x = this.value(n.inputs[0]!);
        const p = n.inputs[1] ? Array.from(constantOf(this.m, n.inputs[1]).data as number[]) : intsAttr(n, 'pads');
        const mode = n.attrs.get('mode') ?? 'constant';
        if (mode !== 'constant') fail(`Pad mode '${String(mode)}' is not supported`);
        const rank = p.length / 2;
        const pads: [number, number][] = Array.from({ length: rank }, () => [0, 0]);
        for (let i = 0; i < rank; i++) pads[x.layout === 'nchw' ? NHWC_OF_NCHW[i]! : i] = [p[i]!, p[rank + i]!];
        const value = n.inputs[2] ? this.floats(n.inputs[2])[0]! : 0;
        return void set({ ...x, ir: this.emit('pad', n.outputs[0]!, [x.ir], { pads, value }) });
      }
      case 'Transpose': {
        const x = this.value(n.inputs[0]!);
        const p = intsAttr(n, 'perm');
        const perm = p.join();
        if (x.layout === 'plain' && perm === '0,3,1,2') return void set({ ...x, layout: 'nchw' });
        if (x.layout === 'nchw' && perm === '0,2,3,1') return void set({ ...x, layout: 'plain' });
        // Any other moves data: ONNX's axis d of an NCHW value is NHWC_OF_NCHW[d] of the IR tensor; the result is plain.
        const irPerm = x.layout === 'nchw' ? p.map((d) => NHWC_OF_NCHW[d]!) : p;
        return void set({ ir: this.emit('transpose', n.outputs[0]!, [x.ir], { perm: irPerm }), layout: 'plain' });
      }
      case 'TopK': {
        // The k largest along the IR's last axis (the channels of an NCHW activation), best first: values and indices.
        const x = this.value(n.inputs[0]!);
        const rank = this.shape(x).length;
        const a = numberAttr(n, 'axis', -1);
        const axis = a < 0 ? a + rank : a;
        if (numberAttr(n, 'largest', 1) !== 1) fail('TopK of the smallest values (largest = 0) is not supported');
        if ((x.layout === 'nchw' ? NHWC_OF_NCHW[axis] : axis) !== rank - 1)
          fail(
            `TopK along axis ${a} is not supported: tinyedge takes the last axis (the channels of NCHW activations)`,
          );
        const k = Number(constantOf(this.m, n.inputs[1]!).data[0]);
        this.values.set(n.outputs[0]!, { ...x, ir: this.emit('top_k_values', n.outputs[0]!, [x.ir], { k }) });
        if (n.outputs[1])
          this.values.set(n.outputs[1], { ...x, ir: this.emit('top_k_indices', n.outputs[1], [x.ir], { k }) });
        return;
      }
      case 'ReduceMax': {
        const x = this.value(n.inputs[0]!);
        const { axes, keepDims, layout } = reduceMaxOf(n, this.m, x.layout, this.shape(x).length);
        return void set({ ir: this.emit('reduce_max', n.outputs[0]!, [x.ir], { axes, keepDims }), layout });
      }
      case 'Resize':
      case 'Upsample': {
        const x = this.nchw(n.inputs[0]!);
        const [b, h, w, c] = this.shape(x);
        const { op, ...attrs } = resizeMapping(n, this.m, [b!, c!, h!, w!]);
        return void set({ ir: this.emit(op, n.outputs[0]!, [x.ir], attrs), layout: 'nchw' });
      }
      case 'Identity':
      case 'Dropout':
        return void set(this.value(n.inputs[0]!));
      default:
        return fail(
          `op ${n.domain ? `${n.domain}.` : ''}${n.opType} is not supported by the float ONNX frontend (Conv, Gemm, MatMul, BatchNormalization, Relu, Clip, Add, Mul, Sigmoid, Softmax, GlobalAveragePool, AveragePool, MaxPool, Flatten, Reshape, Concat, Pad, Transpose, TopK, ReduceMax, Resize, Upsample, Identity, Dropout)`,
          'TE109',
        );
    }
  }

  finish(): Graph {
    const g = this.b.graph;
    g.outputs = this.m.outputs.map((o) => {
      const v = this.value(o.name);
      const s = this.shape(v);
      if (v.layout === 'nchw' && s[1]! * s[2]! !== 1 && s[3] !== 1)
        fail(`output '${o.name}' is a 4-D NCHW activation; tinyedge outputs NHWC`);
      return v.ir;
    });
    verifyFiniteConstants(g);
    return g;
  }
}

/** Imports a float ONNX model (already decoded) as an f32 IR graph; errors name the file, node and op type. */
export function importOnnxFloat(m: OnnxModelRecord): Graph {
  return withPlace({ file: m.file }, () => {
    if (m.inputs.length !== 1) fail(`the model has ${m.inputs.length} inputs; tinyedge runs models with one`);
    const input = m.inputs[0]!;
    if (input.dims.some((d) => d < 1))
      fail(
        `input '${input.name}' has dynamic dims ${input.dims.join('×')}; tinyedge needs a fixed shape (export with a fixed batch of 1)`,
      );
    const importer = new OnnxFloatImporter(m);
    importer.input(input.name, input.dims);
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
    return importer.finish();
  });
}
