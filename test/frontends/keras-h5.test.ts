/**
 * The Keras .h5 frontend on files written in the test with h5wasm: a Sequential and a Functional model of MobileNet
 * blocks (Conv2D, BatchNormalization, ReLU with max_value, DepthwiseConv2D, SeparableConv2D, Activation, a residual
 * Add, Concatenate, GlobalAveragePooling2D, Reshape, Dense) load, and their f32 reference equals
 * @tensorflow/tfjs-layers running the same config and weights within 1e-5.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { models } from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { loadKerasH5 } from '../../compiler/pipeline.ts';
import { runF32 } from '../../compiler/reference/f32/interpreter.ts';
import { hasStackTrace, tinyedge } from '../support/cli.ts';
import { type KerasLayerWeights, writeKerasH5 } from '../support/keras-h5-file.ts';
import { seededUniform } from '../support/seeded.ts';

type Layer = { class_name: string; config: Record<string, unknown>; name: string; inbound_nodes?: unknown[] };

/** A layer record; `inbound` names its producers (functional models only). */
function layer(class_name: string, name: string, config: Record<string, unknown>, inbound?: string[]): Layer {
  return {
    class_name,
    name,
    config: { name, trainable: true, dtype: 'float32', ...config },
    // Keras writes an input layer's inbound_nodes as [] (no call).
    ...(inbound ? { inbound_nodes: inbound.length ? [inbound.map((p) => [p, 0, 0, {}])] : [] } : {}),
  };
}

/** Seeded weights for the layers that have some, in Keras's order. */
function weightsOf(spec: Record<string, [string, number[]][]>): KerasLayerWeights[] {
  let seed = 10;
  return Object.entries(spec).map(([name, params]) => ({
    layer: name,
    params: params.map(([param, shape]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      // A moving variance must be positive.
      const [lo, hi] = param === 'moving_variance' ? [0.5, 1.5] : [-0.5, 0.5];
      return { name: param, shape, data: seededUniform(seed++, n, lo, hi) };
    }),
  }));
}

const conv = (filters: number, kernel: number, more: Record<string, unknown> = {}) => ({
  filters,
  kernel_size: [kernel, kernel],
  strides: [1, 1],
  padding: 'same',
  data_format: 'channels_last',
  dilation_rate: [1, 1],
  activation: 'linear',
  use_bias: true,
  ...more,
});

const SEQUENTIAL = {
  config: {
    class_name: 'Sequential',
    config: {
      name: 'sequential_blocks',
      layers: [
        layer('InputLayer', 'input', { batch_input_shape: [null, 8, 8, 3] }),
        layer('Conv2D', 'stem', conv(8, 3, { strides: [2, 2], use_bias: false })),
        layer('BatchNormalization', 'bn', { axis: -1, epsilon: 1e-3, center: true, scale: true }),
        layer('ReLU', 'relu6', { max_value: 6, negative_slope: 0, threshold: 0 }),
        layer('DepthwiseConv2D', 'dw', { ...conv(0, 3, { activation: 'relu6' }), depth_multiplier: 1 }),
        layer('SeparableConv2D', 'sep', { ...conv(12, 3, { activation: 'relu' }), depth_multiplier: 1 }),
        layer('GlobalAveragePooling2D', 'gap', { data_format: 'channels_last', keepdims: false }),
        layer('Reshape', 'reshape', { target_shape: [1, 1, 12] }),
        layer('Flatten', 'flatten', { data_format: 'channels_last' }),
        layer('Dense', 'dense', { units: 4, activation: 'softmax', use_bias: true }),
      ],
    },
  },
  input: [1, 8, 8, 3],
  weights: weightsOf({
    stem: [['kernel', [3, 3, 3, 8]]],
    bn: [
      ['gamma', [8]],
      ['beta', [8]],
      ['moving_mean', [8]],
      ['moving_variance', [8]],
    ],
    dw: [
      ['depthwise_kernel', [3, 3, 8, 1]],
      ['bias', [8]],
    ],
    sep: [
      ['depthwise_kernel', [3, 3, 8, 1]],
      ['pointwise_kernel', [1, 1, 8, 12]],
      ['bias', [12]],
    ],
    dense: [
      ['kernel', [12, 4]],
      ['bias', [4]],
    ],
  }),
};

