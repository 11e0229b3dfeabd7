/**
 * @fileoverview One WebAssembly function per int8 node, specialized to its shapes and constants (the op → kernel
 * table of the WASM backend). The arithmetic is the int8 reference's, written with i32/i64 instructions; the
 * pointwise conv and dense layers run a SIMD128 matmul on i32x4.dot_i16x8_s, the depthwise conv SIMD128 i16 lanes.
 */
import { Graph, Node, tensorOf } from '../../ir/graph.ts';
import { broadcastStrides, sizeOf } from '../../ir/tensor.ts';
import { TinyedgeError } from '../../errors.ts';
import { Int8Params, Requant, foldedMacBias, isPointwiseConv, meanGeometry, paramsOfKind } from '../../quantize/prepare-int8.ts';
import { int8ParamsOf } from '../../reference/int8/interpreter.ts';
import { windowOf } from '../../reference/window.ts';
import { Expr, FunctionBuilder, Local, WasmModule } from './binaryen.ts';
import { WasmData } from './wasm-data.ts';
import { SimdRequant, simdRequantTable } from './requantize.ts';
import { emitSimdMatmul, matmulScratchBytes, paddedBias, simdMatmulWeights } from './simd-matmul.ts';
import { emitSimdAdd } from './simd-add.ts';
import { emitSoftmax } from './softmax.ts';
import { convPatchBytes, emitSimdConv } from './simd-conv.ts';
import { depthwiseScratchBytes, emitSimdDepthwise, productsPairInInt16, simdDepthwiseConstants } from './simd-depthwise.ts';
import { emitResizeBilinear, emitResizeNearest, emitTransposeConv } from './upsampling.ts';
import { emitInt16Layer, isInt16Node } from './int16-layers.ts';

/** Where things are in linear memory. */
export interface LayerContext {
  g: Graph;
  module: WasmModule;
  data: WasmData;
  /** Address of each activation tensor. */
  address: Map<string, number>;
  /** Address of each node's scratch buffer. */
  scratch: Map<string, number>;
}

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

function requantScalar(f: FunctionBuilder, x: Expr, r: Requant, outputOffset: number, actMin: number, actMax: number, tmp: Local): Expr {
  const v = r.identity ? x : f.add(f.callI32('mbqm', [f.add(x, f.c(r.inputOffset)), f.c(r.multiplier), f.c(Math.max(r.shift, 0)), f.c(Math.max(-r.shift, 0))]), f.c(outputOffset));
  return f.clamp(v, actMin, actMax, tmp);
}

function addr(ctx: LayerContext, name: string): number {
  const a = ctx.address.get(name) ?? (tensorOf(ctx.g, name).data ? ctx.data.add(name, tensorOf(ctx.g, name).data as Int8Array) : undefined);
  if (a === undefined) throw new Error(`internal: '${name}' has no address`);
  return a;
}

/**
 * Scratch bytes a node's WASM kernel needs: matmuls widen rows to int16 and keep int32 accumulator rows, a regular
 * conv gathers windows first, a depthwise conv keeps one pixel's accumulators, and a transpose conv accumulates its
 * whole output in int32.
 */
