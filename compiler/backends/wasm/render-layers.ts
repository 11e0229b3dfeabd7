/**
 * @fileoverview One WebAssembly function per int8 node, specialized to its shapes and constants (the op → kernel
 * table of the WASM backend). The arithmetic is the int8 reference's, written with i32/i64 instructions; the
 * pointwise conv and dense layers run a SIMD128 matmul on i32x4.dot_i16x8_s, the depthwise conv SIMD128 i16 lanes;
 * the scalar kernels shared with 16×8 nodes are in scalar-layers.ts, the 16×8 op table in int16-layers.ts.
 */
import { Graph, Node, tensorOf } from '../../ir/graph.ts';
import { sameShape, sizeOf } from '../../ir/tensor.ts';
import { TinyedgeError } from '../../errors.ts';
import { Int8Params, foldedMacBias, isPointwiseConv, int8ParamsOf, paramsOfKind } from '../../quantize/prepare/prepare-int8.ts';
import { windowOf } from '../../ir/window.ts';
import { SimdRequant, simdRequantTable } from './requantize.ts';
import { emitSimdMatmul, matmulScratchBytes, paddedBias, simdMatmulWeights } from './simd-matmul.ts';
import { emitSimdAdd } from './simd-add.ts';
import { emitSoftmax } from './softmax.ts';
import { convPatchBytes, emitSimdConv } from './simd-conv.ts';
import { depthwiseScratchBytes, emitSimdDepthwise, productsPairInInt16, simdDepthwiseConstants } from './simd-depthwise.ts';
import { emitResizeBilinear, emitResizeNearest, emitTransposeConv } from './upsampling.ts';
import { emitInt16Layer, int16ScratchBytes, isInt16Node } from './int16-layers.ts';
import { emitBroadcastBinary, emitMean, emitPad, emitPool, emitRequantize } from './scalar-layers.ts';
import { LayerContext, tensorAddress as addr } from './layer-context.ts';

function params<K extends Int8Params['kind']>(g: Graph, node: Node, kind: K): Extract<Int8Params, { kind: K }> {
  return paramsOfKind(int8ParamsOf(g), node, kind);
}

/** The SIMD requantization table of a conv, dense or depthwise node, placed in the data, when its shifts allow one. */
function vectorRequant(ctx: LayerContext, node: Node): { at: number; rq: SimdRequant } | undefined {
  const p = params(ctx.g, node, 'mac');
  const rq = simdRequantTable(p.multipliers, p.shifts);
  return rq && { at: ctx.data.add(`${node.name}\0requant-simd`, rq.table), rq };
}

/** Per-channel (multiplier, left shift, right shift) triples, 12 bytes a channel. */
export function channelRequant(ctx: LayerContext, node: Node): number {
  const p = params(ctx.g, node, 'mac');
  const t = new Int32Array(p.multipliers.length * 3);
  p.multipliers.forEach((m, c) => {
    t[3 * c] = m;
    t[3 * c + 1] = Math.max(p.shifts[c], 0);
    t[3 * c + 2] = Math.max(-p.shifts[c], 0);
  });
  return ctx.data.add(`${node.name}\0requant`, t);
}

/**
 * Scratch bytes a node's WASM kernel needs: matmuls widen rows to int16 and keep int32 accumulator rows, a regular
 * conv gathers windows first, a depthwise conv keeps one pixel's accumulators, and a transpose conv accumulates its
 * whole output in int32.
 */
export function wasmScratchBytes(g: Graph, node: Node): number {
  if (isInt16Node(g, node)) return int16ScratchBytes(g, node);
  if (node.op === 'transpose_conv2d') return 4 * sizeOf(tensorOf(g, node.outputs[0]).shape);
  if (node.op === 'depthwise_conv2d') return depthwiseScratchBytes(tensorOf(g, node.outputs[0]).shape[3]);
  if (node.op !== 'conv2d' && node.op !== 'fully_connected') return 0;
  const f = tensorOf(g, node.inputs[1]).shape;
  const k = sizeOf(f) / f[0];
  return matmulScratchBytes(k, f[0]) + (node.op === 'conv2d' && !isPointwiseConv(g, node) ? convPatchBytes(f[1], f[2], f[3]) : 0);
}

