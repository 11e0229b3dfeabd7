/**
 * @fileoverview f32 reference kernels of the MAC-heavy ops: conv2d (OHWI), depthwise_conv2d ([1,KH,KW,C×M])
 * and fully_connected ([O,K]). Plain loops accumulating in float64; the pointwise case is blocked by four
 * output channels so each input value is loaded once per four MACs.
 */
import type { Clamp } from '../../ir/attrs.ts';
import { scatterTransposeConv, type Window2d } from '../../ir/window.ts';

function clampRange(c: Clamp): [number, number] {
  return [c.min ?? -Infinity, c.max ?? Infinity];
}

/** Regular convolution: y[n,oy,ox,o] = bias[o] + Σ x[n,iy,ix,c]·w[o,ky,kx,c]. */
export function conv2dF32(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | undefined,
  g: Window2d,
  outC: number,
  clamp: Clamp,
): Float32Array {
  const [lo, hi] = clampRange(clamp);
  const y = new Float32Array(g.n * g.oh * g.ow * outC);
  const pointwise =
    g.kh === 1 && g.kw === 1 && g.strides[0] === 1 && g.strides[1] === 1 && g.pads.every((p) => p === 0);
  if (pointwise) {
    pointwiseF32(x, w, bias, g.n * g.h * g.w, g.c, outC, y, lo, hi);
    return y;
  }
  const { c, kh, kw } = g;
  let yi = 0;
  for (let n = 0; n < g.n; n++) {
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) {
        for (let o = 0; o < outC; o++) {
          let acc = bias ? bias[o]! : 0;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * g.strides[0] - g.pads[0] + ky * g.dilations[0];
            if (iy < 0 || iy >= g.h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * g.strides[1] - g.pads[2] + kx * g.dilations[1];
              if (ix < 0 || ix >= g.w) continue;
              const xb = ((n * g.h + iy) * g.w + ix) * c;
              const wb = ((o * kh + ky) * kw + kx) * c;
              for (let ci = 0; ci < c; ci++) acc += x[xb + ci]! * w[wb + ci]!;
            }
          }
          y[yi++] = acc < lo ? lo : Math.min(acc, hi);
        }
      }
    }
  }
  return y;
}

/** 1×1 stride-1 convolution over `pixels` rows: a matrix product, four output channels at a time. */
function pointwiseF32(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | undefined,
  pixels: number,
  c: number,
  outC: number,
  y: Float32Array,
  lo: number,
  hi: number,
): void {
  const o4 = outC - (outC % 4);
  for (let p = 0; p < pixels; p++) {
    const xb = p * c;
    const yb = p * outC;
    let o = 0;
    for (; o < o4; o += 4) {
      let a0 = bias ? bias[o]! : 0;
      let a1 = bias ? bias[o + 1]! : 0;
      let a2 = bias ? bias[o + 2]! : 0;
      let a3 = bias ? bias[o + 3]! : 0;
      const w0 = o * c;
      const w1 = w0 + c;
      const w2 = w1 + c;
      const w3 = w2 + c;
      for (let ci = 0; ci < c; ci++) {
        const xv = x[xb + ci]!;
        a0 += xv * w[w0 + ci]!;
        a1 += xv * w[w1 + ci]!;
        a2 += xv * w[w2 + ci]!;
        a3 += xv * w[w3 + ci]!;
      }
      y[yb + o] = a0 < lo ? lo : Math.min(a0, hi);
      y[yb + o + 1] = a1 < lo ? lo : Math.min(a1, hi);
      y[yb + o + 2] = a2 < lo ? lo : Math.min(a2, hi);
      y[yb + o + 3] = a3 < lo ? lo : Math.min(a3, hi);
    }
    for (; o < outC; o++) {
      let acc = bias ? bias[o]! : 0;
      const wb = o * c;
      for (let ci = 0; ci < c; ci++) acc += x[xb + ci]! * w[wb + ci]!;
      y[yb + o] = acc < lo ? lo : Math.min(acc, hi);
    }
  }
}

/** Depthwise convolution: output channel c·M+m reads input channel c with filter column c·M+m. */
export function depthwiseConv2dF32(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | undefined,
  g: Window2d,
  multiplier: number,
  clamp: Clamp,
): Float32Array {
  const [lo, hi] = clampRange(clamp);
  const outC = g.c * multiplier;
  const y = new Float32Array(g.n * g.oh * g.ow * outC);
  const acc = new Float64Array(outC);
  for (let n = 0; n < g.n; n++) {
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) {
        if (bias) acc.set(bias);
        else acc.fill(0);
        for (let ky = 0; ky < g.kh; ky++) {
          const iy = oy * g.strides[0] - g.pads[0] + ky * g.dilations[0];
          if (iy < 0 || iy >= g.h) continue;
          for (let kx = 0; kx < g.kw; kx++) {
            const ix = ox * g.strides[1] - g.pads[2] + kx * g.dilations[1];
            if (ix < 0 || ix >= g.w) continue;
            const xb = ((n * g.h + iy) * g.w + ix) * g.c;
            const wb = (ky * g.kw + kx) * outC;
            if (multiplier === 1) {
              for (let ci = 0; ci < outC; ci++) acc[ci]! += x[xb + ci]! * w[wb + ci]!;
            } else {
              for (let oc = 0; oc < outC; oc++) acc[oc]! += x[xb + Math.floor(oc / multiplier)]! * w[wb + oc]!;
            }
          }
        }
        const yb = ((n * g.oh + oy) * g.ow + ox) * outC;
        for (let oc = 0; oc < outC; oc++) {
          const v = acc[oc]!;
          y[yb + oc] = v < lo ? lo : Math.min(v, hi);
        }
      }
    }
  }
  return y;
}

/** Fully connected over the last axis: y[r,o] = bias[o] + Σ x[r,k]·w[o,k]. */
export function fullyConnectedF32(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | undefined,
  k: number,
  outC: number,
  clamp: Clamp,
): Float32Array {
  const [lo, hi] = clampRange(clamp);
  const rows = x.length / k;
  const y = new Float32Array(rows * outC);
  pointwiseF32(x, w, bias, rows, k, outC, y, lo, hi);
  return y;
}

/**
 * Transpose convolution (TFLite's TRANSPOSE_CONV, filter [O,KH,KW,C]): every input pixel scatters x·w into the
 * outputs (iy·s − pad_top + ky, ix·s − pad_left + kx) that lie inside the cropped output; then bias and clamp.
 */
export function transposeConv2dF32(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | undefined,
  g: Window2d,
  outC: number,
  clamp: Clamp,
): Float32Array {
  const [lo, hi] = clampRange(clamp);
  const acc = new Float64Array(g.n * g.oh * g.ow * outC);
  scatterTransposeConv(g, outC, (xi, wi, yi) => (acc[yi]! += x[xi]! * w[wi]!));
  const y = new Float32Array(acc.length);
  for (let i = 0; i < acc.length; i++) {
    const v = acc[i]! + (bias ? bias[i % outC]! : 0);
    y[i] = v < lo ? lo : Math.min(v, hi);
  }
  return y;
}
