/**
 * @fileoverview The fixed-point CWT (the design is in cwt-kernels.ts): int16 PCM → integer scalogram → the model's
 * int8 input. The definition the C runtime (runtime/c/audio/cwt.c) and the AssemblyScript module
 * (runtime/wasm/assembly/cwt.ts) must equal bit for bit. JS numbers hold every intermediate exactly: accumulators
 * stay within ±2^30 and re² + im² within 2^31.
 */
import { TinyedgeError } from '../../errors.ts';
import { Quantization } from '../../ir/tensor.ts';
import { clampInt, multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../arith/fixed-point.ts';
import { Graph, tensorOf } from '../../ir/graph.ts';
import { CwtConfig, CwtTables, cwtSteps, cwtTables } from './cwt-kernels.ts';

/** How column sums become the model's int8 input: TFLite's requantization to the input tensor's scale and zero point. */
export interface CwtRequantize {
  multiplier: number;
  shift: number;
  zeroPoint: number;
}

/** The requantization for an input tensor of scale `scale`: M / 2^16 is the float feature, so M·1/(2^16·scale). */
export function cwtRequantize(quant: Quantization): CwtRequantize {
  const real = 1 / (65536 * quant.scale[0]);
  if (!(real < 1)) throw new TinyedgeError(`CWT: the input scale ${quant.scale[0]} is below 2^-16, finer than the scalogram's own resolution`);
  const { multiplier, shift } = quantizeMultiplier(real);
  return { multiplier, shift, zeroPoint: quant.zeroPoint[0] };
}

/** floor(sqrt(v)) for 0 ≤ v < 2^52: the double square root is correctly rounded, so its floor is exact there. */
function isqrt(v: number): number {
  return Math.floor(Math.sqrt(v));
}

/** The column sums M[r·columns + t] of the integer scalogram of `pcm` (exactly `samples` int16 values). */
export function scalogramInt(t: CwtTables, pcm: Int16Array): Int32Array {
  const c = t.config;
  if (pcm.length !== c.samples) throw new Error(`internal: the CWT takes ${c.samples} samples, got ${pcm.length}`);
  const { hop, step } = cwtSteps(c);
  const out = new Int32Array(c.rows * c.columns);
  for (let r = 0; r < c.rows; r++) {
    const h = t.halves[r];
    const re = t.offsets[r];
    const im = re + 2 * h + 1;
    for (let col = 0; col < c.columns; col++) {
      let sum = 0;
      for (let p = 0; p < c.subsamples; p++) {
        const n = col * hop + p * step + (step >> 1);
        // Taps whose sample lies outside the clip meet zeros: the loop skips them.
        const k0 = Math.max(-h, -n);
        const k1 = Math.min(h, c.samples - 1 - n);
        let accRe = 0;
        let accIm = 0;
        for (let k = k0; k <= k1; k++) {
          const x = pcm[n + k];
          accRe += x * t.taps[re + h + k];
          accIm += x * t.taps[im + h + k];
        }
        const a = (accRe + 16384) >> 15;
        const b = (accIm + 16384) >> 15;
        sum += isqrt(a * a + b * b);
      }
      out[r * c.columns + col] = sum;
    }
  }
  return out;
}

/** Column sums to the model's int8 input. */
export function quantizeScalogram(sums: Int32Array, q: CwtRequantize): Int8Array {
  return Int8Array.from(sums, (m) => clampInt(multiplyByQuantizedMultiplier(m, q.multiplier, q.shift) + q.zeroPoint, -128, 127));
}

/** The whole fixed-point front end: PCM in, the model's int8 input out. */
export function cwtInt8(t: CwtTables, pcm: Int16Array, q: CwtRequantize): Int8Array {
  return quantizeScalogram(scalogramInt(t, pcm), q);
}

/** What a backend emits for an audio model's front end: the tables and the requantization to its int8 input. */
export interface CwtFrontEnd {
  tables: CwtTables;
  requantize: CwtRequantize;
}

/** The front end of an int8 graph whose input is the scalogram of `config`. */
export function cwtFrontEndOf(g: Graph, config: CwtConfig): CwtFrontEnd {
  const input = tensorOf(g, g.inputs[0]);
  if (input.dtype !== 'int8' || !input.quant) throw new TinyedgeError(`the CWT front end feeds an int8 input, not ${input.dtype}`, { file: g.source, node: g.inputs[0] });
  return { tables: cwtTables(config), requantize: cwtRequantize(input.quant) };
}
