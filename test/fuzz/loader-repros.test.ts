/**
 * Issue 16's repros, each with its clean outcome: an artifact with a weight scale of "abc", null or a negative number,
 * an activation zero point of 500 or 1.5, a weight offset into the header or off its 16-byte alignment; an ONNX file
 * with a weight scale of Inf, strides or dilations of 0, a per-channel scale whose length is not the channels; a TF.js
 * manifest declaring int32 for float weights, a null node, duplicate weight names; NaN in a float --input; and
 * `predict --input /dev/zero`, refused at once. Each is tinyedge's error naming the file (and the node when there is one).
 */

import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { sealArtifact } from '../../compiler/artifact/int8-artifact.ts';
import { predictCommand } from '../../compiler/cli/predict.ts';
import { TinyedgeError } from '../../compiler/errors.ts';
import { loadModel } from '../../models/registry.ts';
import { expectUserError, tinyedge } from '../support/cli.ts';
import { buildFixtures, type Fixture, writeCase } from './fixtures.ts';

const { onnx } = onnxProto;
let work: string;
let fixtures: Map<Fixture['format'], Fixture>;
let counter = 0;

/** The error line for loading a (changed) fixture (fails if it loads). */
function loadError(fx: Fixture): string {
  const { model } = writeCase(join(work, `case-${counter++}`), fx);
  try {
    loadModel(model);
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(TinyedgeError);
    return (e as TinyedgeError).describe();
  }
  throw new Error(`${fx.name} loaded without an error`);
}

type Header = {
  graph: { tensors: { name: string; quant?: { scale: unknown[]; zeroPoint: unknown[] }; data?: { offset: number } }[] };
};

/** A version 2 artifact's parts: the 20-byte preamble, the JSON header's bytes and the data section. */
function artifactParts(bytes: Uint8Array): { preamble: Uint8Array; header: Uint8Array; data: Uint8Array } {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  return {
    preamble: bytes.subarray(0, 20),
    header: bytes.subarray(20, 20 + length),
    data: bytes.subarray(align16(20 + length)),
  };
}

/** An artifact laid out from its parts: preamble (its header length set), header, the data section 16-byte aligned. */
function assembleArtifact(preamble: Uint8Array, header: Uint8Array, data: Uint8Array): Uint8Array {
  const dataStart = align16(preamble.length + header.length);
  const out = new Uint8Array(dataStart + data.length);
  out.set(preamble);
  new DataView(out.buffer).setUint32(12, header.length, true);
  out.set(header, preamble.length);
  out.set(data, dataStart);
  return out;
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** The artifact with its JSON header edited (and the checksum re-sealed, as a writer with a bug would leave it). */
function artifactWith(edit: (h: Header) => void): Fixture {
  const fx = fixtures.get('artifact') as Fixture;
  const { preamble, header, data } = artifactParts(fx.bytes);
  const parsed = JSON.parse(Buffer.from(header).toString('utf8')) as Header;
  edit(parsed);
  const out = assembleArtifact(preamble, Buffer.from(JSON.stringify(parsed)), data);
  sealArtifact(out);
  return { ...fx, bytes: out };
}

const tensor = (h: Header, name: string) =>
  h.graph.tensors.find((t) => t.name === name) as Header['graph']['tensors'][number];

/** The int8 ONNX file with its ModelProto edited. */
function onnxWith(
  edit: (m: onnxProto.onnx.ModelProto) => void,
  format: 'onnx-int8' | 'onnx-float' = 'onnx-int8',
): Fixture {
  const fx = fixtures.get(format) as Fixture;
  const m = onnx.ModelProto.decode(fx.bytes);
  edit(m);
  return { ...fx, bytes: onnx.ModelProto.encode(m).finish() };
}

const nodeNamed = (m: onnxProto.onnx.ModelProto, name: string) =>
  (m.graph?.node ?? []).find((n) => n.name === name) as onnxProto.onnx.NodeProto;
const initializer = (m: onnxProto.onnx.ModelProto, name: string) =>
  (m.graph?.initializer ?? []).find((t) => t.name === name) as onnxProto.onnx.TensorProto;

/** The TF.js model with model.json edited. */
function tfjsWith(
  edit: (json: {
    modelTopology: { node: unknown[] };
    weightsManifest: { weights: { name: string; dtype: string }[] }[];
  }) => void,
): Fixture {
  const fx = fixtures.get('tfjs') as Fixture;
  const json = JSON.parse(Buffer.from(fx.bytes).toString('utf8'));
  edit(json);
  return { ...fx, bytes: new Uint8Array(Buffer.from(JSON.stringify(json))) };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tinyedge-repros-'));
  fixtures = new Map(buildFixtures().map((f) => [f.format, f]));
});

