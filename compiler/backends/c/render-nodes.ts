/**
 * @fileoverview One C call per quantized node (int8, or 16×8: int16 activations): the op → kernel table of the C
 * backend. What TFLM's Prepare computes (multipliers, shifts, padding, offsets, tables) arrives here as constants
 * from prepare-int8.ts and is written as `static const` structs and arrays, so the device only runs integer code.
 * A node calls the kernels of its output's type (kernel-table.ts: `te_<op>_s8` or `te_<op>_s16`); the constants and
 * pointers come from render-context.ts, the MAC ops' from render-mac.ts.
 */

import { TinyedgeError } from '../../errors.ts';
import { type Graph, type Node, tensorOf } from '../../ir/graph.ts';
import { permutedWalk } from '../../ir/permutation.ts';
import { broadcastStrides, sizeOf } from '../../ir/tensor.ts';
import { tupleOf } from '../../ir/tuple.ts';
import type { ScratchQuery } from '../../plan/plan-memory.ts';
import { isPointwiseConv, type Requant, reductionGeometry } from '../../quantize/prepare/prepare-int8.ts';
import { activationType, RANGE_OF } from '../../quantize/prepare/quant-params.ts';
import { comment, structBody } from './c-literals.ts';
import {
  activationKernels,
  depthwiseBiasFolded,
  type KernelLayouts,
  REF_LAYOUTS,
  rowPairsScratchBytes,
} from './kernel-table.ts';
import { scratchWithinPeak } from './optional-scratch.ts';
import { act, bias, constant, kernelsOf, local, operand, params, type RenderContext } from './render-context.ts';
import {
  depthwiseFilter,
  foldedDepthwiseBiasOf,
  macArguments,
  macInit,
  matmulCall,
  matmulFilter,
  rowPairsK,
  windowInit,
} from './render-mac.ts';

/**
 * Bytes of scratch a node's C kernel needs with the kernels of `layouts`: te_conv2d_s8 gathers up to two output
 * pixels' windows (2·kh·kw·c bytes; te_conv2d_s16 keeps its own on the stack, te_conv2d_patch_s16 two int16 windows
 * of K padded to a multiple of four, rowPairsScratchBytes; the rowPairs kernels read the second
 * window's last word whole, and their 3×3×3 pair loop writes both windows as 4·ceil(k/4) bytes each: 8·ceil(k/4));
 * te_transpose_conv2d_s8 accumulates the whole output in int32 (4 bytes an element), as TFLM's scratch buffer.
 * `wide`: with what the rowPairs kernels would like besides, the int16 copy of two rows (rowPairsScratchBytes) of
 * te_matmul_row_pairs_s8 and te_conv2d_row_pairs_s8, before the windows.
 */
export function cScratchBytes(g: Graph, node: Node, layouts: KernelLayouts = REF_LAYOUTS, wide = true): number {
  if (node.op === 'transpose_conv2d') return 4 * sizeOf(tensorOf(g, node.outputs[0]!).shape);
  const rowPairs = rowPairsK(g, node, layouts);
  if (rowPairs !== undefined) return wide ? rowPairsScratchBytes(rowPairs) : 0;
  if (node.op !== 'conv2d' || isPointwiseConv(g, node)) return 0;
  const f = tensorOf(g, node.inputs[1]!).shape;
  const k = f[1]! * f[2]! * f[3]!;
  if (tensorOf(g, node.outputs[0]!).dtype === 'int16') return layouts.int16.convPatch ? rowPairsScratchBytes(k) : 0;
  if (!layouts.rowPairs) return 2 * k;
  return 8 * Math.ceil(k / 4) + (wide ? rowPairsScratchBytes(k) : 0);
}

/**
 * cScratchBytes with the kernels of `layouts`, as the memory planner asks it; the row-pair kernels' int16 copy only
 * where it does not raise the arena's peak (scratchWithinPeak: elsewhere pairs of rows are read as int8).
 */
