/**
 * @fileoverview One C call per quantized node (int8, or 16×8: int16 activations): the op → kernel table of the C
 * backend. What TFLM's Prepare computes (multipliers, shifts, padding, offsets, tables) arrives here as constants
 * from prepare-int8.ts and is written as `static const` structs and arrays, so the device only runs integer code.
 * A node calls the kernels of its output's type (kernel-table.ts: `te_<op>_s8` or `te_<op>_s16`).
 */

import { TinyedgeError } from '../../errors.ts';
import { type Graph, type Node, tensorOf } from '../../ir/graph.ts';
import { broadcastStrides, type DType, sizeOf } from '../../ir/tensor.ts';
import { tupleOf } from '../../ir/tuple.ts';
import { windowOf } from '../../ir/window.ts';
import {
  foldedMacBias,
  type Int8Params,
  int8ParamsOf,
  isPointwiseConv,
  meanGeometry,
  paramsOfKind,
  type Requant,
} from '../../quantize/prepare/prepare-int8.ts';
import { activationType, RANGE_OF } from '../../quantize/prepare/quant-params.ts';
import { arrayBody, cName, comment, structBody } from './c-literals.ts';
import {
  type ActivationKernels,
  activationKernels,
  depthwiseBiasFolded,
  type KernelLayouts,
  type MatmulLayout,
  type RequantLayout,
} from './kernel-table.ts';
import {
  foldedDepthwiseBias,
  type LaidOut,
  layDepthwiseFilter,
  layMatmulBias,
  layMatmulFilter,
  padChannels,
  smmulPairs,
} from './weight-layouts.ts';

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
  /** The weight and requantization layouts of the chosen kernels. */
  layouts: KernelLayouts;
  /** Threads the model is compiled for (absent: one). */
  threads?: number;
}

/**
 * The layout of te_matmul_pairs_s8 when a matmul node (pointwise conv or fully connected, K inputs) calls it: int8,
 * the chosen folder has it for this K, and every weight keeps to TFLite's [-127, 127] (a .tflite may still hold −128).
 */
function pairsLayoutOf(ctx: RenderContext, node: Node, k: number): MatmulLayout | undefined {
  const { suffix, layouts } = kernelsOf(ctx, node);
  if (suffix !== 's8' || !layouts.pairs || k < layouts.pairs.minK) return undefined;
  const w = tensorOf(ctx.g, node.inputs[1]!).data as Int8Array;
  return w.every((v) => v >= -127) ? layouts.pairs.layout : undefined;
}

/** The statements of a matmul node: te_matmul_pairs_s8 where it may (pairsLayoutOf), else te_matmul_<sfx>. */
function matmulCall(ctx: RenderContext, node: Node, rows: number, k: number, o: number): string[] {
  const { suffix: sfx, layouts } = kernelsOf(ctx, node);
  const pairs = pairsLayoutOf(ctx, node, k);
  const layout = pairs ?? layouts.matmul;
  const p = local('te_mac_params', 'p', macInit(ctx, node, layouts.requantize.conv2d, layout));
  const w = matmulFilter(ctx, node, layout);
  const { bias: b, wide } = macArguments(ctx, node, true, layout);
  const name = pairs ? 'te_matmul_pairs_s8' : `te_matmul_${sfx}`;
  return [
    p,
    `${name}(${[act(ctx, node.inputs[0]!), w, b, rows, k, o, '&p', ...wide, act(ctx, node.outputs[0]!, true)].join(', ')});`,
  ];
}

function params<K extends Int8Params['kind']>(g: Graph, node: Node, kind: K): Extract<Int8Params, { kind: K }> {
  return paramsOfKind(int8ParamsOf(g), node, kind);
}

/** The kernels a node calls: its output's type's, with that type's layouts (the target's for int8, ref's for int16). */
function kernelsOf(ctx: RenderContext, node: Node): Required<ActivationKernels> {
  const k = activationKernels(tensorOf(ctx.g, node.outputs[0]!).dtype);
  return { ...k, layouts: k.layouts ?? ctx.layouts };
}

