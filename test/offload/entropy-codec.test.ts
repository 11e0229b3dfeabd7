/**
 * The offload entropy codec: lossless on every byte pattern (seeded random, constant, skewed like activations after
 * ReLU6, int16 lanes, empty, real cut tensors of MobileNetV2 0.35/96), never more than ENTROPY_OVERHEAD bytes
 * larger than the tensor, TypeScript and C (runtime/c/offload/entropy_codec.c, built on the host) writing identical
 * bytes and decoding each other's, and damaged payloads (truncated, extended, flipped bytes, wrong length or mode)
 * rejected with an error by both, never a crash or a hang.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { cutCandidates } from '../../compiler/plan/split/cut-candidates.ts';
import { quantizeForTensor } from '../../compiler/quantize/prepare/quant-params.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import { ENTROPY_OVERHEAD, EntropyError, entropyDecode, entropyEncode } from '../../runtime/offload/entropy-codec.ts';
import { STRICT_CFLAGS } from '../support/c-build.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';
import { photoInput, SAMPLE_PHOTOS } from '../support/samples.ts';
import { mulberry32 } from '../support/seeded.ts';

const OFFLOAD_C = fileURLToPath(new URL('../../runtime/c/offload', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tinyedge-entropy-'));
const cli = join(dir, 'entropy-cli');

/** Runs the C codec on `bytes`: the payload it writes (encode) or the decoded bytes and its status (decode). */
function c(
  op: 'encode' | 'decode',
  lanes: number,
  bytes: Uint8Array,
  expected = 0,
): { status: string; out: Uint8Array } {
  writeFileSync(join(dir, 'in.bin'), bytes);
  const r = spawnSync(cli, [op, String(lanes), join(dir, 'in.bin'), join(dir, 'out.bin'), String(expected)], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (r.status !== 0) throw new Error(`entropy-cli ${op} exited ${r.status} ${r.signal ?? ''}`);
  return { status: r.stdout.trim(), out: new Uint8Array(readFileSync(join(dir, 'out.bin'))) };
}

/** The TS decoder's error code for a payload, or 'ok'. */
function tsStatus(payload: Uint8Array, lanes: number, expected: number): string {
  try {
    entropyDecode(payload, lanes, expected);
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(EntropyError);
    return (e as EntropyError).code;
  }
}

const random = (seed: number, n: number, byte: (r: () => number) => number) => {
  const r = mulberry32(seed);
  return Uint8Array.from({ length: n }, () => byte(r));
};

/** Named test tensors: [bytes, lanes]. */
const CASES: Record<string, [Uint8Array, number]> = {
  empty: [new Uint8Array(0), 1],
  'one byte': [Uint8Array.of(0x80), 1],
  'uniform random': [random(1, 4096, (r) => Math.floor(256 * r())), 1],
  'all 0xff': [new Uint8Array(50_000).fill(0xff), 1],
  'ReLU6-like (60% at -128, small above)': [
    random(2, 30_000, (r) => (r() < 0.6 ? 0x80 : 0x80 + Math.floor(40 * r() * r()))),
    1,
  ],
  'int16 small magnitudes': [
    random(3, 20_000, (r) => Math.floor(256 * r())).map((b, i) => (i % 2 ? (b & 1 ? 0xff : 0) : b & 0x1f)),
    2,
  ],
  'int16 uniform random': [random(4, 8192, (r) => Math.floor(256 * r())), 2],
};

beforeAll(() => {
  const r = spawnSync(
    'gcc',
    [
      ...STRICT_CFLAGS,
      `-I${OFFLOAD_C}`,
      fileURLToPath(new URL('./entropy-cli.c', import.meta.url)),
      join(OFFLOAD_C, 'entropy_codec.c'),
      '-o',
      cli,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(r.stderr);
});

describe('entropy codec', () => {
  it.each(Object.keys(CASES))('%s: lossless, bounded, identical bytes in TypeScript and C', (name) => {
    const [bytes, lanes] = CASES[name]!;
    const payload = entropyEncode(bytes, lanes);
    expect(payload.length).toBeLessThanOrEqual(bytes.length + ENTROPY_OVERHEAD);
    expect(Buffer.from(entropyDecode(payload, lanes, bytes.length)).equals(Buffer.from(bytes))).toBe(true);
    const fromC = c('encode', lanes, bytes);
    expect(Buffer.from(fromC.out).equals(Buffer.from(payload))).toBe(true);
    const decodedByC = c('decode', lanes, payload, bytes.length);
    expect(decodedByC.status).toBe('ok');
    expect(Buffer.from(decodedByC.out).equals(Buffer.from(bytes))).toBe(true);
  });

  it('codes skewed data and stores random data', () => {
    expect(entropyEncode(CASES['ReLU6-like (60% at -128, small above)']![0], 1)[0]).toBe(1);
    expect(entropyEncode(CASES['uniform random']![0], 1)[0]).toBe(0);
    expect(entropyEncode(CASES['all 0xff']![0], 1).length).toBeLessThan(50_000 / 20);
  });

  it('real cut tensors of MobileNetV2 0.35/96 (every cut, one photo): lossless, identical in C, smaller after ReLU6', async () => {
    const { model, int8: g } = await quantizedDefaultModel(0, MCU_MODEL);
    const cuts = new Set(cutCandidates(g).map((c) => c.tensor));
    const x = quantizeForTensor(await photoInput(model, SAMPLE_PHOTOS[0]!), tensorOf(g, g.inputs[0]!));
    const tensors: Uint8Array[] = [];
    runInteger(
      g,
      { [g.inputs[0]!]: x },
      {
        onNode: (n, y) => cuts.has(n.outputs[0]!) && tensors.push(new Uint8Array(y.buffer, y.byteOffset, y.byteLength)),
      },
    );
    const all = Buffer.concat(tensors);
    const payloads = tensors.map((t) => entropyEncode(t, 1));
    tensors.forEach((t, i) => {
      expect(Buffer.from(entropyDecode(payloads[i]!, 1, t.length)).equals(Buffer.from(t))).toBe(true);
    });
    // One C run over all the cuts joined checks the C coder on real statistics.
    expect(Buffer.from(c('encode', 1, all).out).equals(Buffer.from(entropyEncode(all, 1)))).toBe(true);
    expect(payloads.reduce((s, p) => s + p.length, 0)).toBeLessThan(0.75 * all.length);
  }, 120_000);

  it('damaged payloads: both decoders fail with the same error, in bounded time', () => {
    const [bytes] = CASES['ReLU6-like (60% at -128, small above)']!;
    const payload = entropyEncode(bytes, 1);
    const n = bytes.length;
    const damaged: [string, Uint8Array, number][] = [
      ['truncated', payload.subarray(0, payload.length - 3), n],
      ['trailing', Uint8Array.from([...payload, 0]), n],
      ['length', payload, n + 1],
      ['mode', Uint8Array.from(payload, (b, i) => (i === 0 ? 7 : b)), n],
      ['lanes', payload, n],
      ['truncated', payload.subarray(0, 3), n],
      ['length', Uint8Array.of(0, 4, 0, 0, 0, 1, 2, 3), 4],
    ];
    for (const [code, p, expected] of damaged) {
      const lanes = code === 'lanes' ? 3 : 1;
      expect(tsStatus(p, lanes, expected), code).toBe(code);
      expect(c('decode', lanes, p, expected).status, code).toBe(code);
    }
    // Flipped bytes inside the stream: a wrong tensor or an error, never a crash; C and TS agree on which.
    const r = mulberry32(5);
    for (let k = 0; k < 20; k++) {
      const p = payload.slice();
      p[ENTROPY_OVERHEAD + 1 + Math.floor(r() * (p.length - ENTROPY_OVERHEAD - 1))]! ^= 1 + Math.floor(r() * 255);
      const ts = tsStatus(p, 1, n);
      const fromC = c('decode', 1, p, n);
      expect(fromC.status).toBe(ts);
      if (ts === 'ok') expect(Buffer.from(fromC.out).equals(Buffer.from(entropyDecode(p, 1, n)))).toBe(true);
    }
  });
});
