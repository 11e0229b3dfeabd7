/**
 * TFLM's own person-detection model (models/tflm/person_detect.tflite), imported as it is, gives exactly TFLM's
 * outputs — [-113, 113] on person.bmp and [57, -57] on no_person.bmp — in the int8 reference, through the CLI, and
 * compiled for every kind of target: the host, WebAssembly, a Raspberry Pi 4 under qemu-aarch64 and the three
 * Cortex-M boards under qemu-system-arm. That is the independent proof that tinyedge's arithmetic is TFLite's.
 */

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTfliteModel } from '../../compiler/frontends/tflite/read-model.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { loadModel } from '../../models/registry.ts';
import { loadTarget } from '../../targets/target.ts';
import { buildC, runC } from '../support/c-build.ts';
import { tinyedge } from '../support/cli.ts';
import { ROOT } from '../support/samples.ts';
import { instantiateWasm } from '../support/wasm-build.ts';

const DIR = join(ROOT, 'models', 'tflm');
const MODEL = join(DIR, 'person_detect.tflite');
/** TFLM's outputs, [no person, person], from models/tflm/README.md. */
const TFLM_OUTPUTS = [
  ['person', [-113, 113]],
  ['no_person', [57, -57]],
] as const;

const rawInput = (name: string) => new Int8Array(readFileSync(join(DIR, `${name}.u8`)));

/** The pixel bytes of an 8-bit palette BMP, top row first (BMP rows are stored bottom-up unless the height is negative). */
function bmpPixels(file: string): Uint8Array {
  const b = readFileSync(file);
  const offset = b.readUInt32LE(10);
  const width = b.readInt32LE(18);
  const height = b.readInt32LE(22);
  expect(b.readUInt16LE(28), 'bits per pixel').toBe(8);
  const stride = Math.ceil(width / 4) * 4;
  const rows = Array.from({ length: Math.abs(height) }, (_, r) =>
    b.subarray(offset + r * stride, offset + r * stride + width),
  );
  if (height > 0) rows.reverse();
  // The palette must be the identity grey ramp for the bytes to be the grey levels.
  for (let i = 0; i < 256; i++) expect([b[54 + 4 * i], b[55 + 4 * i], b[56 + 4 * i]]).toEqual([i, i, i]);
  return Uint8Array.from(Buffer.concat(rows));
}

describe('person_detect.tflite imported as it is', () => {
  const model = loadModel(MODEL);
  const g = model.graph;

  it('the .u8 inputs are the BMP pictures’ pixel bytes, top row first', () => {
    for (const [name] of TFLM_OUTPUTS)
      expect(Buffer.from(readFileSync(join(DIR, `${name}.u8`)))).toEqual(
        Buffer.from(bmpPixels(join(DIR, `${name}.bmp`))),
      );
  });

  it('keeps every scale and zero point of the file: no re-quantization', () => {
    const file = readTfliteModel(readFileSync(MODEL), MODEL);
    let checked = 0;
    for (const t of file.tensors) {
      const ir = g.tensors.get(t.name);
      if (!ir || !t.quant) continue;
      expect(ir.quant?.scale, t.name).toEqual(t.quant.scale);
      expect(ir.quant?.zeroPoint, t.name).toEqual(t.quant.zeroPoint);
      checked++;
    }
    expect(checked).toBeGreaterThan(80);
    expect(g.nodes.map((n) => n.op).filter((op) => op === 'depthwise_conv2d')).toHaveLength(14);
    expect(tensorOf(g, g.inputs[0]!).shape).toEqual([1, 96, 96, 1]);
  });

  it.each(TFLM_OUTPUTS)('the int8 reference gives TFLM’s output on %s.bmp', (name, expected) => {
    expect(Array.from(runInteger(g, { [g.inputs[0]!]: rawInput(name) }).get(g.outputs[0]!) as Int8Array)).toEqual(
      expected,
    );
  });

  it('`tinyedge predict --input person.u8 --json` prints TFLM’s output', () => {
    const r = tinyedge(['predict', MODEL, '--input', join(DIR, 'person.u8'), '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).output.data).toEqual([-113, 113]);
  });
});

describe('person_detect.tflite compiled', () => {
  const g = loadModel(MODEL).graph;

  // As planned, and with every convolution writing over its own input: the kernels keep the in-place contract.
  it.each([
    ['as planned', undefined],
    ['every convolution in place', 'every'],
  ] as const)('for wasm32 gives TFLM’s outputs (%s)', async (_how, slide) => {
    const m = await instantiateWasm(g, slide);
    for (const [name, expected] of TFLM_OUTPUTS) {
      m.setInput(rawInput(name));
      m.run();
      expect(Array.from(m.output()), name).toEqual(expected);
    }
  });

  it.each(['host', 'rpi4-aarch64', 'cortex-m4', 'cortex-m7', 'cortex-m55'])(
    'for %s gives TFLM’s outputs, as planned and with every convolution in place',
    (name) => {
      for (const slide of [undefined, 'every'] as const) {
        const built = buildC(g, loadTarget(name), undefined, slide);
        for (const [input, expected] of TFLM_OUTPUTS)
          expect(Array.from(runC(built, rawInput(input))), `${input}, ${slide ?? 'as planned'}`).toEqual(expected);
      }
    },
    600_000,
  );
});

describe('person_detect.tflite through the CLI', () => {
  it('`tinyedge compile --target cortex-m4` then `tinyedge run --input person.u8` prints TFLM’s output', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tinyedge-person-')), 'build');
    const c = tinyedge(['compile', MODEL, '--target', 'cortex-m4', '--no-count-instructions', '--out', out, '--json']);
    expect(c.status, c.stderr).toBe(0);
    // TFLM's arena is 82,292 B, 55,296 B of it activations; convolutions writing over their inputs go below that.
    expect(JSON.parse(c.stdout).memory.arenaBytes).toBeLessThan(55296);
    const r = tinyedge(['run', out, '--input', join(DIR, 'person.u8'), '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).output.data).toEqual([-113, 113]);
  }, 300_000);
});
