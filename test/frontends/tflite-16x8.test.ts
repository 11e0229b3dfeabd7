/**
 * 16×8 models (TFLite's int16 activations, int8 weights, int64 biases) through .tflite: every 16×8 kernel case
 * exported and imported again computes the same int16 outputs; the file says 16×8 the way TFLite does (INT16 and
 * INT64 tensors, the operator versions that take int16, ADD with pot_scale_int16 false); and what TFLM's Prepare
 * refuses for 16×8 fails at import, naming the file, the operator index and the opcode.
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TinyedgeError } from '../../compiler/errors.ts';
import { exportInt8Tflite } from '../../compiler/exporters/tflite/export-int8.ts';
import { type TfliteModelRecord, writeTflite } from '../../compiler/exporters/tflite/write-model.ts';
import { BUILTIN_CODE, FIELD, OPTIONS_TYPE, TYPE_CODE } from '../../compiler/formats/tflite/schema.ts';
import { readTfliteModel } from '../../compiler/frontends/tflite/read-model.ts';
import { GraphBuilder } from '../../compiler/ir/graph.ts';
import { loadTflite } from '../../compiler/load/checked-imports.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { firstDifference } from '../support/c-build.ts';
import { expectUserError, tinyedge } from '../support/cli.ts';
import { quantizeCase, RELU6, referenceOutputs } from '../support/kernel-case.ts';
import { KERNEL_CASES_16X8 } from '../support/kernel-cases.ts';

describe('16×8 kernel cases survive .tflite export and import', () => {
  it.each(KERNEL_CASES_16X8.map((c) => [c.name, c] as const))('%s: identical int16 outputs', (_name, c) => {
    const { q, inputs } = quantizeCase(c.graph(), c.seed, c.outputRange, 'int16');
    const back = loadTflite(exportInt8Tflite(q), 'case.tflite').graph;
    const before = referenceOutputs(q, inputs);
    const after = referenceOutputs(back, inputs);
    expect(after[0]).toBeInstanceOf(Int16Array);
    after.forEach((y, i) => {
      expect(firstDifference(y, before[i]!)).toBeNull();
    });
  });
});

/** A conv → depthwise → add → dense → softmax graph quantized 16×8 and exported. */
function mixedModel(): Uint8Array {
  const b = new GraphBuilder('test');
  b.input('x', [1, 6, 6, 3]);
  const w = (name: string, shape: number[]) =>
    b.constant(
      name,
      shape,
      Float32Array.from({ length: shape.reduce((a, v) => a * v, 1) }, (_, i) => Math.sin(i * 1.7) * 0.5),
    );
  w('w1', [8, 3, 3, 3]);
  w('b1', [8]);
  const conv = b.node('conv2d', 'conv', ['x', 'w1', 'b1'], {
    strides: [1, 1],
    dilations: [1, 1],
    pads: [1, 1, 1, 1],
    clamp: RELU6,
  });
  w('w2', [1, 3, 3, 8]);
  w('b2', [8]);
  const dw = b.node('depthwise_conv2d', 'dw', [conv, 'w2', 'b2'], {
    strides: [1, 1],
    dilations: [1, 1],
    pads: [1, 1, 1, 1],
    depthMultiplier: 1,
    clamp: RELU6,
  });
  const sum = b.node('add', 'add', [conv, dw], { clamp: { min: null, max: null } });
  const pooled = b.node('mean', 'mean', [sum], { axes: [1, 2], keepDims: false });
  w('w3', [5, 8]);
  w('b3', [5]);
  const fc = b.node('fully_connected', 'fc', [pooled, 'w3', 'b3'], { clamp: { min: null, max: null } });
  b.graph.outputs.push(b.node('softmax', 'sm', [fc], { beta: 1 }));
  return exportInt8Tflite(quantizeCase(b.graph, 7, undefined, 'int16').q);
}

describe('a 16×8 .tflite says 16×8 as TFLite does', () => {
  const m = readTfliteModel(mixedModel(), 'mixed.tflite');
  it('activations are INT16 with zero point 0, weights INT8, biases INT64', () => {
    const byName = (n: string) => m.tensors.find((t) => t.name === n);
    expect(byName('x')?.type).toBe(TYPE_CODE.int16);
    expect(byName('conv')?.quant?.zeroPoint).toEqual([0]);
    expect(byName('w1')?.type).toBe(TYPE_CODE.int8);
    expect(byName('b1')?.type).toBe(TYPE_CODE.int64);
    expect(byName('sm')?.quant?.scale[0]).toBeCloseTo(1 / 32768, 12);
  });
  it('operator versions are those that take int16: CONV_2D 4, DEPTHWISE_CONV_2D 5, ADD 3, MEAN 3, FULLY_CONNECTED 7, SOFTMAX 3', () => {
    const versions = Object.fromEntries(m.operators.map((op) => [op.name, op.version]));
    expect(versions).toMatchObject({
      CONV_2D: 4,
      DEPTHWISE_CONV_2D: 5,
      ADD: 3,
      MEAN: 3,
      FULLY_CONNECTED: 7,
      SOFTMAX: 3,
    });
  });
});

