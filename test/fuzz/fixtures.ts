/**
 * @fileoverview One small model per loader, seeded, for the fuzz suite: an inverted-bottleneck block (conv, depthwise,
 * 1×1 conv, residual add, mean, dense, softmax) quantized to int8 and written as a tinyedge artifact, a .tflite and an
 * int8 ONNX file; the same block as a float ONNX file and as a TF.js graph model (model.json + one shard).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeArtifact } from '../../compiler/artifact/int8-artifact.ts';
import { exportInt8Onnx } from '../../compiler/exporters/onnx/export-int8.ts';
import { OnnxGraphBuilder } from '../../compiler/exporters/onnx/onnx-builder.ts';
import { exportInt8Tflite } from '../../compiler/exporters/tflite/export-int8.ts';
import { NO_CLAMP } from '../../compiler/ir/attrs.ts';
import { GraphBuilder } from '../../compiler/ir/graph.ts';
import { quantize } from '../../compiler/pipeline.ts';
import { seededUniform } from '../support/seeded.ts';

/** Input height, width and channels of every fixture. */
export const [H, W, C] = [8, 8, 3];
/** Output classes. */
const K = 5;

/** A model file (and, for TF.js, its shard) plus the input file fed to it. */
export interface Fixture {
  /** Which loader reads it. */
  format: 'artifact' | 'tflite' | 'onnx-int8' | 'onnx-float' | 'tfjs';
  /** The model's bytes (for TF.js: model.json's text as bytes). */
  bytes: Uint8Array;
  /** File name of the model (extension chosen so the CLI picks the loader). */
  name: string;
  /** TF.js: the weight shard, written beside model.json as 'w.bin'. */
  shard?: Uint8Array;
  /** The input, raw: int8 bytes (.i8) for the int8 models, float32 NHWC (.f32) for the float ones. */
  input: Uint8Array;
  inputExt: '.i8' | '.f32';
}

const weights = (seed: number, n: number, scale = 0.5) => seededUniform(seed, n, -scale, scale);

/** The block as an f32 IR graph (OHWI weights), seeded. */
function floatBlock() {
  const b = new GraphBuilder('fuzz-block');
  const x = b.input('x', [1, H, W, C]);
  const relu6 = { min: 0, max: 6 };
  const c1 = b.node(
    'conv2d',
    'stem',
    [x, b.constant('stem_w', [8, 3, 3, C], weights(1, 8 * 9 * C)), b.constant('stem_b', [8], weights(2, 8, 0.1))],
    { strides: [2, 2], dilations: [1, 1], pads: [0, 1, 0, 1], clamp: relu6 },
  );
  const dw = b.node(
    'depthwise_conv2d',
    'dw',
    [c1, b.constant('dw_w', [1, 3, 3, 8], weights(3, 72)), b.constant('dw_b', [8], weights(4, 8, 0.1))],
    { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], depthMultiplier: 1, clamp: relu6 },
  );
  const pw = b.node(
    'conv2d',
    'pw',
    [dw, b.constant('pw_w', [8, 1, 1, 8], weights(5, 64)), b.constant('pw_b', [8], weights(6, 8, 0.1))],
    { strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], clamp: NO_CLAMP },
  );
  const sum = b.node('add', 'residual', [pw, c1], { clamp: NO_CLAMP });
  const mean = b.node('mean', 'pool', [sum], { axes: [1, 2], keepDims: false });
  const fc = b.node(
    'fully_connected',
    'fc',
    [mean, b.constant('fc_w', [K, 8], weights(7, K * 8)), b.constant('fc_b', [K], weights(8, K, 0.1))],
    { clamp: NO_CLAMP },
  );
  b.graph.outputs.push(b.node('softmax', 'probs', [fc], { beta: 1 }));
  return b.graph;
}

/** The block in float ONNX (NCHW, as PyTorch writes it). */
function floatOnnx(): Uint8Array {
  const b = new OnnxGraphBuilder();
  let seed = 20;
  const w = (name: string, dims: number[], scale = 0.5) =>
    b.constant(
      name,
      'float',
      dims,
      Array.from(
        weights(
          seed++,
          dims.reduce((a, c) => a * c, 1),
          scale,
        ),
      ),
    );
  b.input('x', 'float', [1, C, H, W]);
  b.reserve('probs');
  const c1 = b.node('Conv', ['x', w('stem_w', [8, C, 3, 3]), w('stem_b', [8], 0.1)], 'stem', {
    kernel_shape: [3, 3],
    strides: [2, 2],
    pads: [1, 1, 1, 1],
  });
  const r6 = b.node('Clip', [c1, b.constant('zero', 'float', [], [0]), b.constant('six', 'float', [], [6])], 'relu6');
  const dw = b.node('Conv', [r6, w('dw_w', [8, 1, 3, 3]), w('dw_b', [8], 0.1)], 'dw', {
    kernel_shape: [3, 3],
    pads: [1, 1, 1, 1],
    group: 8,
    dilations: [1, 1],
    strides: [1, 1],
  });
  const r = b.node('Relu', [dw], 'relu');
  const pw = b.node('Conv', [r, w('pw_w', [8, 8, 1, 1]), w('pw_b', [8], 0.1)], 'pw', { kernel_shape: [1, 1] });
  const sum = b.node('Add', [pw, r6], 'residual');
  const gap = b.node('GlobalAveragePool', [sum], 'gap');
  const flat = b.node('Flatten', [gap], 'flatten', { axis: 1 });
  const fc = b.node('Gemm', [flat, w('fc_w', [K, 8]), w('fc_b', [K], 0.1)], 'fc', { transB: 1 });
  b.output(b.node('Softmax', [fc], 'softmax', { axis: -1 }), 'probs', 'float', [1, K]);
  return b.encode('fuzz-block', 'test');
}

