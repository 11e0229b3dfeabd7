/**
 * A bad .tflite never crashes tinyedge nor gives a silent wrong answer: a truncated file, offsets out of bounds, a
 * file that is not a TFLite flatbuffer, an unsupported operator or operator version (in an int8 or a float model) and non-symmetric
 * weights each fail with tinyedge's error naming the file (and, for an operator, its index and opcode); through the
 * CLI that is one line and exit 2 (two cases run the real binary; the rest call the importer, which the CLI prints).
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ErrorCode, TinyedgeError } from '../../compiler/errors.ts';
import { type TfliteModelRecord, writeTflite } from '../../compiler/exporters/tflite/write-model.ts';
import { BUILTIN_CODE, FIELD, OPTIONS_TYPE, TYPE_CODE } from '../../compiler/formats/tflite/schema.ts';
import { importTflite } from '../../compiler/frontends/tflite/import.ts';
import { loadModel } from '../../models/registry.ts';
import { expectUserError, tinyedge } from '../support/cli.ts';
import { ROOT } from '../support/samples.ts';
import { mulberry32 } from '../support/seeded.ts';

const MODEL = join(ROOT, 'models', 'tflm', 'person_detect.tflite');
let work: string;
let pristine: Uint8Array;

/** Writes `bytes` as a .tflite file in the work folder and returns its path. */
function file(name: string, bytes: Uint8Array): string {
  const path = join(work, `${name}.tflite`);
  writeFileSync(path, bytes);
  return path;
}

/** The error line the CLI would print for loading `bytes` as `<name>.tflite` (fails if it loads). */
/** The code of the error importError last caught. */
let lastCode: ErrorCode | undefined;

function importError(name: string, bytes: Uint8Array): string {
  try {
    loadModel(file(name, bytes));
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(TinyedgeError);
    lastCode = (e as TinyedgeError).code;
    return (e as TinyedgeError).describe();
  }
  throw new Error(`${name} loaded without an error`);
}

/** A one-operator int8 model: a 1×1 conv of a 1×4×4×2 input, changed by `edit`. */
function tinyModel(edit: (m: TfliteModelRecord) => void = () => {}): Uint8Array {
  const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });
  const m: TfliteModelRecord = {
    description: 'test',
    opcodes: [{ code: BUILTIN_CODE.CONV_2D!, version: 3 }],
    tensors: [
      { name: 'x', shape: [1, 4, 4, 2], type: TYPE_CODE.int8, buffer: 0, quant: q(0.05, -3) },
      {
        name: 'w',
        shape: [3, 1, 1, 2],
        type: TYPE_CODE.int8,
        buffer: 1,
        quant: { scale: [0.01, 0.02, 0.03], zeroPoint: [0, 0, 0], quantizedDimension: 0 },
      },
      { name: 'y', shape: [1, 4, 4, 3], type: TYPE_CODE.int8, buffer: 0, quant: q(0.1, 5) },
    ],
    operators: [
      {
        opcodeIndex: 0,
        inputs: [0, 1],
        outputs: [2],
        options: {
          type: OPTIONS_TYPE.conv2d,
          fields: [
            { field: FIELD.conv2dOptions.strideW, kind: 'int32', value: 1 },
            { field: FIELD.conv2dOptions.strideH, kind: 'int32', value: 1 },
          ],
        },
      },
    ],
    inputs: [0],
    outputs: [2],
    buffers: [new Uint8Array(0), Uint8Array.of(1, 2, 3, 4, 5, 6)],
  };
  edit(m);
  return writeTflite(m);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tinyedge-bad-tflite-'));
  pristine = readFileSync(MODEL);
});

