/**
 * `tinyedge predict` end to end: --json prints exactly one JSON object in the design's shape with nsfwjs's labels;
 * --input FILE.f32 (the decoded photo written as raw float32) gives the same scores as --image; the scores are
 * the reference interpreter's; the human output shows top-5, latency and memory.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { optimize } from '../compiler/pipeline.ts';
import { runF32 } from '../compiler/reference/f32/interpreter.ts';
import { loadModel } from '../models/registry.ts';
import { tinyedge } from './support/cli.ts';
import { photoInput, SAMPLE_PHOTOS } from './support/samples.ts';

const photo = SAMPLE_PHOTOS.find((p) => p.endsWith('coffee.png')) as string;
let inputFile: string;
let expected: Float32Array;

beforeAll(async () => {
  const model = loadModel();
  const x = await photoInput(model, photo);
  inputFile = join(mkdtempSync(join(tmpdir(), 'tinyedge-predict-')), 'coffee.f32');
  writeFileSync(inputFile, Buffer.from(x.buffer));
  const g = optimize(model.graph);
  expected = runF32(g, { [g.inputs[0]!]: x }).get(g.outputs[0]!) as Float32Array;
});

describe('predict', () => {
  it('--json prints one JSON object: output, top-5 with labels, latency, memory', () => {
    const r = tinyedge(['predict', '--image', photo, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual(['latencyMs', 'memory', 'output', 'top']);
    expect(out.output).toMatchObject({ shape: [1, 5], dtype: 'f32', scale: null, zeroPoint: null });
    expect(out.output.data).toEqual(Array.from(expected));
    expect(out.top).toHaveLength(5);
    expect(out.top.map((t: { label: string }) => t.label).sort()).toEqual([
      'Drawing',
      'Hentai',
      'Neutral',
      'Porn',
      'Sexy',
    ]);
    expect(out.top[0].score).toBe(Math.max(...expected));
    expect(out.latencyMs).toBeGreaterThan(0);
    expect(out.memory.weightBytes).toBeGreaterThan(16e6);
    expect(out.memory.arenaBytes).toBeGreaterThan(0);
  });

  it('--input FILE.f32 holding the decoded photo gives the same scores as --image', () => {
    const r = tinyedge(['predict', '--input', inputFile, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).output.data).toEqual(Array.from(expected));
  });

  it('the human output names the top class and prints latency and memory', () => {
    const r = tinyedge(['predict', '--image', photo]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/rank.*label.*score/);
    expect(r.stdout).toMatch(/latency\s+\d+(\.\d+)? ms/);
    expect(r.stdout).toMatch(/memory\s+activations .* peak, weights 16\.\d MiB/);
  });

  it('the layers model predicts from the package too', () => {
    const r = tinyedge(['predict', 'nsfwjs:mobilenet_v2', '--image', photo, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const scores: number[] = JSON.parse(r.stdout).output.data;
    expect(scores.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('--help works and lists the commands and models', () => {
    const r = tinyedge(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/inspect/);
    expect(r.stdout).toMatch(/predict/);
    expect(r.stdout).toMatch(/nsfwjs:mobilenet_v2_mid/);
  });
});
