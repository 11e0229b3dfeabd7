/**
 * @fileoverview The continuous wavelet transform that turns a phonocardiogram into FunnelNet's scalogram: its
 * configuration and its Morlet kernels, in float and as the integer tables every target runs.
 *
 * Design (one definition, so the TypeScript reference, the C runtime and the AssemblyScript module agree bit for bit):
 * - Input: `samples` int16 PCM samples, mono, at `sampleRate` Hz (FunnelNet's default: 4096 samples at 2 kHz,
 *   2.048 s, one to three heart cycles).
 * - Scales: `rows` Morlet wavelets (ω0 = 6) whose centre frequencies are geometric from `maxHz` (row 0) down to
 *   `minHz` (last row): 400 → 25 Hz, the band of heart sounds and murmurs. Row r has centre f_r and scale
 *   s_r = ω0·fs / (2π·f_r) samples.
 * - Kernel of row r: taps k in [−h, h], h = ceil(3·s_r) (the Gaussian is cut at 3σ, where it is 1.1% of its peak),
 *   ψ[k] = (2/G)·g[k]·(cos(ω0·k/s_r) + i·sin(ω0·k/s_r)), g[k] = exp(−k²/(2·s_r²)), G = Σ g: a cosine of amplitude A
 *   at the centre frequency gives |W| ≈ A.
 * - Integer tables (made here, emitted by the backends as constants): c = round(ψ·2^14), real and imaginary, int16.
 *   Σ|c| ≤ 2^15 per part is checked, so with |x| ≤ 2^15 every accumulator stays within ±2^30: int32, no overflow.
 * - Time: `columns` output columns, `hop` = samples/columns apart; each column averages the magnitude at
 *   `subsamples` points hop/subsamples apart (n = t·hop + p·step + step/2), which damps the aliasing of the fast
 *   high-frequency envelopes. Samples outside [0, samples) are zero.
 * - Fixed point per point: acc = Σ x[n+k]·c[k] (int32), re = (acc_re + 2^14) >> 15 (arithmetic shift: rounds half
 *   up), likewise im, so |re|, |im| ≤ 2^15; m = floor(sqrt(re² + im²)) (re² + im² ≤ 2^31: uint32). A column's sum
 *   M = Σ_p m approximates 2^16 × the float feature (mean |W| of x/32768), so M ≤ 2^18.
 * - To int8: q = clamp(MultiplyByQuantizedMultiplier(M, m_q, shift) + zero_point, −128, 127), TFLite's double
 *   rounding with (m_q, shift) = QuantizeMultiplier(1 / (2^16·input_scale)), the model input's scale and zero point.
 * - Output: the model's input tensor [1, rows, columns, 1] (NHWC), row r, column t at r·columns + t.
 */
import { TinyedgeError } from '../errors.ts';

/** What the CWT front end of an audio model computes (see the file comment). */
export interface CwtConfig {
  sampleRate: number;
  samples: number;
  rows: number;
  minHz: number;
  maxHz: number;
  omega0: number;
  columns: number;
  subsamples: number;
}

/** FunnelNet's front end: 2.048 s at 2 kHz, 32 scales over 25–400 Hz, 64 columns of 4 averaged points. */
export const FUNNELNET_CWT: CwtConfig = {
  sampleRate: 2000,
  samples: 4096,
  rows: 32,
  minHz: 25,
  maxHz: 400,
  omega0: 6,
  columns: 64,
  subsamples: 4,
};

/** Fractional bits of the integer taps. */
export const CWT_TAP_BITS = 14;

/** The float kernels: per row, half-width h and the 2h+1 real and imaginary taps. */
export interface CwtKernel {
  hz: number;
  half: number;
  re: Float64Array;
  im: Float64Array;
}

/** The integer tables as every target reads them: all rows' taps in one int16 array, each row re[0..2h] then im[0..2h]. */
export interface CwtTables {
  config: CwtConfig;
  /** Per row: where its taps start in `taps`, and its half-width h. */
  offsets: Int32Array;
  halves: Int32Array;
  taps: Int16Array;
}