describe('artifact', () => {
  it.each([
    ['"abc"', 'abc'],
    ['null', null],
    ['a negative number', -0.02],
  ])('a weight scale of %s', (_label, value) => {
    const fx = artifactWith((h) => ((tensor(h, 'stem_w').quant as { scale: unknown[] }).scale[0] = value));
    expect(loadError(fx)).toMatch(
      /block\.tinyedge: node 'stem_w' \(const\): tensor 'stem_w' has scale .*; scales must be finite positive float32 numbers/,
    );
  });

  it.each([500, 1.5])('an activation zero point of %s', (value) => {
    const fx = artifactWith((h) => ((tensor(h, 'dw').quant as { zeroPoint: unknown[] }).zeroPoint[0] = value));
    expect(loadError(fx)).toMatch(
      new RegExp(
        `block\\.tinyedge: node 'dw' \\(depthwise_conv2d\\): tensor 'dw' \\(int8\\) has zero point ${value}; it must be an integer in -128\\.\\.127`,
      ),
    );
  });

  it('a weight offset into the header', () => {
    const fx = artifactWith((h) => ((tensor(h, 'dw_w').data as { offset: number }).offset = -16));
    expect(loadError(fx)).toMatch(
      /block\.tinyedge: node 'dw_w' \(const\): not a valid tinyedge artifact: data needs integer offset and byteLength/,
    );
  });

  it('a weight offset off its 16-byte alignment', () => {
    const fx = artifactWith((h) => ((tensor(h, 'dw_w').data as { offset: number }).offset += 8));
    expect(loadError(fx)).toMatch(
      /block\.tinyedge: node 'dw_w' \(const\): not a valid tinyedge artifact: data offset \d+ is not 16-byte aligned/,
    );
  });

  it('a flipped byte anywhere is refused by the checksum', () => {
    const fx = fixtures.get('artifact') as Fixture;
    const bytes = Uint8Array.from(fx.bytes);
    bytes[bytes.length - 3]! ^= 4;
    expect(loadError({ ...fx, bytes })).toMatch(/block\.tinyedge: not a valid tinyedge artifact: checksum mismatch/);
  });

  it('a version 1 artifact (before the checksum) still loads, as the same graph', () => {
    const fx = fixtures.get('artifact') as Fixture;
    // Version 1: magic, version, header length, then the header (no checksum), the data section 16-byte aligned.
    const { preamble, header, data } = artifactParts(fx.bytes);
    const v1 = assembleArtifact(Uint8Array.from(preamble.subarray(0, 16)), header, data);
    new DataView(v1.buffer).setUint32(8, 1, true);
    const load = (bytes: Uint8Array) =>
      loadModel(writeCase(join(work, `case-${counter++}`), { ...fx, bytes }).model).graph;
    const [old, now] = [load(v1), load(fx.bytes)];
    const contents = (g: typeof old) =>
      [...g.tensors.values()].map((t) => [
        t.name,
        t.quant,
        t.data && Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex'),
      ]);
    expect(contents(old)).toEqual(contents(now));
    expect(old.nodes).toEqual(now.nodes);
  });
});