/** Emits the function `name` computing `node`. */
export function emitLayer(ctx: LayerContext, node: Node, name: string): void {
  const { g, module } = ctx;
  const int16 = isInt16Node(g, node);
  if (int16 && emitInt16Layer(ctx, node, name)) return;
  const out = tensorOf(g, node.outputs[0]);
  const y = addr(ctx, node.outputs[0]);
  switch (node.op) {
    case 'conv2d':
    case 'fully_connected': {
      const filter = tensorOf(g, node.inputs[1]);
      const o = filter.shape[0];
      const k = sizeOf(filter.shape) / o;
      const p = params(g, node, 'mac');
      const weights = ctx.data.addWidened(`${node.inputs[1]}\0simd`, simdMatmulWeights(filter.data as Int8Array, o, k));
      const bias = ctx.data.add(`${node.name}\0folded`, paddedBias(foldedMacBias(g, node, p.inputOffset)));
      const vector = vectorRequant(ctx, node);
      const scratch = ctx.scratch.get(node.name) as number;
      const mm = { weights, bias, table: vector ? 0 : channelRequant(ctx, node), vector, scratch, k, outC: o, p };
      if (node.op === 'fully_connected' || isPointwiseConv(g, node)) {
        const rows = sizeOf(tensorOf(g, node.inputs[0]).shape) / k;
        module.fn(name, 0, (f) => [emitSimdMatmul(f, mm, f.c(addr(ctx, node.inputs[0])), rows, f.c(y))]);
        return;
      }
      const w = windowOf(tensorOf(g, node.inputs[0]), out, filter.shape[1], filter.shape[2], node.attrs);
      const conv = { x: addr(ctx, node.inputs[0]), y, patch: scratch + matmulScratchBytes(k, o), w, inputOffset: p.inputOffset };
      module.fn(name, 0, (f) => [emitSimdConv(f, mm, conv)]);
      return;
    }
    case 'depthwise_conv2d': {
      const filter = tensorOf(g, node.inputs[1]);
      const w = windowOf(tensorOf(g, node.inputs[0]), out, filter.shape[1], filter.shape[2], node.attrs);
      const p = params(g, node, 'mac');
      const bias = node.inputs[2] === undefined ? new Int32Array(filter.shape[3]) : (tensorOf(g, node.inputs[2]).data as Int32Array);
      const constants = simdDepthwiseConstants(filter.data as Int8Array, bias, filter.shape[1] * filter.shape[2], filter.shape[3], p.inputOffset);
      const at = {
        weights: ctx.data.add(`${node.inputs[1]}\0simd`, constants.weights),
        bias: ctx.data.add(`${node.name}\0bias`, constants.bias),
        folded: ctx.data.add(`${node.name}\0folded`, constants.folded),
      };
      const multiplier = node.attrs.depthMultiplier;
      const vector = multiplier === 1 ? vectorRequant(ctx, node) : undefined;
      const dw = { x: addr(ctx, node.inputs[0]), y, acc: ctx.scratch.get(node.name) as number, table: vector ? 0 : channelRequant(ctx, node), vector, w, multiplier, p };
      module.fn(name, 0, (f) => [emitSimdDepthwise(f, dw, at, productsPairInInt16(filter.data as Int8Array))]);
      return;
    }
    case 'add':
    case 'mul': {
      if (node.op === 'add' && !int16 && node.inputs.every((i) => sameShape(tensorOf(g, i).shape, out.shape))) {
        const simd = { a: addr(ctx, node.inputs[0]), b: addr(ctx, node.inputs[1]), y, n: sizeOf(out.shape), p: params(g, node, 'add') };
        module.fn(name, 0, (f) => [emitSimdAdd(f, simd)]);
        return;
      }
      return emitBroadcastBinary(ctx, node, name);
    }
    case 'avg_pool2d':
    case 'max_pool2d':
      return emitPool(ctx, node, name);
    case 'mean':
      return emitMean(ctx, node, name);
    case 'pad':
      return emitPad(ctx, node, name);
    case 'concat':
    case 'reshape':
    case 'clamp':
      return emitRequantize(ctx, node, name);
    case 'softmax': {
      const table = ctx.data.add(`${node.name}\0exp`, params(g, node, 'softmax').expTable);
      const depth = out.shape[out.shape.length - 1];
      const layout = { x: addr(ctx, node.inputs[0]), y, table, rows: sizeOf(out.shape) / depth, depth };
      module.fn(name, 0, (f) => [emitSoftmax(f, layout)]);
      return;
    }
    case 'logistic': {
      const table = ctx.data.add(`${node.name}\0lut`, params(g, node, 'lut').table);
      const x = addr(ctx, node.inputs[0]);
      const n = sizeOf(out.shape);
      module.fn(name, 0, (f) => {
        const i = f.i32();
        return [f.for(i, f.c(0), f.c(n), [f.store8(f.add(f.c(y), i.get()), f.load8(f.add(f.c(table + 128), f.load8(f.add(f.c(x), i.get())))))])];
      });
      return;
    }
    case 'resize_nearest':
    case 'resize_bilinear': {
      const p = params(g, node, 'resize');
      const layout = {
        x: addr(ctx, node.inputs[0]),
        y,
        shape: tensorOf(g, node.inputs[0]).shape,
        oh: out.shape[1],
        ow: out.shape[2],
        rows: ctx.data.add(`${node.name}\0rows`, p.rows),
        cols: ctx.data.add(`${node.name}\0cols`, p.cols),
      };
      module.fn(name, 0, (f) => (node.op === 'resize_nearest' ? emitResizeNearest(f, layout) : emitResizeBilinear(f, layout)));
      return;
    }
    case 'transpose_conv2d': {
      const filter = tensorOf(g, node.inputs[1]);
      const p = params(g, node, 'mac');
      const layout = {
        x: addr(ctx, node.inputs[0]),
        y,
        weights: addr(ctx, node.inputs[1]),
        bias: node.inputs[2] === undefined ? undefined : addr(ctx, node.inputs[2]),
        table: channelRequant(ctx, node),
        scratch: ctx.scratch.get(node.name) as number,
        w: windowOf(tensorOf(g, node.inputs[0]), out, filter.shape[1], filter.shape[2], node.attrs),
        outC: filter.shape[0],
        inputOffset: p.inputOffset,
        p,
      };
      module.fn(name, 0, (f) => emitTransposeConv(f, layout));
      return;
    }
    case 'sub':
    case 'batch_norm':
    case 'identity':
      throw new TinyedgeError('TE401', `${node.op} has no int8 WASM kernel`);
  }
}
