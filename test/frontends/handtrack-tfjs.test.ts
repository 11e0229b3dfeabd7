/**
 * human:handtrack (TF OD API SSD MobileNetV2-FPNLite 320×320 in @vladmandic/human) through the TF.js graph frontend
 * gives TF.js's answers: the f32 reference's raw box encodings and class logits are within 1e-4 of TF.js cpu
 * (`executeAsync` of the same cut tensors, fed the same uint8 pixels) on every sample photo, and its detections
 * (tinyedge's f32 post-processing with the NMS settings read from the graph) are TF.js's own detections: the same
 * count above 0.3, and each of TF.js's ten best detections matched by one of the same class, IoU ≥ 0.99, score
 * within 1e-4. The import cuts before the Postprocessor, reads the detection description from it, and refuses clearly
 * what it cannot use.
 */

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { type GraphModel, loadGraphModel } from '@tensorflow/tfjs-converter';
import { ssdOutputsOf } from '../../compiler/detection/ssd-outputs.ts';
import { TinyedgeError } from '../../compiler/errors.ts';
import { concatShards, type TfjsArtifacts } from '../../compiler/frontends/tfjs-common/artifacts.ts';
import { importTfjsGraph } from '../../compiler/frontends/tfjs-graph/import.ts';
import type { Graph } from '../../compiler/ir/graph.ts';
import { tupleOf } from '../../compiler/ir/tuple.ts';
import { optimize } from '../../compiler/pipeline.ts';
import { type Box, iou } from '../../compiler/reference/detection/box-arithmetic.ts';
import { type Detection, ssdPostprocessF32 } from '../../compiler/reference/detection/ssd-postprocess.ts';
import { runF32 } from '../../compiler/reference/f32/interpreter.ts';
import { HANDTRACK_LABELS, importHandtrack, readHumanModel } from '../../models/human.ts';
import { type LoadedModel, loadModel } from '../../models/registry.ts';
import { useTfjsBackend } from '../../tools/peers/tfjs.ts';
import { hasStackTrace, tinyedge } from '../support/cli.ts';
import { photoInput, SAMPLE_PHOTOS } from '../support/samples.ts';

const BOXES = 'StatefulPartitionedCall/concat';
const SCORES = 'StatefulPartitionedCall/concat_1';
/** TF OD API's exported outputs, in the order of their names: anchor indices, boxes, classes, …, scores. */
const TF_DETECTION_BOXES = 'Identity_1';
const TF_DETECTION_CLASSES = 'Identity_2';
const TF_DETECTION_SCORES = 'Identity_4';

async function loadTfjsGraphModel(a: TfjsArtifacts): Promise<GraphModel> {
  const weightSpecs = a.json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[];
  return loadGraphModel({
    load: async () => ({
      modelTopology: a.json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs,
      weightData: concatShards(a.shards.flat()),
      format: a.json.format,
    }),
  });
}

interface PhotoRun {
  name: string;
  ours: { boxes: Float32Array; scores: Float32Array; detections: Detection[] };
  tfjs: { boxes: Float32Array; scores: Float32Array; detections: { box: Box; score: number; classIndex: number }[] };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** TF OD API clips the kept boxes to the image window after NMS; tinyedge reports them unclipped. */
const clipped = (b: Box): Box => b.map((v) => Math.min(Math.max(v, 0), 1)) as Box;

describe('human:handtrack: f32 reference vs TF.js cpu', () => {
  let model: LoadedModel;
  let tfjs: GraphModel;
  const runs: PhotoRun[] = [];

  beforeAll(async () => {
    model = loadModel('human:handtrack');
    model.graph = optimize(model.graph);
    const g = model.graph;
    const d = g.detection as NonNullable<Graph['detection']>;
    await useTfjsBackend('cpu');
    tfjs = await loadTfjsGraphModel(readHumanModel('handtrack'));
    for (const file of SAMPLE_PHOTOS) {
      const x = await photoInput(model, file);
      // The model's placeholder is uint8; TF.js carries it as int32, as human feeds it.
      const input = tf.tensor(x, [1, 320, 320, 3], 'int32');
      const outs = (await tfjs.executeAsync(input, [
        BOXES,
        SCORES,
        TF_DETECTION_BOXES,
        TF_DETECTION_SCORES,
        TF_DETECTION_CLASSES,
      ])) as tf.Tensor[];
      const [boxes, scores, detBoxes, detScores, detClasses] = tupleOf(
        outs.map((t) => t.dataSync() as Float32Array),
        5,
      );
      tf.dispose([input, ...outs]);
      const ours = runF32(g, { [g.inputs[0]!]: x });
      const ob = ours.get(d.boxesOutput) as Float32Array;
      const os = ours.get(d.scoresOutput) as Float32Array;
      runs.push({
        name: file.split('/').pop() as string,
        ours: { boxes: ob, scores: os, detections: ssdPostprocessF32(d, ob, os) },
        tfjs: {
          boxes: boxes,
          scores: scores,
          // TF OD API numbers classes from 1; its class ids went through TF.js's uint8 weight storage (1.988 for 2).
          detections: Array.from(detScores, (score, k) => ({
            score,
            classIndex: Math.round(detClasses[k]!) - 1,
            box: Array.from(detBoxes.subarray(4 * k, 4 * k + 4)) as Box,
          })),
        },
      });
    }
  }, 600_000);
  afterAll(() => tfjs?.dispose());

  it('imports cut before the Postprocessor: raw encodings and logits out, the detection read from the graph', () => {
    const g = model.graph;
    expect(g.outputs).toEqual([BOXES, SCORES]);
    expect(g.tensors.get(g.inputs[0]!)?.shape).toEqual([1, 320, 320, 3]);
    expect(new Set(g.nodes.map((n) => n.op))).toEqual(
      new Set(['pad', 'conv2d', 'depthwise_conv2d', 'add', 'resize_nearest', 'reshape', 'concat']),
    );
    const { anchors, ...d } = g.detection as NonNullable<Graph['detection']>;
    expect(anchors.length).toBe(12804 * 4);
    expect(d).toEqual({
      boxesOutput: BOXES,
      scoresOutput: SCORES,
      boxScales: { y: 10, x: 10, h: 5, w: 5 },
      scoreConversion: 'sigmoid',
      backgroundClass: true,
      labels: HANDTRACK_LABELS,
      scoreThreshold: Math.fround(1e-8),
      iouThreshold: Math.fround(0.6),
      maxDetections: 100,
      classAgnostic: false,
    });
    expect(ssdOutputsOf(g).classes).toBe(7);
  });

  it.each(SAMPLE_PHOTOS.map((p) => [p.split('/').pop() as string]))(
    '%s: raw box encodings and class logits within 1e-4 of TF.js',
    (name) => {
      const r = runs.find((x) => x.name === name) as PhotoRun;
      expect(maxAbsDiff(r.ours.boxes, r.tfjs.boxes)).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(r.ours.scores, r.tfjs.scores)).toBeLessThanOrEqual(1e-4);
    },
  );

  it.each(SAMPLE_PHOTOS.map((p) => [p.split('/').pop() as string]))(
    "%s: detections are TF.js executeAsync's (count above 0.3; the ten best: class, IoU ≥ 0.99, score)",
    (name) => {
      const r = runs.find((x) => x.name === name) as PhotoRun;
      expect(r.ours.detections.filter((o) => o.score > 0.3).length).toBe(
        r.tfjs.detections.filter((o) => o.score > 0.3).length,
      );
      // Beyond the issue's 0.3: TF.js's ten best, which every photo has.
      const theirs = r.tfjs.detections.slice(0, 10);
      for (const t of theirs) {
        const best = Math.max(
          ...r.ours.detections
            .filter((o) => o.classIndex === t.classIndex && Math.abs(o.score - t.score) <= 1e-4)
            .map((o) => iou(clipped(o.box), t.box)),
        );
        expect(best, `TF.js detection ${JSON.stringify(t)}`).toBeGreaterThanOrEqual(0.99);
      }
    },
  );

  it('every photo with a detection above 0.3 counts: the astronaut (a face) and the coffee (a hand)', () => {
    const above = runs.map((r) => [
      r.name,
      r.ours.detections.filter((o) => o.score > 0.3).map((o) => HANDTRACK_LABELS[o.classIndex]),
    ]);
    expect(Object.fromEntries(above)).toMatchObject({ 'astronaut.png': ['face'] });
    expect(above.flatMap(([, labels]) => labels).length).toBeGreaterThanOrEqual(2);
  });
});