export function cScratchQuery(layouts: KernelLayouts): ScratchQuery {
  const wanted: ScratchQuery = (g, node) => cScratchBytes(g, node, layouts);
  if (!layouts.rowPairs) return wanted;
  return scratchWithinPeak((g, node) => cScratchBytes(g, node, layouts, false), wanted);
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

/** te_top_k's input, rows, depth and k. */
function topKArguments(ctx: RenderContext, node: Node & { op: 'top_k_values' | 'top_k_indices' }): string {
  const { rows, depth, k } = params(ctx.g, node, 'topk');
  return `${act(ctx, node.inputs[0]!)}, ${rows}, ${depth}, ${k}`;
}

/** ArgMax and TopK's indices (int32): the kernels are named by their input's type. */
function renderIndices(ctx: RenderContext, node: Node & { op: 'top_k_indices' | 'arg_max' }): string[] {
  const sfx = activationKernels(tensorOf(ctx.g, node.inputs[0]!).dtype).suffix;
  const y = act(ctx, node.outputs[0]!, true);
  if (node.op === 'top_k_indices') return [`te_top_k_${sfx}(${topKArguments(ctx, node)}, NULL, ${y});`];
  const { outer, depth, inner } = params(ctx.g, node, 'argmax');
  return [`te_max_along_${sfx}(${act(ctx, node.inputs[0]!)}, ${outer}, ${depth}, ${inner}, NULL, ${y});`];
}

/** The C statements of one node (without the surrounding block). */
export function renderNode(ctx: RenderContext, node: Node): string[] {
  const { g } = ctx;
  if (node.op === 'top_k_indices' || node.op === 'arg_max') return renderIndices(ctx, node);
  const out = tensorOf(g, node.outputs[0]!);
  const y = act(ctx, node.outputs[0]!, true);
  const { suffix: sfx, layouts } = kernelsOf(ctx, node);
  switch (node.op) {
    case 'conv2d': {
      const f = tensorOf(g, node.inputs[1]!);
      const x = tensorOf(g, node.inputs[0]!);
      if (isPointwiseConv(g, node))
        return matmulCall(ctx, node, sizeOf(x.shape) / x.shape[3]!, x.shape[3]!, f.shape[0]!);
      // The window patch of the kernels that asked for one (cScratchBytes); two windows widened where it holds them.
      const scratch = ctx.scratch.get(node.name);
      const patch = scratch === undefined ? [] : [`(${kernelsOf(ctx, node).cType} *)(arena + ${scratch})`];
      const pairs = sfx === 's8' && (ctx.scratchBytes.get(node.name) ?? 0) >= cScratchBytes(g, node, layouts);
      const rowPairs = pairs && layouts.rowPairs === true;
      const kernel = rowPairs
        ? 'te_conv2d_row_pairs_s8'
        : sfx === 's16' && scratch !== undefined
          ? 'te_conv2d_patch_s16'
          : `te_conv2d_${sfx}`;
      // Not for 3×3 windows of 3 channels (te_window3x3_c3_ok): te_conv2d_s8 picks their pair loop at run time, so a
      // second copy of it without the fix-up would be linked beside it wherever both calls occur.
      const window3x3c3 = f.shape[1] === 3 && f.shape[2] === 3 && f.shape[3] === 3 && f.shape[0]! % 4 === 0;
      const lines = [
        local(
          'te_mac_params',
          'p',
          macInit(ctx, node, layouts.requantize.conv2d, layouts.matmul, rowPairs && !window3x3c3),
        ),
      ];
      const w = matmulFilter(ctx, node, layouts.matmul);
      const { bias: b, wide } = macArguments(ctx, node, true);
      return [
        ...lines,
        local('te_window', 'w', windowInit(ctx, node, f.shape[1]!, f.shape[2]!, node.attrs)),
        `${kernel}(${[act(ctx, node.inputs[0]!), w, b, '&w', f.shape[0], '&p', ...patch, ...wide, y].join(', ')});`,
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
      const { outer, reduced, inner } = reductionGeometry(g, node, 'C');
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
    case 'transpose': {
      const walk = permutedWalk(tensorOf(g, node.inputs[0]!).shape, node.attrs.perm);
      if (!walk) throw new TinyedgeError('TE401', 'the C backend transposes up to rank 4');
      return [
        local('int32_t', 'dims[4]', structBody(walk.dims)),
        local('int32_t', 'strides[4]', structBody(walk.strides)),
        `te_transpose_${sfx}(${act(ctx, node.inputs[0]!)}, dims, strides, ${y});`,
      ];
    }
    case 'reduce_max': {
      const { outer, reduced, inner } = reductionGeometry(g, node, 'C');
      return [`te_max_along_${sfx}(${act(ctx, node.inputs[0]!)}, ${outer}, ${reduced}, ${inner}, ${y}, NULL);`];
    }
    case 'top_k_values':
      return [`te_top_k_${sfx}(${topKArguments(ctx, node)}, ${y}, NULL);`];
    case 'sub':
    case 'batch_norm':
    case 'identity':
    case 'prelu':
      throw new TinyedgeError('TE401', `${node.op} has no int8 C kernel`);
  }
}
