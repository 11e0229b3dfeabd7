/**
 * The CWT front end's design holds in the TypeScript reference: a cosine at each scale's centre frequency gives its
 * amplitude (float and fixed point), the fixed-point scalogram stays within a fraction of an input LSB of the float
 * one on every test clip (within 5e-4, about half an input LSB) and its int8 input within 1 LSB of quantizing the float one; the Q14 tables keep every
 * accumulator within int32; the synthetic PCGs put a murmur's energy above 150 Hz; WAV files round-trip.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cwtRequantize } from '../../compiler/audio/cwt-front-end.ts';
import { cwtTables, FUNNELNET_CWT, rowFrequencies } from '../../compiler/audio/cwt-kernels.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { scalogramF32 } from '../../compiler/reference/audio/cwt-f32.ts';
import { quantizeScalogram, scalogramInt } from '../../compiler/reference/audio/cwt-int.ts';
import { readWavClip } from '../../compiler/reference/audio/read-wav.ts';
import { synthesizePcg } from '../../tools/pcg/synthesize.ts';
import { writeWav } from '../../tools/pcg/wav.ts';
import { testClips } from './audio-build.ts';

const c = FUNNELNET_CWT;
const tables = cwtTables(c);

describe('CWT reference', () => {
  it('a cosine at each scale’s centre frequency gives its amplitude within 1%, float and fixed point', () => {
    for (const [r, hz] of rowFrequencies(c).entries()) {
      const pcm = Int16Array.from({ length: c.samples }, (_, n) =>
        Math.round(16384 * Math.cos((2 * Math.PI * hz * n) / c.sampleRate)),
      );
      const middle = r * c.columns + c.columns / 2;
      expect(scalogramF32(c, pcm)[middle], `${hz} Hz float`).toBeCloseTo(0.5, 2);
      expect(scalogramInt(tables, pcm)[middle]! / 65536, `${hz} Hz fixed`).toBeCloseTo(0.5, 2);
    }
  });

  it('fixed point is within 5e-4 (about half an input LSB) of the float scalogram on every clip, and its int8 input within 1 LSB of quantizing the float one', () => {
    const quant = { scale: [0.0009], zeroPoint: [-128] };
    const requantize = cwtRequantize(quant);
    let worst = 0;
    let differ = 0;
    for (const { name, pcm } of testClips()) {
      const fixed = scalogramInt(tables, pcm);
      const float = scalogramF32(c, pcm);
      fixed.forEach((m, i) => {
        worst = Math.max(worst, Math.abs(m / 65536 - float[i]!));
      });
      const fromFixed = quantizeScalogram(fixed, requantize);
      const fromFloat = quantizeArray(float, quant);
      fromFixed.forEach((q, i) => {
        expect(Math.abs(q - fromFloat[i]!), `${name} element ${i}`).toBeLessThanOrEqual(1);
        if (q !== fromFloat[i]) differ++;
      });
    }
    console.log(
      `fixed vs float: worst ${worst.toExponential(2)} (input LSB 9e-4); int8 inputs differing by 1 LSB: ${differ}`,
    );
    expect(worst).toBeLessThan(5e-4);
  });

  it('each scale’s taps sum to at most 2^15 per part, so |accumulator| ≤ 2^30 for any int16 clip', () => {
    for (let r = 0; r < c.rows; r++) {
      const h = tables.halves[r]!;
      const parts = [0, 1].map((part) =>
        tables.taps.subarray(tables.offsets[r]! + part * (2 * h + 1), tables.offsets[r]! + (part + 1) * (2 * h + 1)),
      );
      for (const p of parts) expect(p.reduce((s, v) => s + Math.abs(v), 0)).toBeLessThanOrEqual(2 ** 15);
    }
    expect(tables.taps.length).toBe(tables.offsets[c.rows - 1]! + 2 * (2 * tables.halves[c.rows - 1]! + 1));
  });

  it('synthetic PCGs: a murmur raises the energy above 150 Hz; each seed gives the same clip every time', () => {
    const high = rowFrequencies(c)
      .map((hz, r) => (hz > 150 ? r : -1))
      .filter((r) => r >= 0);
    const band = (pcm: Int16Array) => {
      const s = scalogramF32(c, pcm);
      return high.reduce(
        (sum, r) => sum + s.subarray(r * c.columns, (r + 1) * c.columns).reduce((a, b) => a + b, 0),
        0,
      );
    };
    for (const seed of [1, 2, 3]) {
      const clip = (murmur: boolean) => synthesizePcg({ sampleRate: c.sampleRate, samples: c.samples, murmur, seed });
      expect(band(clip(true)), `seed ${seed}`).toBeGreaterThan(2 * band(clip(false)));
      expect(clip(true)).toEqual(clip(true));
    }
  });

  it('a PCG written by tools/pcg reads back sample for sample', () => {
    const pcm = synthesizePcg({ sampleRate: c.sampleRate, samples: c.samples, murmur: true, seed: 5 });
    const file = join(mkdtempSync(join(tmpdir(), 'tinyedge-wav-')), 'clip.wav');
    writeWav(file, pcm, c.sampleRate);
    expect(readWavClip(file, c)).toEqual(pcm);
  });
});