function act(ctx: RenderContext, name: string, writable = false): string {
  const offset = ctx.offsets.get(name);
  if (offset === undefined) throw new Error(`internal: activation '${name}' has no arena offset`);
  return `(${writable ? '' : 'const '}${activationKernels(tensorOf(ctx.g, name).dtype).cType} *)(arena + ${offset})`;
}

function constant(ctx: RenderContext, name: string): string {
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

/** A 16×8 MAC's bias as the int64 array its kernel reads (an int32 bias widened), or NULL. */
function bias64(ctx: RenderContext, node: Node): string {
  const name = node.inputs[2];
  if (name === undefined) return 'NULL';
  const t = tensorOf(ctx.g, name);
  if (t.dtype === 'int64') return constant(ctx, name);
  if (t.dtype !== 'int32' || !t.data)
    throw new TinyedgeError('TE401', `bias '${name}' must be a constant int32 or int64 tensor, got ${t.dtype}`);
  return ctx.pool.add(
    `${name}\0int64`,
    'int64_t',
    BigInt64Array.from(t.data as Int32Array, BigInt),
    `${name} ${t.shape.join('x')}, widened to int64`,
  );
}

function operand(ctx: RenderContext, name: string): string {
  return tensorOf(ctx.g, name).data ? constant(ctx, name) : act(ctx, name);
}

/** `static const T name = init;` inside the node's block. */
function local(type: string, name: string, init: string): string {
  return `static const ${type} ${name} = ${init};`;
}

function windowInit(
  ctx: RenderContext,
  node: Node,
  kh: number,
  kw: number,
  a: { strides: [number, number]; pads: [number, number, number, number]; dilations?: [number, number] },
): string {
  const w = windowOf(tensorOf(ctx.g, node.inputs[0]!), tensorOf(ctx.g, node.outputs[0]!), kh, kw, a);
  return structBody([
    w.n,
    w.h,
    w.w,
    w.c,
    w.oh,
    w.ow,
    w.kh,
    w.kw,
    w.strides[0],
    w.strides[1],
    w.dilations[0],
    w.dilations[1],
    w.pads[0],
    w.pads[2],
  ]);
}

/** te_mac_params of a MAC node; `matmul`: the layout of te_matmul_s8/te_conv2d_s8, whose channel step pads the arrays. */
function macInit(ctx: RenderContext, node: Node, layout: RequantLayout, matmul: MatmulLayout = 'k-major'): string {
  const p = params(ctx.g, node, 'mac');
  const pairs = layout === 'smmul' ? smmulPairs(p.multipliers, p.shifts) : undefined;
  if (pairs) {
    const mr = ctx.pool.add(
      `${node.name}\0smmul`,
      'int32_t',
      pairs,
      `${node.name}: (2M − 2^32, −2^(32+shift)) per channel`,
    );
    return `{${p.inputOffset}, ${p.outputOffset}, ${mr}, NULL, ${p.actMin}, ${p.actMax}}`;
  }
  // Padded channels requantize (and are not stored) like any other: multiplier 0, a right shift.
  const m = ctx.pool.add(
    `${node.name}\0multipliers`,
    'int32_t',
    padChannels(p.multipliers, matmul, 0),
    `${node.name}: Q31 multipliers`,
  );
  const s = ctx.pool.add(`${node.name}\0shifts`, 'int32_t', padChannels(p.shifts, matmul, -1), `${node.name}: shifts`);
  return `{${p.inputOffset}, ${p.outputOffset}, ${m}, ${s}, ${p.actMin}, ${p.actMax}}`;
}

function bias(ctx: RenderContext, node: Node): string {
  return node.inputs[2] === undefined ? 'NULL' : constant(ctx, node.inputs[2]);
}

/** A filter laid out for its kernels, as a constant array once per (filter, layout), seen as int8_t by the call. */
function laidFilter(ctx: RenderContext, filter: string, layout: string, laid: LaidOut): string {
  const name = ctx.pool.add(`${filter}\0${layout}`, laid.type, laid.data, `${filter}: ${laid.description}`);
  return laid.type === 'int8_t' ? name : `(const int8_t *)${name}`;
}

/** A conv or dense filter ([O][K], OHWI being [O][KH·KW·C]) in the layout the chosen kernels read (layMatmulFilter). */
function matmulFilter(ctx: RenderContext, node: Node, layout: MatmulLayout): string {
  const f = tensorOf(ctx.g, node.inputs[1]!);
  const windowRow = f.shape.length === 4 ? f.shape[2]! * f.shape[3]! : undefined;
  return laidFilter(ctx, node.inputs[1]!, layout, layMatmulFilter(f.data as Int8Array, f.shape[0]!, layout, windowRow));
}

/**
 * A depthwise filter [1][KH][KW][C·M] as its kernels read it (DepthwiseLayout): as it is, int16 pairs in groups of
 * four channels, or, where `folds`, each tap's weights in groups of eight channels.
 */
function depthwiseFilter(ctx: RenderContext, node: Node, layouts: KernelLayouts, folds: boolean): string {
  const layout = layouts.depthwise;
  if (layout === 'hwc' || (layout === 'c8-fold3x3' && !folds)) return constant(ctx, node.inputs[1]!);
  const f = tensorOf(ctx.g, node.inputs[1]!);
  return laidFilter(ctx, node.inputs[1]!, layout, layDepthwiseFilter(f.data as Int8Array, f.shape[3]!, layout));
}

/**
 * Bytes of scratch a node's C kernel needs: te_conv2d_s8 gathers up to two output pixels' windows (2·kh·kw·c bytes;
 * te_conv2d_s16 reads its input in place); te_transpose_conv2d_s8 accumulates the whole output in int32 (4 bytes an
 * element), as TFLM's scratch buffer.
 */
export function cScratchBytes(g: Graph, node: Node): number {
  if (node.op === 'transpose_conv2d') return 4 * sizeOf(tensorOf(g, node.outputs[0]!).shape);
  if (node.op !== 'conv2d' || isPointwiseConv(g, node) || tensorOf(g, node.outputs[0]!).dtype === 'int16') return 0;
  const f = tensorOf(g, node.inputs[1]!).shape;
  return 2 * f[1]! * f[2]! * f[3]!;
}

/** bias + input_offset·Σw per output channel, for te_matmul_s8 and te_conv2d_s8 (or te_matmul_row_s8: `layout`). */
function foldedBias(ctx: RenderContext, node: Node, layout: MatmulLayout): string {
  const folded = foldedMacBias(ctx.g, node, params(ctx.g, node, 'mac').inputOffset);
  const f = tensorOf(ctx.g, node.inputs[1]!);
  const padded = layMatmulBias(folded, f.data as Int8Array, f.shape[0]!, layout);
  return ctx.pool.add(`${node.name}\0folded_bias`, 'int32_t', padded, `${node.name}: bias + input offset × Σw`);
}

/** bias + input_offset·Σw per channel of a depthwise layer, for the kernels whose DepthwiseLayout folds it. */
function foldedDepthwiseBiasOf(ctx: RenderContext, node: Node): string {
  const f = tensorOf(ctx.g, node.inputs[1]!);
  const bias = node.inputs[2] === undefined ? undefined : (tensorOf(ctx.g, node.inputs[2]).data as Int32Array);
  const folded = foldedDepthwiseBias(f.data as Int8Array, f.shape[3]!, bias, params(ctx.g, node, 'mac').inputOffset);
  return ctx.pool.add(`${node.name}\0folded_bias`, 'int32_t', folded, `${node.name}: bias + input offset × Σw`);
}

function requantInit(r: Requant, outputOffset: number, actMin: number, actMax: number): string {
  return structBody([r.identity ? 1 : 0, r.inputOffset, r.multiplier, r.shift, outputOffset, actMin, actMax]);
}

/** The requantizing copy from `input`'s type to the node's: te_requantize_s8, _s16, or the conversions _s8_s16 and _s16_s8. */
function requantizeKernel(ctx: RenderContext, node: Node, input: string): string {
  const from = activationKernels(tensorOf(ctx.g, input).dtype).suffix;
  const to = kernelsOf(ctx, node).suffix;
  return from === to ? `te_requantize_${to}` : `te_requantize_${from}_${to}`;
}

/**
 * The bias and the arguments after the constants of a MAC kernel call: int8 kernels read an int32 bias (folded with
 * the input offset for te_conv2d_s8 and te_matmul_s8); 16×8 ones an int64 bias and then whether they accumulate wide.
 */
function macArguments(
  ctx: RenderContext,
  node: Node,
  folded: boolean,
  layout = kernelsOf(ctx, node).layouts.matmul,
): { bias: string; wide: string[] } {
  if (kernelsOf(ctx, node).suffix === 's8')
    return { bias: folded ? foldedBias(ctx, node, layout) : bias(ctx, node), wide: [] };
  return { bias: bias64(ctx, node), wide: [params(ctx.g, node, 'mac').wide ? '1' : '0'] };
}

/** The C statements of one node (without the surrounding block). */
export function renderNode(ctx: RenderContext, node: Node): string[] {
  const { g } = ctx;
  const out = tensorOf(g, node.outputs[0]!);
  const y = act(ctx, node.outputs[0]!, true);
  const { suffix: sfx, layouts } = kernelsOf(ctx, node);
  switch (node.op) {
    case 'conv2d': {
      const f = tensorOf(g, node.inputs[1]!);
      const x = tensorOf(g, node.inputs[0]!);
      if (isPointwiseConv(g, node))
        return matmulCall(ctx, node, sizeOf(x.shape) / x.shape[3]!, x.shape[3]!, f.shape[0]!);
      const lines = [local('te_mac_params', 'p', macInit(ctx, node, layouts.requantize.conv2d, layouts.matmul))];
      const w = matmulFilter(ctx, node, layouts.matmul);
      const { bias: b, wide } = macArguments(ctx, node, true);
      // The window patch of the kernels that asked for one (cScratchBytes).
      const scratch = ctx.scratch.get(node.name);
      const patch = scratch === undefined ? [] : [`(int8_t *)(arena + ${scratch})`];
      return [
        ...lines,
        local('te_window', 'w', windowInit(ctx, node, f.shape[1]!, f.shape[2]!, node.attrs)),
        `te_conv2d_${sfx}(${[act(ctx, node.inputs[0]!), w, b, '&w', f.shape[0], '&p', ...patch, ...wide, y].join(', ')});`,
      ];
    }
    case 'depthwise_conv2d': {
      const f = tensorOf(g, node.inputs[1]!);
      // Constants are pooled in the order they are asked for: requantization, filter, bias.
      const lines = [
        local('te_mac_params', 'p', macInit(ctx, node, layouts.requantize.depthwise_conv2d)),
        local('te_window', 'w', windowInit(ctx, node, f.shape[1]!, f.shape[2]!, node.attrs)),
      ];
      const m = node.attrs.depthMultiplier;
      const folds =
        sfx === 's8' && depthwiseBiasFolded(layouts.depthwise, f.shape[1]!, f.shape[2]!, m, f.shape[3]! / m);
      const w = depthwiseFilter(ctx, node, layouts, folds);
      const { bias: b, wide } = folds
        ? { bias: foldedDepthwiseBiasOf(ctx, node), wide: [] }
        : macArguments(ctx, node, false);
      return [
        ...lines,
        `te_depthwise_conv2d_${sfx}(${[act(ctx, node.inputs[0]!), w, b, '&w', m, '&p', ...wide, y].join(', ')});`,
      ];
    }
    case 'fully_connected': {
      const [o, k] = tensorOf(g, node.inputs[1]!).shape;
      return matmulCall(ctx, node, sizeOf(tensorOf(g, node.inputs[0]!).shape) / k!, k!, o!);
    }
    case 'add':
    case 'mul': {
      if (out.shape.length > 4)
        throw new TinyedgeError(
          'TE401',
          `the C backend handles ${node.op} up to rank 4, this one has rank ${out.shape.length}`,
        );
      const [ta, tb] = tupleOf(
        node.inputs.map((i) => tensorOf(g, i)),
        2,
      );
      const p = node.op === 'add' ? params(g, node, 'add') : params(g, node, 'mul');
      const init =
        p.kind === 'add'
          ? structBody([
              p.leftShift,
              p.input1Offset,
              p.input1Multiplier,
              p.input1Shift,
              p.input2Offset,
              p.input2Multiplier,
              p.input2Shift,
              p.outputMultiplier,
              p.outputShift,
              p.outputOffset,
              p.actMin,
              p.actMax,
            ])
          : structBody([
              0,
              p.input1Offset,
              0,
              0,
              p.input2Offset,
              0,
              0,
              p.outputMultiplier,
              p.outputShift,
              p.outputOffset,
              p.actMin,
              p.actMax,
            ]);
      // te_broadcast holds `rank` leading entries of the shape and strides; the kernel right-aligns them.
      const fill = (v: number[]) => structBody([...v, ...new Array<number>(4 - v.length).fill(0)]);
      const s = `{${out.shape.length}, ${fill(out.shape)}, ${fill(broadcastStrides(ta.shape, out.shape))}, ${fill(broadcastStrides(tb.shape, out.shape))}}`;
      return [
        local('te_broadcast', 's', s),
        local('te_binary_params', 'p', init),
        `te_${node.op}_${sfx}(${operand(ctx, node.inputs[0]!)}, ${operand(ctx, node.inputs[1]!)}, &s, &p, ${y});`,
      ];
    }
    case 'avg_pool2d':
    case 'max_pool2d': {
      const p = params(g, node, 'pool');
      const kind = node.op === 'avg_pool2d' ? 'avg' : 'max';
      return [
        local('te_window', 'w', windowInit(ctx, node, node.attrs.filter[0], node.attrs.filter[1], node.attrs)),
        `te_${kind}_pool_${sfx}(${act(ctx, node.inputs[0]!)}, &w, ${p.actMin}, ${p.actMax}, ${y});`,
      ];
    }
    case 'mean': {
      const { outer, reduced, inner } = meanGeometry(g, node, 'C');
      const p = params(g, node, 'mean');
      return [
        `te_mean_${sfx}(${act(ctx, node.inputs[0]!)}, ${outer}, ${reduced}, ${inner}, ${p.inputOffset}, ${p.multiplier}, ${p.shift}, ${p.outputOffset}, ${y});`,
      ];
    }
    case 'pad': {
      const shape = tensorOf(g, node.inputs[0]!).shape;
      if (shape.length > 4)
        throw new TinyedgeError('TE401', `the C backend pads up to rank 4, this tensor has rank ${shape.length}`);
      const p = params(g, node, 'pad');
      const lead = new Array<number>(4 - shape.length).fill(0);
      return [
        local('int32_t', 'shape[4]', structBody([...new Array<number>(4 - shape.length).fill(1), ...shape])),
        local('int32_t', 'before[4]', structBody([...lead, ...node.attrs.pads.map((q) => q[0])])),
        local('int32_t', 'after[4]', structBody([...lead, ...node.attrs.pads.map((q) => q[1])])),
        `te_pad_${sfx}(${act(ctx, node.inputs[0]!)}, shape, before, after, ${p.value}, ${y});`,
      ];
    }
    case 'concat': {
      const p = params(g, node, 'requantize');
      const rank = out.shape.length;
      const axis = node.attrs.axis < 0 ? node.attrs.axis + rank : node.attrs.axis;
      const outer = sizeOf(out.shape.slice(0, axis));
      const stride = sizeOf(out.shape.slice(axis));
      let at = 0;
      return node.inputs.flatMap((name, i) => {
        const chunk = sizeOf(tensorOf(g, name).shape.slice(axis));
        const lines = [
          `{ ${local('te_requant_params', 'r', requantInit(p.inputs[i]!, p.outputOffset, p.actMin, p.actMax))}`,
          `  ${requantizeKernel(ctx, node, name)}(${operand(ctx, name)}, ${outer}, ${chunk}, ${stride}, &r, ${y} + ${at}); }`,
        ];
        at += chunk;
        return lines;
      });
    }
    case 'reshape':
    case 'clamp': {
      const p = params(g, node, 'requantize');
      const r = p.inputs[0]!;
      const same =
        ctx.offsets.get(node.inputs[0]!) === ctx.offsets.get(node.outputs[0]!) &&
        tensorOf(g, node.inputs[0]!).dtype === out.dtype;
      const [lo, hi] = RANGE_OF[activationType(out.dtype)];
      if (same && r.identity && p.actMin === lo && p.actMax === hi)
        return [comment('shares its input buffer: nothing to do')];
      const n = sizeOf(out.shape);
      return [
        local('te_requant_params', 'r', requantInit(r, p.outputOffset, p.actMin, p.actMax)),
        `${requantizeKernel(ctx, node, node.inputs[0]!)}(${operand(ctx, node.inputs[0]!)}, 1, ${n}, ${n}, &r, ${y});`,
      ];
    }
    case 'softmax': {
      const depth = out.shape[out.shape.length - 1]!;
      const rows = sizeOf(out.shape) / depth;
      if (sfx === 's16') {
        const q = params(g, node, 'softmax16');
        // The same two tables for every int16 softmax: emitted once.
        const exp = ctx.pool.add('softmax16\0exp', 'int16_t', q.expLut, 'int16 softmax: exp on [−10, 0], 513 entries');
        const reciprocal = ctx.pool.add(
          'softmax16\0reciprocal',
          'int16_t',
          q.reciprocalLut,
          'int16 softmax: 1/(1 + x) on [0, 1], 513 entries',
        );
        return [
          `te_softmax_s16(${act(ctx, node.inputs[0]!)}, ${rows}, ${depth}, ${q.inputMultiplier}, ${q.inputShift}, ${exp}, ${reciprocal}, ${y});`,
        ];
      }
      const p = params(g, node, 'softmax');
      const table = ctx.pool.add(`${node.name}\0exp`, 'int32_t', p.expTable, `${node.name}: exponent table`);
      return [`te_softmax_s8(${act(ctx, node.inputs[0]!)}, ${rows}, ${depth}, ${table}, ${y});`];
    }
    case 'logistic': {
      const p = params(g, node, 'lut');
      const table = ctx.pool.add(`${node.name}\0lut`, 'int8_t', p.table, `${node.name}: logistic table`);
      return [`te_lookup_s8(${act(ctx, node.inputs[0]!)}, ${sizeOf(out.shape)}, ${table}, ${y});`];
    }
    case 'transpose_conv2d': {
      const f = tensorOf(g, node.inputs[1]!);
      const scratch = `(int32_t *)(arena + ${ctx.scratch.get(node.name)})`;
      return [
        local('te_mac_params', 'p', macInit(ctx, node, 'tflite')),
        local('te_window', 'w', windowInit(ctx, node, f.shape[1]!, f.shape[2]!, node.attrs)),
        `te_transpose_conv2d_s8(${act(ctx, node.inputs[0]!)}, ${constant(ctx, node.inputs[1]!)}, ${bias(ctx, node)}, &w, ${f.shape[0]}, &p, ${scratch}, ${y});`,
      ];
    }
    case 'resize_nearest':
    case 'resize_bilinear': {
      const p = params(g, node, 'resize');
      const [n, h, w, c] = tupleOf(tensorOf(g, node.inputs[0]!).shape, 4);
      const rows = ctx.pool.add(`${node.name}\0rows`, 'int32_t', p.rows, `${node.name}: source rows`);
      const cols = ctx.pool.add(`${node.name}\0cols`, 'int32_t', p.cols, `${node.name}: source columns`);
      const kind = node.op === 'resize_nearest' ? 'nearest' : 'bilinear';
      return [
        local('te_resize', 's', structBody([n, h, w, c, out.shape[1]!, out.shape[2]!])),
        `te_resize_${kind}_s8(${act(ctx, node.inputs[0]!)}, &s, ${rows}, ${cols}, ${y});`,
      ];
    }
    case 'sub':
    case 'batch_norm':
    case 'identity':
      throw new TinyedgeError('TE401', `${node.op} has no int8 C kernel`);
  }
}