describe('bad .tflite files: one error line, exit 2, no stack trace', () => {
  it('a well-formed one-operator model imports (the base of the cases below)', () => {
    expect(loadModel(file('tiny', tinyModel())).graph.nodes.map((n) => n.op)).toEqual(['conv2d']);
  });

  it('a truncated file, through the CLI', () => {
    expectUserError(
      tinyedge(['inspect', file('truncated', pristine.subarray(0, 150_000))]),
      /truncated\.tflite: .*(outside the file|past the end|truncated)/,
      'TE106',
    );
  });

  it.each([8, 1000, 299_999, 300_567])('a file truncated to %i bytes', (n) => {
    expect(importError(`truncated-${n}`, pristine.subarray(0, n))).toMatch(
      /truncated-\d+\.tflite: .*(outside the file|past the end|truncated)/,
    );
    expect(lastCode).toBe('TE106');
  });

  it('a root offset pointing past the end of the file', () => {
    const bytes = Uint8Array.from(readFileSync(MODEL));
    new DataView(bytes.buffer).setUint32(0, bytes.length + 1000, true);
    expect(importError('root-offset', bytes)).toMatch(
      /root-offset\.tflite: corrupt flatbuffer: model: table offset \d+ is outside the file/,
    );
    expect(lastCode).toBe('TE106');
  });

  it('a vtable offset pointing outside the file', () => {
    const bytes = Uint8Array.from(readFileSync(MODEL));
    const view = new DataView(bytes.buffer);
    view.setInt32(view.getUint32(0, true), -0x7fff0000, true);
    expect(importError('vtable', bytes)).toMatch(
      /vtable\.tflite: corrupt flatbuffer: model: vtable offset -?\d+ is outside the file/,
    );
    expect(lastCode).toBe('TE106');
  });

  it('a file that is not a TFLite flatbuffer', () => {
    expect(importError('png', readFileSync(join(ROOT, 'models', 'samples', 'coffee.png')))).toMatch(
      /png\.tflite: not a \.tflite flatbuffer: the file identifier is .*expected "TFL3"/,
    );
    expect(lastCode).toBe('TE104');
  });

  it('an unsupported operator names the operator index and opcode', () => {
    const bytes = tinyModel((m) => (m.opcodes[0]!.code = BUILTIN_CODE.TANH!));
    expectUserError(
      tinyedge(['inspect', file('tanh', bytes)]),
      /tanh\.tflite: node 'operator 0' \(TANH\): operator TANH is not supported; supported: CONV_2D/,
      'TE109',
    );
  });

  it('an operator version newer than the mapping covers', () => {
    const bytes = tinyModel((m) => (m.opcodes[0]!.version = 99));
    expect(importError('version', bytes)).toMatch(
      /version\.tflite: node 'operator 0' \(CONV_2D\): CONV_2D version 99 is not supported \(up to version \d+\)/,
    );
    expect(lastCode).toBe('TE109');
  });

  it('an operator naming a tensor that does not exist', () => {
    const bytes = tinyModel((m) => (m.operators[0]!.inputs = [0, 7]));
    expect(importError('tensor-index', bytes)).toMatch(
      /tensor-index\.tflite: corrupt flatbuffer: operator 0 names tensor 7, the subgraph has 3/,
    );
    expect(lastCode).toBe('TE106');
  });

  it('a float model with an operator tinyedge does not map names the file, operator and opcode', () => {
    const bytes = tinyModel((m) => {
      m.opcodes[0] = { code: BUILTIN_CODE.TANH!, version: 1 };
      for (const t of m.tensors) {
        t.type = TYPE_CODE.float32;
        delete t.quant;
      }
    });
    expect(importError('float', bytes)).toMatch(
      /float\.tflite: node 'operator 0' \(TANH\): operator TANH is not supported/,
    );
    expect(lastCode).toBe('TE109');
  });

  it('weights with a non-zero zero point (not TFLite’s int8 spec)', () => {
    const bytes = tinyModel(
      (m) => (m.tensors[1]!.quant = { scale: [0.01, 0.02, 0.03], zeroPoint: [0, 4, 0], quantizedDimension: 0 }),
    );
    expect(importError('zero-point', bytes)).toMatch(
      /zero-point\.tflite: node 'operator 0' \(CONV_2D\): constant 'w' has a non-zero zero point/,
    );
    expect(lastCode).toBe('TE202');
  });

  it('a constant whose buffer does not match its shape', () => {
    const bytes = tinyModel((m) => (m.buffers[1] = Uint8Array.of(1, 2, 3)));
    expect(importError('short-buffer', bytes)).toMatch(
      /short-buffer\.tflite: node 'operator 0' \(CONV_2D\): constant 'w' holds 3 bytes, its shape 3×1×1×2 of INT8 needs 6/,
    );
    expect(lastCode).toBe('TE108');
  });
});

describe('corrupted .tflite files, seeded', () => {
  it('300 files with random bytes overwritten either import or fail with tinyedge’s error, never another exception', () => {
    const random = mulberry32(2024);
    const outcomes = { imported: 0, refused: 0 };
    for (let i = 0; i < 300; i++) {
      const bytes = Uint8Array.from(pristine);
      const flips = 1 + Math.floor(random() * 8);
      // Most of the file is weights; aim half the flips at the first 4 KB where the tables and vtables are.
      for (let f = 0; f < flips; f++)
        bytes[Math.floor(random() * (random() < 0.5 ? 4096 : bytes.length))] = Math.floor(random() * 256);
      try {
        importTflite(bytes, `fuzz-${i}.tflite`);
        outcomes.imported++;
      } catch (e) {
        if (!(e instanceof TinyedgeError)) throw new Error(`case ${i}: ${(e as Error).stack}`);
        outcomes.refused++;
      }
    }
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
