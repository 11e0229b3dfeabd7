/**
 * The loaders under seeded mutation: one small model per loader (tinyedge artifact, .tflite, int8 ONNX, float ONNX,
 * TF.js graph model) gets bit flips, truncations and field edits by format, and each mutated file is predicted through
 * the CLI's own library path (a child process, 30 s per case). Every case must end one of two ways: tinyedge's clean
 * error naming a file of the case, or an answer that is the unmutated model's, or — when the mutation made a different
 * valid model — the answer that model has: ONNX Runtime's or TF.js's on the same file, or (artifact, .tflite, which no
 * Node peer reads) a graph that writes back to the file byte for byte or differs from the unmutated one only in
 * weights, scales and zero points the verifier found valid. Never an internal error, a crash, a hang, a
 * file a peer refuses answered, or another answer. A sample of the clean errors goes through the real binary.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeArtifact } from '../../compiler/artifact/int8-artifact.ts';
import { expectUserError, tinyedgeAsync } from '../support/cli.ts';
import { mulberry32 } from '../support/seeded.ts';
import { buildFixtures, type Fixture, writeCase } from './fixtures.ts';
import { type CaseResult, PredictHarness } from './harness-runner.ts';
import { type Mutant, mutants } from './mutators.ts';
import { onnxRuntimeOutput, tfjsOutput } from './peers.ts';

/** Mutations per format: a few hundred in all. */
const PER_FORMAT: Record<Fixture['format'], number> = {
  artifact: 100,
  tflite: 100,
  'onnx-int8': 100,
  'onnx-float': 100,
  tfjs: 100,
};
const CASE_TIMEOUT_MS = 30_000;
/** ONNX Runtime's int8 kernels requantize in float: up to 1 LSB per layer from TFLite's integer arithmetic (5 layers). */
const INT8_PEER_LSB = 5;
/** Float agreement with a peer, on softmax probabilities. */
const FLOAT_PEER_TOLERANCE = 1e-4;

type Verdict = 'clean error' | 'accepted, equal' | 'accepted, a different valid model';

let work: string;
let fixtures: Fixture[];
const harness = new PredictHarness();
/** Each format's unmutated answer. */
const pristine = new Map<string, number[]>();
/** Each format's unmutated graph structure (see predict-harness.ts). */
const pristineStructure = new Map<string, string | undefined>();

/**
 * The largest difference between two outputs; NaN against NaN and equal infinities agree (a peer overflowing alike).
 * A null is a NaN that went through JSON (`predict --json` and the harness's channel write NaN as null).
 */
function maxDiff(a: (number | null)[], b: (number | null)[]): number {
  if (a.length !== b.length) return Infinity;
  return a.reduce<number>((m, x, i) => {
    const [v, w] = [x ?? Number.NaN, b[i] ?? Number.NaN];
    return Object.is(v, w) || (Number.isNaN(v) && Number.isNaN(w))
      ? m
      : Math.max(m, Number.isNaN(v - w) ? Infinity : Math.abs(v - w));
  }, 0);
}

/** Why an accepted mutant's different answer is right, or why it is wrong (a failure). */
async function judgeDifferent(
  m: Mutant,
  r: Extract<CaseResult, { kind: 'ok' }>,
): Promise<{ ok: boolean; why: string }> {
  if (m.format === 'artifact' || m.format === 'tflite') {
    if (r.rewritesExactly) return { ok: true, why: 'the loaded graph writes back to the file byte for byte' };
    if (r.structure === pristineStructure.get(m.format))
      return { ok: true, why: 'only weights, scales or zero points changed, each valid' };
    return {
      ok: false,
      why: 'another answer, from a graph that neither writes back to the file nor differs only in its values',
    };
  }
  let theirs: number[];
  try {
    theirs =
      m.format === 'tfjs'
        ? await tfjsOutput(m.bytes, m.shard as Uint8Array, m.input)
        : await onnxRuntimeOutput(m.bytes, m.input, m.format === 'onnx-int8');
  } catch (e) {
    return {
      ok: false,
      why: `the peer refuses the file (${String((e as Error).message).split('\n')[0]}) but tinyedge answers`,
    };
  }
  const d = maxDiff(r.data, theirs);
  const limit = m.format === 'onnx-int8' ? INT8_PEER_LSB : FLOAT_PEER_TOLERANCE;
  return d <= limit
    ? { ok: true, why: `the peer agrees within ${d}` }
    : { ok: false, why: `the peer answers otherwise (max difference ${d})` };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tinyedge-fuzz-'));
  fixtures = buildFixtures();
  for (const [i, fx] of fixtures.entries()) {
    const files = writeCase(join(work, `pristine-${fx.format}`), fx);
    const r = await harness.run({ id: -1 - i, ...files, format: fx.format }, 120_000);
    if (r.kind !== 'ok') throw new Error(`the unmutated ${fx.format} model fails: ${JSON.stringify(r)}`);
    pristine.set(fx.format, r.data);
    pristineStructure.set(fx.format, r.structure);
  }
}, 300_000);