/** The error importing a one-operator 16×8 model changed by `edit`. */
function importError(edit: (m: TfliteModelRecord) => void): string {
  const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });
  const m: TfliteModelRecord = {
    description: 'test',
    opcodes: [{ code: BUILTIN_CODE.DEPTHWISE_CONV_2D!, version: 5 }],
    tensors: [
      { name: 'x', shape: [1, 4, 4, 2], type: TYPE_CODE.int16, buffer: 0, quant: q(0.001, 0) },
      {
        name: 'w',
        shape: [1, 1, 1, 2],
        type: TYPE_CODE.int8,
        buffer: 1,
        quant: { scale: [0.01, 0.02], zeroPoint: [0, 0], quantizedDimension: 3 },
      },
      {
        name: 'b',
        shape: [2],
        type: TYPE_CODE.int64,
        buffer: 2,
        quant: { scale: [1e-5, 2e-5], zeroPoint: [0, 0], quantizedDimension: 0 },
      },
      { name: 'y', shape: [1, 4, 4, 2], type: TYPE_CODE.int16, buffer: 0, quant: q(0.002, 0) },
    ],
    operators: [
      {
        opcodeIndex: 0,
        inputs: [0, 1, 2],
        outputs: [3],
        options: {
          type: OPTIONS_TYPE.depthwise,
          fields: [
            { field: FIELD.depthwiseOptions.strideW, kind: 'int32', value: 1 },
            { field: FIELD.depthwiseOptions.strideH, kind: 'int32', value: 1 },
            { field: FIELD.depthwiseOptions.depthMultiplier, kind: 'int32', value: 1 },
          ],
        },
      },
    ],
    inputs: [0],
    outputs: [3],
    buffers: [new Uint8Array(0), Uint8Array.of(1, 2), new Uint8Array(BigInt64Array.of(5n, -7n).buffer)],
  };
  edit(m);
  try {
    loadTflite(writeTflite(m), 'bad.tflite');
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(TinyedgeError);
    return (e as TinyedgeError).describe();
  }
  throw new Error('imported without an error');
}

describe('16×8 models TFLM would refuse fail at import, naming the file, operator and opcode', () => {
  it('the well-formed model imports (the edits below are what breaks it)', () => {
    expect(() => importError(() => {})).toThrow('imported without an error');
  });
  it('an int16 activation with a non-zero zero point', () => {
    const e = importError((m) => (m.tensors[3]!.quant = { scale: [0.002], zeroPoint: [3], quantizedDimension: 0 }));
    expect(e).toMatch(/bad\.tflite.*operator 0.*DEPTHWISE_CONV_2D.*zero point 3.*symmetric/);
  });
  it('a 16×8 depthwise conv with an int32 bias (TFLM reads int64)', () => {
    const e = importError((m) => {
      m.tensors[2]!.type = TYPE_CODE.int32;
      m.buffers[2] = new Uint8Array(Int32Array.of(5, -7).buffer);
    });
    expect(e).toMatch(/bad\.tflite.*operator 0.*DEPTHWISE_CONV_2D.*needs an int64 bias/);
  });
  it('an op with no 16×8 kernel (LOGISTIC)', () => {
    const e = importError((m) => {
      m.opcodes = [{ code: BUILTIN_CODE.LOGISTIC!, version: 3 }];
      m.operators = [{ opcodeIndex: 0, inputs: [0], outputs: [3] }];
      m.tensors[3]!.shape = [1, 4, 4, 2];
      m.tensors[3]!.quant = { scale: [1 / 32768], zeroPoint: [0], quantizedDimension: 0 };
    });
    expect(e).toMatch(/bad\.tflite.*operator 0.*LOGISTIC.*no 16×8/);
  });
});

describe('the CLI runs a 16×8 .tflite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tinyedge-16x8-'));
  const model = join(dir, 'mixed.tflite');
  writeFileSync(model, mixedModel());
  const g = loadTflite(readFileSync(model), model).graph;
  const x = Int16Array.from({ length: 6 * 6 * 3 }, (_, i) => ((i * 2654435761) % 65536) - 32768);
  const input = join(dir, 'x.i16');
  writeFileSync(input, new Uint8Array(x.buffer));
  it('predict --input FILE.i16 --json prints the int16 output the reference computes', () => {
    const r = tinyedge(['predict', model, '--input', input, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = (JSON.parse(r.stdout) as { output: { dtype: string; data: number[] } }).output;
    expect(out.dtype).toBe('int16');
    expect(out.data).toEqual(Array.from(runInteger(g, { [g.inputs[0]!]: x }).get(g.outputs[0]!) as Int16Array));
  });
  it('int8 bytes given to a 16×8 model: one error line naming the file and the input, exit 2', () => {
    const bytes = join(dir, 'x.i8');
    writeFileSync(bytes, new Uint8Array(6 * 6 * 3));
    expectUserError(tinyedge(['predict', model, '--input', bytes]), /x\.i8.*input.*int16: give FILE\.i16/);
  });
});
