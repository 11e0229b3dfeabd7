/**
 * @fileoverview A small synthetic phonocardiogram (PCG) generator for tests and demos: seeded heart cycles with the
 * first and second heart sounds (S1: a ~100 ms burst of 40–90 Hz decaying tones; S2: a ~80 ms burst of 60–150 Hz)
 * and, optionally, a systolic murmur between them (a crescendo–decrescendo of 150–400 Hz random tones, as in aortic
 * stenosis), plus a little broadband noise. Not a clinical model: just signals whose scalograms differ the way the
 * real ones do.
 */
import { mulberry32 } from '../../models/builders/mulberry32.ts';

/** What to synthesize. */
export interface PcgOptions {
  sampleRate: number;
  samples: number;
  murmur: boolean;
  seed: number;
}

/** A decaying tone burst of `ms` milliseconds starting at sample `at`, added into `out`. */
function addBurst(out: Float64Array, rate: number, at: number, ms: number, tones: [number, number][]): void {
  const length = Math.round((ms / 1000) * rate);
  for (let i = 0; i < length && at + i < out.length; i++) {
    if (at + i < 0) continue;
    const t = i / rate;
    // A Hann-shaped attack over the first fifth, then an exponential decay.
    const env = Math.sin((Math.PI / 2) * Math.min(1, (5 * i) / length)) * Math.exp((-4 * i) / length);
    for (const [hz, phase] of tones) out[at + i]! += env * Math.sin(2 * Math.PI * hz * t + phase);
  }
}

/** The PCG as int16 PCM (peaks at about half of full scale). */
export function synthesizePcg(o: PcgOptions): Int16Array {
  const next = mulberry32(o.seed);
  const between = (lo: number, hi: number) => lo + (hi - lo) * next();
  const out = new Float64Array(o.samples);
  const period = (60 / between(60, 90)) * o.sampleRate;
  const systole = Math.round(between(0.28, 0.34) * o.sampleRate);
  const tones = (n: number, lo: number, hi: number): [number, number][] =>
    Array.from({ length: n }, () => [between(lo, hi), between(0, 2 * Math.PI)]);
  const murmurTones = tones(24, 150, 400);
  // The clip starts somewhere inside a cycle.
  for (let beat = -Math.round(between(0, period)); beat < o.samples; beat += Math.round(period * between(0.97, 1.03))) {
    addBurst(out, o.sampleRate, beat, between(90, 120), tones(3, 40, 90));
    addBurst(out, o.sampleRate, beat + systole, between(70, 90), tones(3, 60, 150));
    if (!o.murmur) continue;
    const start = beat + Math.round(0.06 * o.sampleRate);
    const length = systole - Math.round(0.09 * o.sampleRate);
    for (let i = 0; i < length; i++) {
      const n = start + i;
      if (n < 0 || n >= o.samples) continue;
      const diamond = 1 - Math.abs((2 * i) / length - 1);
      let v = 0;
      for (const [hz, phase] of murmurTones) v += Math.sin((2 * Math.PI * hz * n) / o.sampleRate + phase);
      out[n]! += (0.35 * diamond * v) / Math.sqrt(murmurTones.length);
    }
  }
  for (let i = 0; i < out.length; i++) out[i]! += 0.01 * (2 * next() - 1);
  const peak = out.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-9);
  return Int16Array.from(out, (v) => Math.round((v / peak) * 16000));
}