afterAll(() => harness.close());

describe('seeded mutations of one small model per loader', () => {
  const cleanErrors: { model: string; input: string; message: string }[] = [];

  it('every case: a clean error naming a file of the case, or the right answer; never an internal error, crash, hang or wrong answer', async () => {
    const counts: Record<string, Record<Verdict, number>> = {};
    const failures: string[] = [];
    let id = 0;
    // The .tflite field edits find these scales by their float32 bytes.
    const scales = [...decodeArtifact((fixtures[0] as Fixture).bytes, 'scales').graph.tensors.values()].flatMap(
      (t) => t.quant?.scale ?? [],
    );
    for (const fx of fixtures) {
      const tally = {
        'clean error': 0,
        'accepted, equal': 0,
        'accepted, a different valid model': 0,
      };
      counts[fx.format] = tally;
      for (const m of mutants(fx, PER_FORMAT[fx.format], 1000 + fixtures.indexOf(fx), mulberry32, scales)) {
        const dir = join(work, `case-${id}`);
        const files = writeCase(dir, m);
        const r = await harness.run({ id: id++, ...files, format: m.format }, CASE_TIMEOUT_MS);
        const label = `${m.format} case ${id - 1} (${m.what})`;
        if (r.kind === 'user') {
          if (!r.message.startsWith(dir))
            failures.push(`${label}: the error does not name a file of the case: ${r.message}`);
          tally['clean error']++;
          cleanErrors.push({ ...files, message: r.message });
        } else if (r.kind !== 'ok') {
          failures.push(`${label}: ${r.kind}: ${r.message}${'stack' in r && r.stack ? `\n${r.stack}` : ''}`);
        } else if (maxDiff(r.data, pristine.get(m.format) as number[]) === 0) {
          tally['accepted, equal']++;
        } else {
          const j = await judgeDifferent(m, r);
          if (j.ok) tally['accepted, a different valid model']++;
          else failures.push(`${label}: ${j.why}`);
        }
      }
    }
    const total = Object.values(counts)
      .flatMap((c) => Object.values(c))
      .reduce((a, b) => a + b, 0);
    console.log(`loaders fuzz: ${id} cases tried, ${total} clean, ${failures.length} failures`);
    for (const [format, c] of Object.entries(counts))
      console.log(
        `  ${format.padEnd(10)} ${Object.entries(c)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
    expect(failures, failures.join('\n\n')).toEqual([]);
  }, 600_000);

  it('a sample of the clean errors through the real binary: one line `tinyedge: error: <file>: …`, exit 2, no trace', async () => {
    const sample = fixtures.flatMap((fx) => cleanErrors.filter((e) => e.model.endsWith(fx.name)).slice(0, 2));
    expect(sample.length).toBeGreaterThanOrEqual(8);
    for (let i = 0; i < sample.length; i += 2) {
      const pair = sample.slice(i, i + 2);
      const runs = await Promise.all(
        pair.map((e) => tinyedgeAsync(['predict', e.model, '--input', e.input, '--json'])),
      );
      runs.forEach((r, k) => {
        expectUserError(r, new RegExp(`^tinyedge: error: ${escapeRegExp((pair[k] as { message: string }).message)}$`));
      });
    }
  }, 600_000);
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