const FUNCTIONAL = {
  config: {
    class_name: 'Functional',
    config: {
      name: 'functional_blocks',
      layers: [
        layer('InputLayer', 'input', { batch_input_shape: [null, 8, 8, 4] }, []),
        layer('Conv2D', 'expand', conv(8, 1, { activation: 'relu6' }), ['input']),
        layer('DepthwiseConv2D', 'dw', { ...conv(0, 3), depth_multiplier: 1 }, ['expand']),
        layer('Activation', 'act', { activation: 'relu' }, ['dw']),
        layer('Conv2D', 'project', conv(8, 1), ['act']),
        layer('Add', 'residual', {}, ['project', 'expand']),
        layer('SeparableConv2D', 'branch', { ...conv(4, 3), depth_multiplier: 2 }, ['input']),
        layer('Concatenate', 'concat', { axis: -1 }, ['residual', 'branch']),
        layer('GlobalAveragePooling2D', 'gap', { data_format: 'channels_last', keepdims: false }, ['concat']),
        layer('Dense', 'dense', { units: 5, activation: 'softmax', use_bias: true }, ['gap']),
      ],
      input_layers: [['input', 0, 0]],
      output_layers: [['dense', 0, 0]],
    },
  },
  input: [1, 8, 8, 4],
  weights: weightsOf({
    expand: [
      ['kernel', [1, 1, 4, 8]],
      ['bias', [8]],
    ],
    dw: [
      ['depthwise_kernel', [3, 3, 8, 1]],
      ['bias', [8]],
    ],
    project: [
      ['kernel', [1, 1, 8, 8]],
      ['bias', [8]],
    ],
    branch: [
      ['depthwise_kernel', [3, 3, 4, 2]],
      ['pointwise_kernel', [1, 1, 8, 4]],
      ['bias', [4]],
    ],
    dense: [
      ['kernel', [12, 5]],
      ['bias', [5]],
    ],
  }),
};

/** The model's output on x through tfjs-layers, from the same config and weights. */
async function tfjsOutput(model: typeof SEQUENTIAL, x: Float32Array): Promise<Float32Array> {
  const m = await models.modelFromJSON({ modelTopology: { model_config: model.config } } as never);
  for (const w of model.weights) m.getLayer(w.layer).setWeights(w.params.map((p) => tf.tensor(p.data, p.shape)));
  const y = m.predict(tf.tensor(x, model.input)) as tf.Tensor;
  return y.dataSync() as Float32Array;
}

describe('Keras .h5 frontend', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tinyedge-keras-h5-'));

  for (const [name, model] of Object.entries({ Sequential: SEQUENTIAL, Functional: FUNCTIONAL })) {
    it(`${name} MobileNet blocks: the f32 reference equals tfjs-layers within 1e-5`, async () => {
      const file = join(dir, `${name}.h5`);
      await writeKerasH5(file, model.config, model.weights);
      const { graph: g, quantized } = await loadKerasH5(file);
      expect(quantized).toBe(false);
      for (const seed of [1, 2]) {
        const x = seededUniform(
          300 + seed,
          model.input.reduce((a, b) => a * b, 1),
          -1,
          1,
        );
        const expected = await tfjsOutput(model, x);
        const y = runF32(g, { [g.inputs[0]!]: x }).get(g.outputs[0]!) as Float32Array;
        expect(y.length).toBe(expected.length);
        y.forEach((v, i) => {
          expect(Math.abs(v - expected[i]!), `element ${i}`).toBeLessThan(1e-5);
        });
      }
    });
  }

  it('the CLI takes an .h5 as any model (inspect lists its layers); a file that is not HDF5 gets one error line', async () => {
    const file = join(dir, 'cli.h5');
    await writeKerasH5(file, SEQUENTIAL.config, SEQUENTIAL.weights);
    const r = tinyedge(['inspect', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('conv2d');
    const broken = join(dir, 'broken.h5');
    writeFileSync(broken, 'not hdf5');
    const bad = tinyedge(['inspect', broken]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('broken.h5');
    expect(hasStackTrace(bad.stderr)).toBe(false);
  }, 120_000);
});