/** Centre frequency of each row, maxHz first. */
export function rowFrequencies(c: CwtConfig): number[] {
  return Array.from(
    { length: c.rows },
    (_, r) => c.maxHz * (c.minHz / c.maxHz) ** (c.rows === 1 ? 0 : r / (c.rows - 1)),
  );
}

/** The distance in samples between columns and between the points averaged into one. */
export function cwtSteps(c: CwtConfig): { hop: number; step: number } {
  const hop = c.samples / c.columns;
  return { hop, step: hop / c.subsamples };
}

/** Refuses a configuration the integer design does not cover. */
export function checkCwtConfig(c: CwtConfig): void {
  const { hop, step } = cwtSteps(c);
  if (!Number.isInteger(hop) || !Number.isInteger(step) || step < 1)
    throw new TinyedgeError(
      'TE404',
      `CWT: ${c.samples} samples do not split into ${c.columns} columns of ${c.subsamples} points`,
    );
  if (!(c.minHz > 0 && c.maxHz >= c.minHz && c.maxHz < c.sampleRate / 2))
    throw new TinyedgeError(
      'TE404',
      `CWT: band ${c.minHz}–${c.maxHz} Hz must lie below Nyquist (${c.sampleRate / 2} Hz)`,
    );
}

/** The float Morlet kernels of every row. */
export function morletKernels(c: CwtConfig): CwtKernel[] {
  checkCwtConfig(c);
  return rowFrequencies(c).map((hz) => {
    const s = (c.omega0 * c.sampleRate) / (2 * Math.PI * hz);
    const half = Math.ceil(3 * s);
    const g = Float64Array.from({ length: 2 * half + 1 }, (_, i) => Math.exp(-((i - half) ** 2) / (2 * s * s)));
    const gain = 2 / g.reduce((a, b) => a + b, 0);
    const re = g.map((v, i) => gain * v * Math.cos((c.omega0 * (i - half)) / s));
    const im = g.map((v, i) => gain * v * Math.sin((c.omega0 * (i - half)) / s));
    return { hz, half, re, im };
  });
}

/** The integer tables (Q14 taps), with the accumulator bound checked. */
export function cwtTables(c: CwtConfig): CwtTables {
  const kernels = morletKernels(c);
  const offsets = new Int32Array(c.rows);
  const halves = Int32Array.from(kernels, (k) => k.half);
  const taps = new Int16Array(kernels.reduce((n, k) => n + 2 * (2 * k.half + 1), 0));
  let at = 0;
  kernels.forEach((k, r) => {
    offsets[r] = at;
    for (const part of [k.re, k.im]) {
      let sum = 0;
      for (const v of part) {
        taps[at] = Math.round(v * 2 ** CWT_TAP_BITS);
        sum += Math.abs(taps[at++]!);
      }
      if (sum > 2 ** 15)
        throw new TinyedgeError(
          'TE404',
          `CWT: row ${r} (${k.hz.toFixed(1)} Hz) taps sum to ${sum} > 2^15: its accumulator could overflow int32`,
        );
    }
  });
  return { config: c, offsets, halves, taps };
}

/** Multiply-accumulates of one clip's CWT (real and imaginary taps inside the clip, every point of every column). */
export function cwtMacs(t: CwtTables): number {
  const c = t.config;
  const { hop, step } = cwtSteps(c);
  let macs = 0;
  for (let r = 0; r < c.rows; r++) {
    const h = t.halves[r]!;
    for (let col = 0; col < c.columns; col++) {
      for (let p = 0; p < c.subsamples; p++) {
        const n = col * hop + p * step + (step >> 1);
        macs += 2 * (Math.min(h, c.samples - 1 - n) - Math.max(-h, -n) + 1);
      }
    }
  }
  return macs;
}
