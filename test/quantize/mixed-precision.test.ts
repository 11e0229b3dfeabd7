/**
 * Per-layer precision (int8, 16×8, int4w): the quantizer gives each layer its plan's types, 4-bit weights in [−7, 7]
 * with `bits: 4`, and an explicit requantize (a clamp without bounds, TFLite's QUANTIZE) on every edge between two
 * types; the mixed graph equals the integer reference exactly in C on the host and in WebAssembly; a mixed int8/16×8
 * graph exports to .tflite and reads back the same, an int4w one is refused naming the layer; malformed and unknown
 * plans fail with their codes.
 */
import { describe, expect, it } from 'vitest';
import { TinyedgeError } from '../../compiler/errors.ts';
import { exportInt8Tflite } from '../../compiler/exporters/tflite/export-int8.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { loadTflite } from '../../compiler/load/checked-imports.ts';
import { calibrate } from '../../compiler/quantize/calibrate.ts';
import { parsePrecisionList } from '../../compiler/quantize/precision-plan.ts';
import { quantizeGraph } from '../../compiler/quantize/quantize-graph.ts';
import { seededImages, syntheticDetector } from '../detection/synthetic-detector.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';
import { quantizeCase, referenceOutputs } from '../support/kernel-case.ts';
import { MIXED_CASE, MIXED_PLAN, mixedGraph } from '../support/mixed-precision-graph.ts';
import { instantiateWasm } from '../support/wasm-build.ts';

const mixed = () => quantizeCase(MIXED_CASE.graph(), MIXED_CASE.seed, undefined, MIXED_PLAN);

/** The code and the whole line (place and message) of the TinyedgeError `f` throws. */
function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof TinyedgeError ? `${e.code} ${e.describe()}` : String(e);
  }
  return 'no error';
}

describe('a per-layer plan', () => {
  const { q } = mixed();
  const dtype = (name: string) => tensorOf(q, name).dtype;

  it('gives each layer its type, inherits it after unnamed layers, and reads the first layer’s type at the input', () => {
    expect([dtype('x'), dtype('conv1'), dtype('dw'), dtype('project'), dtype('add'), dtype('mean')]).toEqual([
      'int16',
      'int16',
      'int8',
      'int8',
      'int8',
      'int8',
    ]);
    expect([dtype('fc'), dtype('softmax')]).toEqual(['int16', 'int16']);
  });

  it('converts on every edge between types with a requantize node, once per tensor and type', () => {
    const conversions = q.nodes.filter((n) => n.op === 'clamp').map((n) => `${n.inputs[0]} → ${n.outputs[0]}`);
    expect(conversions).toEqual(['conv1 → conv1/as_int8', 'mean → mean/as_int16']);
    expect(q.nodes.find((n) => n.name === 'add')?.inputs).toEqual(['project', 'conv1/as_int8']);
  });

  it('quantizes int4w weights symmetric per channel in [−7, 7] with bits 4, int8 ones in [−127, 127]', () => {
    for (const name of ['w2', 'w3']) {
      const w = tensorOf(q, name);
      expect(w.quant?.bits).toBe(4);
      expect(Math.max(...Array.from(w.data as Int8Array, Math.abs))).toBe(7);
    }
    expect(tensorOf(q, 'w1').quant?.bits).toBeUndefined();
    expect(Math.max(...Array.from(tensorOf(q, 'w1').data as Int8Array, Math.abs))).toBe(127);
  });
});

describe('a mixed graph equals the integer reference', () => {
  const { q, inputs } = mixed();
  const expected = referenceOutputs(q, inputs);

  it('in C on the host', () => {
    const built = buildC(q);
    inputs.forEach((x, i) => {
      expect(firstDifference(runC(built, x), expected[i]!)).toBeNull();
    });
  });

  it('in WebAssembly', async () => {
    const model = await instantiateWasm<Int16Array>(q);
    inputs.forEach((x, i) => {
      model.setInput(x as Int16Array);
      model.run();
      expect(firstDifference(model.output(), expected[i]!)).toBeNull();
    });
  });
});

describe('.tflite export of mixed graphs', () => {
  it('exports int8 with 16×8 layers (QUANTIZE between them) and reads back the same outputs', () => {
    const { q, inputs } = quantizeCase(mixedGraph(), 3, undefined, { conv1: '16x8', fc: '16x8' });
    const back = loadTflite(exportInt8Tflite(q), 'mixed.tflite').graph;
    const before = referenceOutputs(q, inputs);
    referenceOutputs(back, inputs).forEach((y, i) => {
      expect(firstDifference(y, before[i]!)).toBeNull();
    });
  });

  it('refuses 4-bit weights, naming the layer', () => {
    const { q } = mixed();
    expect(code(() => exportInt8Tflite(q))).toMatch(/^TE402 mixed: node 'dw' \(depthwise_conv2d\): .*'w2' are 4-bit/);
  });
});

describe('plans that cannot be', () => {
  const g = mixedGraph();
  const ranges = calibrate(g, [new Float32Array(7 * 6 * 3).fill(0.5)], 'minmax');

  it('parses layer=precision lists and refuses malformed items', () => {
    expect(parsePrecisionList(' conv1=16x8, project=int4w ,')).toEqual({ conv1: '16x8', project: 'int4w' });
    expect(code(() => parsePrecisionList('conv1=int3'))).toMatch(/^TE601 .*'conv1=int3'/);
    expect(code(() => parsePrecisionList('=int8'))).toMatch(/^TE601/);
  });

  it('keeps a detector’s SSD outputs int8 (its on-device decoding reads int8): requantized after a 16×8 head, refused on the layer writing one', () => {
    const detector = syntheticDetector();
    const detectorRanges = calibrate(detector, seededImages(2, 1), 'minmax');
    const plan = { stem: '16x8', features: '16x8', box_head: '16x8' } as const;
    const dq = quantizeGraph(detector, detectorRanges, plan);
    expect(['box_head', 'box_encodings'].map((n) => tensorOf(dq, n).dtype)).toEqual(['int16', 'int8']);
    expect(dq.nodes.find((n) => n.name === 'box_encodings')?.inputs).toEqual(['box_head/as_int8']);
    const writesOutput = { ...detector, detection: { ...detector.detection!, boxesOutput: 'box_head' } };
    expect(code(() => quantizeGraph(writesOutput, detectorRanges, plan))).toMatch(
      /^TE606 .*node 'box_head' \(conv2d\).*'box_head' int16.*int8/,
    );
  });

  it('refuses an unknown layer, int4w without weights and 16×8 where no kernel is', () => {
    expect(code(() => quantizeGraph(g, ranges, { conv9: 'int8' }))).toMatch(/^TE606 .*'conv9'.*conv1, dw, project, fc/);
    expect(code(() => quantizeGraph(g, ranges, { add: 'int4w' }))).toMatch(/^TE606 .*node 'add' \(add\).*weights/);
  });
});