describe('ONNX', () => {
  it('a weight scale of Inf', () => {
    const fx = onnxWith((m) => {
      const t = initializer(m, 'stem_w_scale');
      const scales = new Float32Array(Uint8Array.from(t.rawData).buffer);
      scales[2] = Number.POSITIVE_INFINITY;
      t.rawData = new Uint8Array(scales.buffer);
    });
    expect(loadError(fx)).toMatch(
      /block-int8\.onnx: node 'stem' \(QLinearConv\): tensor 'stem_w' has scale Infinity; scales must be finite positive/,
    );
  });

  it.each(['strides', 'dilations'])('%s of 0', (attr) => {
    const fx = onnxWith((m) => {
      const n = nodeNamed(m, 'dw');
      n.attribute = [
        ...n.attribute.filter((a) => a.name !== attr),
        onnx.AttributeProto.create({ name: attr, type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 0] }),
      ];
    });
    expect(loadError(fx)).toMatch(
      new RegExp(`block-int8\\.onnx: node 'dw' \\(QLinearConv\\): ${attr} 0,0 must be at least 1`),
    );
  });

  it('a per-channel scale whose length does not match the channels (ONNX Runtime refuses it)', () => {
    const fx = onnxWith((m) => {
      const t = initializer(m, 'stem_w_scale');
      t.rawData = Uint8Array.from(t.rawData).slice(0, 4 * 5);
      t.dims = [5];
      const z = initializer(m, 'stem_w_zero_point');
      z.rawData = new Uint8Array(5);
      z.dims = [5];
    });
    expect(loadError(fx)).toMatch(
      /block-int8\.onnx: node 'stem' \(QLinearConv\): weights 'stem_w' have 5 scales for 8 output channels/,
    );
  });

  it('a float model with an infinite weight', () => {
    const fx = onnxWith((m) => {
      const t = initializer(m, 'dw_w');
      const w = new Float32Array(Uint8Array.from(t.rawData).buffer);
      w[3] = Number.NEGATIVE_INFINITY;
      t.rawData = new Uint8Array(w.buffer);
    }, 'onnx-float');
    expect(loadError(fx)).toMatch(
      /block-float\.onnx: node 'dw_w' \(const\): constant holds -Infinity at element \d+; weights must be finite/,
    );
  });
});

describe('TF.js', () => {
  it('a manifest declaring int32 for float weights (TF.js refuses it)', () => {
    const fx = tfjsWith(
      (j) =>
        (((j.weightsManifest[0] as { weights: { dtype: string }[] }).weights[0] as { dtype: string }).dtype = 'int32'),
    );
    expect(loadError(fx)).toMatch(
      /model\.json: node 'stem_w' \(Const\): the graph declares DT_FLOAT but the weights manifest stores int32/,
    );
  });

  it('a null node', () => {
    const fx = tfjsWith((j) => (j.modelTopology.node[3] = null));
    expect(loadError(fx)).toMatch(
      /model\.json: modelTopology\.node\[3\] is not a node with a name and an op \(it is null\)/,
    );
  });

  it('duplicate weight names', () => {
    const fx = tfjsWith(
      (j) =>
        (((j.weightsManifest[0] as { weights: { name: string }[] }).weights[1] as { name: string }).name = 'stem_w'),
    );
    expect(loadError(fx)).toMatch(
      /model\.json: node 'stem_w' \(Const\): the weights manifest lists two weights of this name/,
    );
  });
});

describe('inputs', () => {
  it('NaN in a float --input', async () => {
    const fx = fixtures.get('onnx-float') as Fixture;
    const x = new Float32Array(fx.input.buffer.slice(0));
    x[17] = Number.NaN;
    const { model, input } = writeCase(join(work, 'nan'), { ...fx, input: new Uint8Array(x.buffer) });
    await expect(predictCommand(model, { input, json: true })).rejects.toThrow(
      /value 17 is NaN; an input holds finite numbers/,
    );
  });

  it('`predict --input /dev/zero` is refused at once, through the CLI', () => {
    const { model } = writeCase(join(work, 'dev-zero'), fixtures.get('tflite') as Fixture);
    const started = performance.now();
    // The link gives /dev/zero the extension of an int8 tensor file.
    const link = join(work, 'zero.i8');
    symlinkSync('/dev/zero', link);
    const r = tinyedge(['predict', model, '--input', link]);
    expectUserError(r, /^tinyedge: error: \S+zero\.i8: cannot read input tensor: not a regular file/);
    expect(performance.now() - started).toBeLessThan(60_000);
  });
});
