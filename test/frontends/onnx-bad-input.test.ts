/**
 * A bad .onnx fails with tinyedge's error naming the file (and the node and op type): bytes protobuf cannot read,
 * and ops outside what the int8 (QLinear) and float frontends map.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ErrorCode, TinyedgeError } from '../../compiler/errors.ts';
import { OnnxGraphBuilder } from '../../compiler/exporters/onnx/onnx-builder.ts';
import { loadModel } from '../../models/registry.ts';

let work: string;

/** The code of the error importError last caught. */
let lastCode: ErrorCode | undefined;

function importError(name: string, bytes: Uint8Array): string {
  const file = join(work, `${name}.onnx`);
  writeFileSync(file, bytes);
  try {
    loadModel(file);
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(TinyedgeError);
    lastCode = (e as TinyedgeError).code;
    return (e as TinyedgeError).describe();
  }
  throw new Error(`${name} loaded without an error`);
}

/** A one-node model: `op` applied to a 1×4 input of `type`. */
function oneNode(type: 'float' | 'int8', op: string): Uint8Array {
  const b = new OnnxGraphBuilder();
  b.input('x', type, [1, 4]);
  b.reserve('y');
  b.output(b.node(op, ['x'], 'n'), 'y', type, [1, 4]);
  return b.encode('test', 'test');
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tinyedge-bad-onnx-'));
});

describe('bad .onnx files', () => {
  it('bytes that are not an ONNX protobuf', () => {
    expect(
      importError(
        'garbage',
        Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 255),
      ),
    ).toMatch(/garbage\.onnx: not (a readable ONNX model|an ONNX model)/);
    expect(lastCode).toBe('TE104');
  });

  it('a float model with an op outside the float frontend names the node and op type', () => {
    expect(importError('float-tanh', oneNode('float', 'Tanh'))).toMatch(
      /float-tanh\.onnx: node 'n' \(Tanh\): op Tanh is not supported by the float ONNX frontend/,
    );
    expect(lastCode).toBe('TE109');
  });

  it('an op outside the QLinear form names the node and op type', () => {
    expect(importError('tanh', oneNode('int8', 'Tanh'))).toMatch(
      /tanh\.onnx: node 'n' \(Tanh\): op Tanh is not supported: tinyedge imports the int8 QLinear form/,
    );
    expect(lastCode).toBe('TE109');
  });
});