/** The block as a TF.js graph model: model.json's object and its one float32 shard. */
function tfjsGraphModel(): { json: object; shard: Uint8Array } {
  const consts: [string, number[], Float32Array | Int32Array][] = [
    ['stem_w', [3, 3, C, 8], weights(40, 9 * C * 8)],
    ['stem_b', [8], weights(41, 8, 0.1)],
    ['dw_w', [3, 3, 8, 1], weights(42, 72)],
    ['axes', [2], Int32Array.of(1, 2)],
    ['fc_w', [8, K], weights(43, 8 * K)],
  ];
  const dt = (v: Float32Array | Int32Array) => (v instanceof Int32Array ? 'DT_INT32' : 'DT_FLOAT');
  const ints = (v: number[]) => ({ list: { i: v.map(String) } });
  const node = (name: string, op: string, input: string[], attr: Record<string, unknown> = {}) => ({
    name,
    op,
    input,
    attr: { T: { type: 'DT_FLOAT' }, ...attr },
  });
  const conv = {
    strides: ints([1, 1, 1, 1]),
    dilations: ints([1, 1, 1, 1]),
    padding: { s: Buffer.from('SAME').toString('base64') },
    data_format: { s: Buffer.from('NHWC').toString('base64') },
  };
  const nodes = [
    {
      name: 'x',
      op: 'Placeholder',
      attr: {
        dtype: { type: 'DT_FLOAT' },
        shape: { shape: { dim: [1, H, W, C].map((size) => ({ size: String(size) })) } },
      },
    },
    ...consts.map(([name, shape, v]) => ({
      name,
      op: 'Const',
      attr: {
        dtype: { type: dt(v) },
        value: { tensor: { dtype: dt(v), tensorShape: { dim: shape.map((size) => ({ size: String(size) })) } } },
      },
    })),
    node('stem', 'Conv2D', ['x', 'stem_w'], { ...conv, strides: ints([1, 2, 2, 1]) }),
    node('stem_bias', 'BiasAdd', ['stem', 'stem_b'], { data_format: conv.data_format }),
    node('stem_relu6', 'Relu6', ['stem_bias']),
    node('dw', 'DepthwiseConv2dNative', ['stem_relu6', 'dw_w'], conv),
    node('dw_relu', 'Relu', ['dw']),
    node('residual', 'AddV2', ['dw_relu', 'stem_relu6']),
    node('pool', 'Mean', ['residual', 'axes'], { Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } }),
    node('fc', 'MatMul', ['pool', 'fc_w'], { transpose_a: { b: false }, transpose_b: { b: false } }),
    node('probs', 'Softmax', ['fc']),
  ];
  const weightSpecs = consts.map(([name, shape, v]) => ({
    name,
    shape,
    dtype: v instanceof Int32Array ? 'int32' : 'float32',
  }));
  const shard = Buffer.concat(consts.map(([, , v]) => Buffer.from(v.buffer, v.byteOffset, v.byteLength)));
  return {
    json: {
      format: 'graph-model',
      modelTopology: { node: nodes, versions: { producer: 1395 } },
      weightsManifest: [{ paths: ['w.bin'], weights: weightSpecs }],
    },
    shard: new Uint8Array(shard),
  };
}

/** Every fixture, built from seeds (the int8 ones calibrated on eight seeded inputs). */
export function buildFixtures(): Fixture[] {
  const f = floatBlock();
  const calibration = [1, 2, 3, 4, 5, 6, 7, 8].map((s) => seededUniform(100 + s, H * W * C, -1, 1));
  const int8 = quantize(f, calibration, { method: 'minmax', biasCorrection: false, activations: 'int8' });
  const i8 = new Uint8Array(Int8Array.from(seededUniform(7, H * W * C, -128, 128), Math.floor).buffer);
  const f32 = new Uint8Array(seededUniform(9, H * W * C, -1, 1).buffer);
  const artifact = encodeArtifact({
    model: 'fuzz-block',
    graph: int8,
    labels: ['a', 'b', 'c', 'd', 'e'],
    preprocessing: { scale: 2 / 255, offset: -1 },
    calibration: { method: 'minmax', images: 8, biasCorrection: false },
  });
  const tfjs = tfjsGraphModel();
  return [
    { format: 'artifact', name: 'block.tinyedge', bytes: artifact, input: i8, inputExt: '.i8' },
    { format: 'tflite', name: 'block.tflite', bytes: exportInt8Tflite(int8), input: i8, inputExt: '.i8' },
    { format: 'onnx-int8', name: 'block-int8.onnx', bytes: exportInt8Onnx(int8), input: i8, inputExt: '.i8' },
    { format: 'onnx-float', name: 'block-float.onnx', bytes: floatOnnx(), input: f32, inputExt: '.f32' },
    {
      format: 'tfjs',
      name: 'model.json',
      bytes: new Uint8Array(Buffer.from(JSON.stringify(tfjs.json))),
      shard: tfjs.shard,
      input: f32,
      inputExt: '.f32',
    },
  ];
}

/** Writes a (possibly mutated) fixture into `dir` and returns the model path and the input path. */
export function writeCase(
  dir: string,
  fx: Pick<Fixture, 'name' | 'bytes' | 'shard' | 'input' | 'inputExt'>,
): { model: string; input: string } {
  mkdirSync(dir, { recursive: true });
  const model = join(dir, fx.name);
  writeFileSync(model, fx.bytes);
  if (fx.shard) writeFileSync(join(dir, 'w.bin'), fx.shard);
  const input = join(dir, `input${fx.inputExt}`);
  writeFileSync(input, fx.input);
  return { model, input };
}
