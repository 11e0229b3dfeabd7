/**
 * `tinyedge quantize`, `predict ARTIFACT` and `export` end to end as a user runs them, and the bad inputs of the
 * quantizer: a calibration folder without images, an undecodable photo, an op with no int8 kernel, and an --out
 * that would overwrite a file of the user's.
 */

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, expectUserError, tinyedge } from './support/cli.ts';
import { SAMPLE_PHOTOS } from './support/samples.ts';

let work: string;
let artifact: string;
let quantizeRun: CliRun;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tinyedge-quantize-'));
  artifact = join(work, 'mobilenet_v2_mid.tinyedge');
  quantizeRun = tinyedge([
    'quantize',
    '--calibrate',
    ...SAMPLE_PHOTOS.slice(0, 3),
    '--augment',
    '1',
    '--eval-augment',
    '1',
    '--out',
    artifact,
    '--json',
  ]);
}, 600_000);

describe('tinyedge quantize', () => {
  it('writes an artifact and prints one JSON report: every layer, worst SQNR first, with logits, features and top-1 agreement', () => {
    expect(quantizeRun.status, quantizeRun.stderr).toBe(0);
    const r = JSON.parse(quantizeRun.stdout);
    expect(existsSync(artifact)).toBe(true);
    expect(r.calibration).toMatchObject({ method: 'minmax', images: 6, photos: 3, biasCorrection: true });
    expect(r.report.layers).toHaveLength(67);
    const sqnr = r.report.layers.map((l: { sqnrDb: number }) => l.sqnrDb);
    expect(sqnr).toEqual([...sqnr].sort((a: number, b: number) => a - b));
    expect(r.report.layers[0]).toHaveProperty('activationRange');
    expect(r.report.logits.sqnrDb).toBeGreaterThan(15);
    expect(r.report.top1Agreement).toBeGreaterThan(0.5);
  });

  it('predict runs the artifact on the int8 reference: raw int8 output with its scale and zero point, top-5 dequantized', () => {
    const r = tinyedge(['predict', artifact, '--image', SAMPLE_PHOTOS[0]!, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.output.dtype).toBe('int8');
    expect(out.output.scale).toBe(1 / 256);
    expect(out.output.zeroPoint).toBe(-128);
    expect(out.output.data.every((v: number) => Number.isInteger(v) && v >= -128 && v <= 127)).toBe(true);
    expect(out.top[0].score).toBeCloseTo((Math.max(...out.output.data) + 128) / 256, 9);
    expect(out.top).toHaveLength(5);
  });

  it('predict --input FILE.i8 feeds raw int8 bytes: all zeros equal the f32 tensor filled with 128/255 (scale 1/255, zero point −128)', () => {
    const i8 = join(work, 'zeros.i8');
    writeFileSync(i8, Buffer.alloc(224 * 224 * 3));
    const f32 = join(work, 'grey.f32');
    writeFileSync(f32, Buffer.from(new Float32Array(224 * 224 * 3).fill(128 / 255).buffer));
    const fromI8 = tinyedge(['predict', artifact, '--input', i8, '--json']);
    const fromF32 = tinyedge(['predict', artifact, '--input', f32, '--json']);
    expect(fromI8.status, fromI8.stderr).toBe(0);
    expect(fromF32.status, fromF32.stderr).toBe(0);
    expect(JSON.parse(fromI8.stdout).output.data).toEqual(JSON.parse(fromF32.stdout).output.data);
  });

  it('export --format onnx writes a model onnxruntime-node loads, int8 NHWC in and out', async () => {
    const onnx = join(work, 'model.onnx');
    const r = tinyedge(['export', artifact, '--format', 'onnx', '--out', onnx]);
    expect(r.status, r.stderr).toBe(0);
    const session = await ort.InferenceSession.create(readFileSync(onnx));
    expect(session.inputNames).toEqual(['input']);
    const y = await session.run({ input: new ort.Tensor('int8', new Int8Array(224 * 224 * 3), [1, 224, 224, 3]) });
    expect(y[session.outputNames[0]!]!.type).toBe('int8');
    expect(y[session.outputNames[0]!]!.dims).toEqual([1, 5]);
  });
});

describe('bad input to quantize and export', () => {
  it('a calibration folder with no images: names the folder', () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    expectUserError(
      tinyedge(['quantize', '--calibrate', empty, '--out', join(work, 'x.tinyedge')]),
      /^tinyedge: error: \S+empty: calibration folder has no images/,
    );
  });

  it('an undecodable image: names the file', () => {
    const dir = join(work, 'bad-photos');
    mkdirSync(dir);
    copyFileSync(SAMPLE_PHOTOS[0]!, join(dir, 'a.png'));
    writeFileSync(join(dir, 'b.jpg'), 'not a jpeg');
    expectUserError(
      tinyedge(['quantize', '--calibrate', dir, '--out', join(work, 'x.tinyedge')]),
      /^tinyedge: error: \S+b\.jpg: cannot decode image: /,
    );
  });

  it('a model with an op the quantizer cannot handle: names the file, node and op', () => {
    const dir = join(work, 'sub-model');
    mkdirSync(dir);
    const shape = { shape: { dim: [1, 4, 4, 3].map((size) => ({ size: String(size) })) } };
    const json = {
      format: 'graph-model',
      modelTopology: {
        node: [
          { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape } },
          { name: 'difference', op: 'Sub', input: ['x', 'x'], attr: { T: { type: 'DT_FLOAT' } } },
        ],
      },
      weightsManifest: [],
    };
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    expectUserError(
      tinyedge(['quantize', join(dir, 'model.json'), '--out', join(work, 'x.tinyedge')]),
      /^tinyedge: error: \S+model\.json: node 'difference' \(sub\): cannot be quantized: tinyedge has no int8 sub$/,
    );
  });

  it('--out naming a file that is not an artifact: refuses and leaves it untouched', () => {
    const precious = join(work, 'notes.txt');
    writeFileSync(precious, 'mine');
    expectUserError(
      tinyedge([
        'quantize',
        '--calibrate',
        SAMPLE_PHOTOS[0]!,
        '--augment',
        '0',
        '--eval-augment',
        '0',
        '--out',
        precious,
      ]),
      /notes\.txt: exists and is not a tinyedge artifact/,
    );
    expect(readFileSync(precious, 'utf8')).toBe('mine');
  });

  it('export of a file that is not an artifact, and over an existing file without --force', () => {
    const precious = join(work, 'keep.onnx');
    writeFileSync(precious, 'mine');
    expectUserError(
      tinyedge(['export', artifact, '--format', 'onnx', '--out', precious]),
      /keep\.onnx: exists; pass --force/,
    );
    expect(readFileSync(precious, 'utf8')).toBe('mine');
    expectUserError(tinyedge(['export', precious, '--format', 'onnx', '--out', join(work, 'y.onnx')]), /keep\.onnx: /);
  });

  it('a truncated artifact: names the file', () => {
    const cut = join(work, 'cut.tinyedge');
    writeFileSync(cut, readFileSync(artifact).subarray(0, 100_000));
    expectUserError(
      tinyedge(['predict', cut, '--image', SAMPLE_PHOTOS[0]!]),
      /cut\.tinyedge: not a valid tinyedge artifact: /,
    );
  });
});
