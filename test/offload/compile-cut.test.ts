/**
 * `tinyedge compile --cut`: the device's side of a split model from the CLI, MobileNetV2 0.35/96 quantized with the
 * bundled samples by each process (so the hashes agree with `offload serve`'s). For host C, the built runner's
 * answers through the server and, with the server gone, its own fallback tail both equal `predict`'s int8 output; for
 * wasm32, the head and tail modules chained equal it too. A bad cut, a bare-metal board and `run` on a split
 * folder are clear errors.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledModel } from '../../compiler/compile/compiled-model.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { imageToInput } from '../../models/image-input.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import { type ModelInfo, TinyedgeModel } from '../../runtime/wasm/tinyedge-loader.js';
import { expectUserError, tinyedgeAsync } from '../support/cli.ts';
import { type EdgeProcess, startEdgeProcess } from '../support/edge-process.ts';
import { ROOT } from '../support/samples.ts';

const run = promisify(execFile);
const PHOTO = join(ROOT, 'models', 'samples', 'coffee.png');
const CUT = '5';
const work = mkdtempSync(join(tmpdir(), 'tinyedge-compile-cut-'));
const hostDir = join(work, 'host');
const wasmDir = join(work, 'wasm');
let server: EdgeProcess;
let predicted: number[];
let inputFile: string;
let compiled: CompiledModel;

beforeAll(async () => {
  const [s, p, host, wasm] = await Promise.all([
    startEdgeProcess([MCU_MODEL, '--cut', CUT, '--port', '0', '--workers', '1', '--metrics-every', '0']),
    tinyedgeAsync(['predict', MCU_MODEL, '--image', PHOTO, '--precision', 'int8', '--json']),
    tinyedgeAsync(['compile', MCU_MODEL, '--target', 'host', '--cut', CUT, '--out', hostDir]),
    tinyedgeAsync(['compile', MCU_MODEL, '--target', 'wasm32', '--cut', CUT, '--out', wasmDir]),
  ]);
  server = s;
  for (const r of [p, host, wasm]) expect(r.status, r.stderr).toBe(0);
  expect(host.stdout).toMatch(new RegExp(`split at cut ${CUT} .* for host`));
  expect(host.stdout).toMatch(/^server: {2}tinyedge offload serve \S+ --cut 5 /m);
  predicted = JSON.parse(p.stdout).output.data;
  compiled = JSON.parse(readFileSync(join(hostDir, 'tinyedge.json'), 'utf8'));
  const { input } = compiled;
  const x = quantizeArray(await imageToInput(PHOTO, input.shape, compiled.preprocessing), {
    scale: [input.scale],
    zeroPoint: [input.zeroPoint],
  });
  inputFile = join(work, 'photo.i8');
  writeFileSync(inputFile, x);
}, 300_000);

afterAll(async () => {
  await server?.stop('SIGKILL');
});

/** Runs the C runner on the photo `frames` times; returns who answered each frame and the answers. */
async function runner(port: number, frames: number): Promise<{ by: string[]; answers: Int8Array[] }> {
  const answers = join(work, `answers-${port}.bin`);
  const { stdout } = await run(join(hostDir, 'runner'), [
    '127.0.0.1',
    String(port),
    'raw',
    '5000',
    '0',
    answers,
    ...Array(frames).fill(inputFile),
  ]);
  const bytes = new Int8Array(Uint8Array.from(readFileSync(answers)).buffer);
  const n = bytes.length / frames;
  return {
    by: JSON.parse(stdout).frames.map((f: { by: string }) => f.by),
    answers: Array.from({ length: frames }, (_, i) => bytes.slice(i * n, (i + 1) * n)),
  };
}

describe('tinyedge compile --cut', () => {
  it('host C: the runner records the cut and model hash the server serves, and its answers through the server equal predict', async () => {
    expect(compiled.split).toMatchObject({
      cut: Number(CUT),
      modelHash: expect.stringMatching(new RegExp(`^${server.hash}`)),
    });
    expect(compiled.memory.arenaBytes).toBe(
      (compiled.split?.headArenaBytes ?? 0) + (compiled.split?.tailArenaBytes ?? 0),
    );
    const r = await runner(server.port, 2);
    expect(r.by).toEqual(['server', 'server']);
    for (const y of r.answers) expect(Array.from(y)).toEqual(predicted);
  });

  it('host C: with the server gone the runner answers with its own tail, the same', async () => {
    await server.stop('SIGTERM');
    const r = await runner(server.port, 2);
    expect(r.by).toEqual(['offline', 'offline']);
    for (const y of r.answers) expect(Array.from(y)).toEqual(predicted);
  });

  it('wasm32: the head module then the tail module equal predict', async () => {
    const load = (part: string) =>
      TinyedgeModel.load(
        readFileSync(join(wasmDir, part, 'model.wasm')),
        JSON.parse(readFileSync(join(wasmDir, part, 'model.json'), 'utf8')) as ModelInfo,
      );
    const [head, tail] = await Promise.all([load('head'), load('tail')]);
    head.setInput(new Int8Array(Uint8Array.from(readFileSync(inputFile)).buffer));
    head.run();
    tail.setInput(head.output());
    tail.run();
    expect(Array.from(tail.output())).toEqual(predicted);
  });

  it('a cut the model lacks, a bare-metal board and `run` on a split folder are one clear error each', async () => {
    const [badCut, board, runSplit] = await Promise.all([
      tinyedgeAsync(['compile', MCU_MODEL, '--target', 'host', '--cut', '999', '--out', join(work, 'bad')]),
      tinyedgeAsync(['compile', MCU_MODEL, '--target', 'cortex-m4', '--cut', CUT, '--out', join(work, 'board')]),
      tinyedgeAsync(['run', hostDir, '--image', PHOTO]),
    ]);
    expectUserError(badCut, /--cut '999' is not a cut of this model: give 0 \(full offload\) to \d+/);
    expectUserError(board, /split offload in C needs POSIX sockets; cortex-m4 is a bare-metal board and has none/);
    expectUserError(
      runSplit,
      /is the device's side of a split model \(cut 5\): run it against `tinyedge offload serve .* --cut 5`/,
    );
  });
});