describe('human:handtrack: cutting the graph and bad input', () => {
  it('outputs cut the graph there: a plain graph, no detection, asking for detections fails clearly', () => {
    const g = importHandtrack({
      outputs: [
        SCORES,
        'StatefulPartitionedCall/ssd_mobile_net_v2fpn_keras_feature_extractor/FeatureMaps/top_down/add',
      ],
    });
    expect(g.outputs).toEqual([
      SCORES,
      'StatefulPartitionedCall/ssd_mobile_net_v2fpn_keras_feature_extractor/FeatureMaps/top_down/add',
    ]);
    expect(g.tensors.get(g.outputs[1]!)?.shape).toEqual([1, 20, 20, 128]);
    expect(g.detection).toBeUndefined();
    expect(() => ssdOutputsOf(g)).toThrow(/no SSD box and score outputs/);
  });

  it('outputs that need the post-processing fail at its first unsupported op, naming file, node and op', () => {
    const error = (() => {
      try {
        importHandtrack({ outputs: [TF_DETECTION_BOXES] });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TinyedgeError);
    const e = error as TinyedgeError;
    expect(e.place.file).toMatch(/handtrack\.json$/);
    expect(e.place.node).toMatch(/Postprocessor|map\//);
    expect(e.message).toBe(
      `TF op '${e.place.op}' is not supported by tinyedge's graph-model frontend (--outputs can cut the graph before it)`,
    );
  });

  it('tinyedge inspect --outputs reaching the NMS: one error line naming file, node and op, exit 2', () => {
    const r = tinyedge(['inspect', 'human:handtrack', '--outputs', `${SCORES},${TF_DETECTION_BOXES}`]);
    expect(r.status).toBe(2);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stderr.trim()).toMatch(
      /^tinyedge: error: \S+handtrack\.json: node '\S+' \(\w+\): TF op '\w+' is not supported by tinyedge's graph-model frontend \(--outputs can cut the graph before it\) \[TE109\]$/,
    );
  }, 120_000);

  it('an output that names no node is refused', () => {
    expect(() => importHandtrack({ outputs: ['no/such/node'] })).toThrow(
      /output 'no\/such\/node' names no node in the graph/,
    );
  });

  it('a Postprocessor whose box decoder is not recognized is refused, pointing to --outputs', () => {
    const a = readHumanModel('handtrack');
    const nodes = (a.json.modelTopology as { node: { name: string; op: string }[] }).node;
    const broken: TfjsArtifacts = {
      ...a,
      json: {
        ...a.json,
        modelTopology: {
          ...(a.json.modelTopology as object),
          node: nodes.map((n) => (/Postprocessor\/Decode\/Exp$/.test(n.name) ? { ...n, op: 'Sqrt' } : n)),
        },
      },
    };
    expect(() => importTfjsGraph(broken)).toThrow(
      /TF Object Detection API post-processing not recognized: .*Exp.*give --outputs/,
    );
  });
});