export function wasmScratchBytes(g: Graph, node: Node): number {
  if (isInt16Node(g, node)) return 0;
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
  if (isInt16Node(g, node)) return emitInt16Layer(ctx, node, name);
  const out = tensorOf(g, node.outputs[0]);
  const y = addr(ctx, node.outputs[0]);
  switch (node.op) {
    case 'conv2d':
    case 'fully_connected': {
      const filter = tensorOf(g, node.inputs[1]);
      const o = filter.shape[0];
      const k = sizeOf(filter.shape) / o;
      const p = params(g, node, 'mac');
      const weights = ctx.data.add(`${node.inputs[1]}\0simd`, simdMatmulWeights(filter.data as Int8Array, o, k));
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
      if (out.shape.length > 4) throw new TinyedgeError(`the WASM backend handles ${node.op} up to rank 4`);
      const [ta, tb] = node.inputs.map((i) => tensorOf(g, i));
      const pad = (v: number[], fill: number) => [...new Array<number>(4 - v.length).fill(fill), ...v];
      const d = pad(out.shape, 1);
      const sa = pad(broadcastStrides(ta.shape, out.shape), 0);
      const sb = pad(broadcastStrides(tb.shape, out.shape), 0);
      const a = addr(ctx, node.inputs[0]);
      const b = addr(ctx, node.inputs[1]);
      const p = node.op === 'add' ? params(g, node, 'add') : params(g, node, 'mul');
      const sameShape = [ta.shape, tb.shape].every((s) => s.length === out.shape.length && s.every((v, i) => v === out.shape[i]));
      if (p.kind === 'add' && sameShape) {
        module.fn(name, 0, (f) => [emitSimdAdd(f, { a, b, y, n: sizeOf(out.shape), p })]);
        return;
      }
      module.fn(name, 0, (f) => {
        const idx = [f.i32(), f.i32(), f.i32(), f.i32()];
        const [o, tmp] = [f.i32(), f.i32()];
        const offset = (s: number[]) => idx.reduce<Expr>((acc, i, k) => f.add(acc, f.mul(i.get(), f.c(s[k]))), f.c(0));
        const xa = f.load8(f.add(f.c(a), offset(sa)));
        const xb = f.load8(f.add(f.c(b), offset(sb)));
        const mbqm = (x: Expr, m: number, shift: number) => f.callI32('mbqm', [x, f.c(m), f.c(Math.max(shift, 0)), f.c(Math.max(-shift, 0))]);
        const value =
          p.kind === 'add'
            ? mbqm(f.add(mbqm(f.shl(f.add(xa, f.c(p.input1Offset)), f.c(20)), p.input1Multiplier, p.input1Shift), mbqm(f.shl(f.add(xb, f.c(p.input2Offset)), f.c(20)), p.input2Multiplier, p.input2Shift)), p.outputMultiplier, p.outputShift)
            : mbqm(f.mul(f.add(xa, f.c(p.input1Offset)), f.add(xb, f.c(p.input2Offset))), p.outputMultiplier, p.outputShift);
        const inner: Expr[] = [f.store8(f.add(f.c(y), o.get()), f.clamp(f.add(value, f.c(p.outputOffset)), p.actMin, p.actMax, tmp)), o.set(f.add(o.get(), f.c(1)))];
        const loops = idx.reduceRight<Expr[]>((body, i, k) => [f.for(i, f.c(0), f.c(d[k]), body)], inner);
        return [o.set(f.c(0)), ...loops];
      });
      return;
    }
    case 'avg_pool2d':
    case 'max_pool2d': {
      const w = windowOf(tensorOf(g, node.inputs[0]), out, node.attrs.filter[0], node.attrs.filter[1], node.attrs);
      const p = params(g, node, 'pool');
      const x = addr(ctx, node.inputs[0]);
      const isMax = node.op === 'max_pool2d';
      module.fn(name, 0, (f) => {
        const [oy, ox, c, ky, kx, iy, ix, acc, count, v, tmp, half] = [f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32()];
        const inside = f.m.i32.and(f.m.i32.and(f.geS(iy.get(), f.c(0)), f.ltS(iy.get(), f.c(w.h))), f.m.i32.and(f.geS(ix.get(), f.c(0)), f.ltS(ix.get(), f.c(w.w))));
        const result = isMax
          ? acc.get()
          : f.then([half.set(f.divS(count.get(), f.c(2)))], f.divS(f.select(f.gtS(acc.get(), f.c(0)), f.add(acc.get(), half.get()), f.sub(acc.get(), half.get())), count.get()));
        return [
          f.for(oy, f.c(0), f.c(w.oh), [
            f.for(ox, f.c(0), f.c(w.ow), [
              f.for(c, f.c(0), f.c(w.c), [
                acc.set(f.c(isMax ? -128 : 0)),
                count.set(f.c(0)),
                f.for(ky, f.c(0), f.c(w.kh), [
                  iy.set(f.add(f.sub(f.mul(oy.get(), f.c(w.strides[0])), f.c(w.pads[0])), ky.get())),
                  f.for(kx, f.c(0), f.c(w.kw), [
                    ix.set(f.add(f.sub(f.mul(ox.get(), f.c(w.strides[1])), f.c(w.pads[2])), kx.get())),
                    f.if(inside, [
                      v.set(f.load8(f.add(f.c(x), f.add(f.mul(f.add(f.mul(iy.get(), f.c(w.w)), ix.get()), f.c(w.c)), c.get())))),
                      count.set(f.add(count.get(), f.c(1))),
                      acc.set(isMax ? f.select(f.gtS(v.get(), acc.get()), v.get(), acc.get()) : f.add(acc.get(), v.get())),
                    ]),
                  ]),
                ]),
                f.store8(f.add(f.c(y), f.add(f.mul(f.add(f.mul(oy.get(), f.c(w.ow)), ox.get()), f.c(w.c)), c.get())), f.clamp(result, p.actMin, p.actMax, tmp)),
              ]),
            ]),
          ]),
        ];
      });
      return;
    }
    case 'mean': {
      const { outer, reduced, inner } = meanGeometry(g, node, 'WASM');
      const p = params(g, node, 'mean');
      const x = addr(ctx, node.inputs[0]);
      module.fn(name, 0, (f) => {
        const [o, i, r, acc, q, tmp] = [f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32()];
        const half = Math.floor(reduced / 2);
        return [
          f.for(o, f.c(0), f.c(outer), [
            f.for(i, f.c(0), f.c(inner), [
              acc.set(f.c(0)),
              f.for(r, f.c(0), f.c(reduced), [acc.set(f.add(acc.get(), f.add(f.load8(f.add(f.c(x), f.add(f.mul(f.add(f.mul(o.get(), f.c(reduced)), r.get()), f.c(inner)), i.get()))), f.c(p.inputOffset))))]),
              q.set(f.callI32('mbqm', [acc.get(), f.c(p.multiplier), f.c(Math.max(p.shift, 0)), f.c(Math.max(-p.shift, 0))])),
              q.set(f.divS(f.select(f.gtS(q.get(), f.c(0)), f.add(q.get(), f.c(half)), f.sub(q.get(), f.c(half))), f.c(reduced))),
              f.store8(f.add(f.c(y), f.add(f.mul(o.get(), f.c(inner)), i.get())), f.clamp(f.add(q.get(), f.c(p.outputOffset)), -128, 127, tmp)),
            ]),
          ]),
        ];
      });
      return;
    }
    case 'pad': {
      const shape = tensorOf(g, node.inputs[0]).shape;
      if (shape.length > 4) throw new TinyedgeError('the WASM backend pads up to rank 4');
      const lead = 4 - shape.length;
      const s4 = [...new Array<number>(lead).fill(1), ...shape];
      const before = [...new Array<number>(lead).fill(0), ...node.attrs.pads.map((q) => q[0])];
      const o4 = s4.map((d, i) => d + before[i] + ([...new Array<number>(lead).fill(0), ...node.attrs.pads.map((q) => q[1])][i] as number));
      const value = params(g, node, 'pad').value;
      const x = addr(ctx, node.inputs[0]);
      module.fn(name, 0, (f) => {
        const idx = [f.i32(), f.i32(), f.i32(), f.i32()];
        const o = f.i32();
        // Built afresh at each use: a binaryen expression may appear only once in the tree.
        const inside = () => idx.map((i, k) => f.m.i32.and(f.geS(f.sub(i.get(), f.c(before[k])), f.c(0)), f.ltS(f.sub(i.get(), f.c(before[k])), f.c(s4[k])))).reduce((a, b) => f.m.i32.and(a, b));
        const at = idx.reduce<Expr>((acc, i, k) => f.add(f.mul(acc, f.c(s4[k])), f.sub(i.get(), f.c(before[k]))), f.c(0));
        const inner = [f.store8(f.add(f.c(y), o.get()), f.select(inside(), f.load8(f.add(f.c(x), f.select(inside(), at, f.c(0)))), f.c(value))), o.set(f.add(o.get(), f.c(1)))];
        return [o.set(f.c(0)), ...idx.reduceRight<Expr[]>((body, i, k) => [f.for(i, f.c(0), f.c(o4[k]), body)], inner)];
      });
      return;
    }
    case 'concat':
    case 'reshape':
    case 'clamp': {
      const p = params(g, node, 'requantize');
      const rank = out.shape.length;
      const axis = node.op === 'concat' ? (node.attrs.axis < 0 ? node.attrs.axis + rank : node.attrs.axis) : 0;
      const outer = node.op === 'concat' ? sizeOf(out.shape.slice(0, axis)) : 1;
      const stride = node.op === 'concat' ? sizeOf(out.shape.slice(axis)) : sizeOf(out.shape);
      module.fn(name, 0, (f) => {
        const [r, i, tmp] = [f.i32(), f.i32(), f.i32()];
        let at = 0;
        return node.inputs.map((input, k) => {
          const chunk = node.op === 'concat' ? sizeOf(tensorOf(g, input).shape.slice(axis)) : stride;
          const x = addr(ctx, input);
          const dst = at;
          at += chunk;
          if (x === y && p.inputs[k].identity && p.actMin === -128 && p.actMax === 127) return f.block([]);
          return f.for(r, f.c(0), f.c(outer), [
            f.for(i, f.c(0), f.c(chunk), [
              f.store8(f.add(f.c(y + dst), f.add(f.mul(r.get(), f.c(stride)), i.get())), requantScalar(f, f.load8(f.add(f.c(x), f.add(f.mul(r.get(), f.c(chunk)), i.get()))), p.inputs[k], p.outputOffset, p.actMin, p.actMax, tmp)),
            ]),
          ]);
        });
      });
      return;
    }
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
      throw new TinyedgeError(`${node.op} has no int8 WASM kernel`);
  }
}
