/**
 * Each f32 reference kernel equals the TF.js cpu op it stands for (within 1e-5), on shapes the real models do not
 * reach: dilations, depth multipliers, odd sizes and SAME padding on every side, max pooling, average pooling
 * whose windows overlap the padding (TF divides by the in-bounds count), mean, pad, concat and broadcasting.
 */

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hwioToOhwi } from '../compiler/frontends/tfjs-common/layouts.ts';
import { NO_CLAMP } from '../compiler/ir/attrs.ts';
import { GraphBuilder } from '../compiler/ir/graph.ts';
import type { OpAttrs, OpName } from '../compiler/ir/ops.ts';
import { tfPads, transposeConvPads } from '../compiler/ir/padding.ts';
import { sizeOf } from '../compiler/ir/tensor.ts';
import { runF32 } from '../compiler/reference/f32/interpreter.ts';
import { useTfjsBackend } from '../tools/peers/tfjs.ts';
import { seededUniform } from './support/seeded.ts';

beforeAll(() => useTfjsBackend('cpu'));

/** Runs one IR op on random inputs named x0, x1… (constants for the listed indices) and returns its output. */
function runOne<K extends OpName>(
  op: K,
  inputs: { shape: number[]; data: Float32Array; constant?: boolean }[],
  attrs: OpAttrs<K>,
): Float32Array {
  const b = new GraphBuilder('test');
  const names = inputs.map((x, i) => (x.constant ? b.constant(`c${i}`, x.shape, x.data) : b.input(`x${i}`, x.shape)));
  b.graph.outputs.push(b.node(op, 'node', names, attrs));
  const feeds = Object.fromEntries(inputs.flatMap((x, i) => (x.constant ? [] : [[`x${i}`, x.data]])));
  return runF32(b.graph, feeds).get('node') as Float32Array;
}

function expectClose(ours: Float32Array, theirs: tf.Tensor, tol = 1e-5): void {
  const t = theirs.dataSync();
  expect(ours.length).toBe(t.length);
  for (let i = 0; i < t.length; i++)
    if (Math.abs(ours[i]! - t[i]!) > tol) expect.fail(`element ${i}: ours ${ours[i]}, TF.js ${t[i]}`);
}

const rand = (seed: number, shape: number[], lo = -1, hi = 1) => ({
  shape,
  data: seededUniform(seed, sizeOf(shape), lo, hi),
});

describe('conv2d', () => {
  it.each([
    [[1, 9, 7, 5], 3, 3, 6, 1, 1, 'same'],
    [[1, 9, 7, 5], 3, 3, 6, 2, 1, 'same'],
    [[1, 10, 10, 3], 5, 3, 4, 2, 1, 'valid'],
    [[1, 11, 9, 4], 3, 3, 8, 1, 2, 'same'],
    [[1, 6, 6, 17], 1, 1, 13, 1, 1, 'valid'],
  ] as const)('input %j, kernel %i×%i→%i, stride %i, dilation %i, %s', (shape, kh, kw, o, s, d, padding) => {
    const x = rand(1, [...shape]);
    const w = rand(2, [kh, kw, shape[3], o]);
    const bias = rand(3, [o]);
    const ours = runOne(
      'conv2d',
      [
        x,
        { shape: [o, kh, kw, shape[3]], data: hwioToOhwi(w.data, w.shape), constant: true },
        { ...bias, constant: true },
      ],
      {
        strides: [s, s],
        dilations: [d, d],
        pads: tfPads(padding, shape[1], shape[2], kh, kw, [s, s], [d, d]),
        clamp: NO_CLAMP,
      },
    );
    const theirs = tf.add(
      tf.conv2d(
        tf.tensor4d(x.data, [...shape]),
        tf.tensor4d(w.data, w.shape as [number, number, number, number]),
        s,
        padding,
        'NHWC',
        d,
      ),
      tf.tensor1d(bias.data),
    );
    expectClose(ours, theirs);
  });
});

describe('depthwise_conv2d', () => {
  it.each([
    [[1, 9, 7, 5], 1, 1, 1, 'same'],
    [[1, 9, 8, 5], 1, 2, 1, 'same'],
    [[1, 8, 8, 3], 2, 1, 1, 'same'],
    [[1, 9, 9, 4], 3, 1, 2, 'same'],
    [[1, 7, 7, 6], 1, 2, 1, 'valid'],
  ] as const)('input %j, multiplier %i, stride %i, dilation %i, %s', (shape, m, s, d, padding) => {
    const c = shape[3];
    const x = rand(4, [...shape]);
    const w = rand(5, [3, 3, c, m]);
    const ours = runOne('depthwise_conv2d', [x, { shape: [1, 3, 3, c * m], data: w.data, constant: true }], {
      strides: [s, s],
      dilations: [d, d],
      pads: tfPads(padding, shape[1], shape[2], 3, 3, [s, s], [d, d]),
      depthMultiplier: m,
      clamp: { min: -0.5, max: 0.5 },
    });
    const theirs = tf.clipByValue(
      tf.depthwiseConv2d(tf.tensor4d(x.data, [...shape]), tf.tensor4d(w.data, [3, 3, c, m]), s, padding, 'NHWC', d),
      -0.5,
      0.5,
    );
    expectClose(ours, theirs);
  });
});

describe('pooling', () => {
  it.each([
    ['avg', [1, 7, 7, 3], 3, 2, 'same'],
    ['avg', [1, 8, 8, 3], 2, 2, 'valid'],
    ['avg', [1, 5, 6, 2], 3, 1, 'same'],
    ['max', [1, 7, 7, 3], 3, 2, 'same'],
    ['max', [1, 9, 9, 4], 3, 2, 'valid'],
  ] as const)('%s pool on %j, window %i, stride %i, %s', (kind, shape, k, s, padding) => {
    const x = rand(6, [...shape]);
    const attrs = {
      filter: [k, k] as [number, number],
      strides: [s, s] as [number, number],
      pads: tfPads(padding, shape[1], shape[2], k, k, [s, s]),
      clamp: NO_CLAMP,
    };
    const ours = runOne(kind === 'avg' ? 'avg_pool2d' : 'max_pool2d', [x], attrs);
    const input = tf.tensor4d(x.data, [...shape]);
    expectClose(ours, kind === 'avg' ? tf.avgPool(input, k, s, padding) : tf.maxPool(input, k, s, padding));
  });
});

describe('other ops', () => {
  it('mean over H and W with keepDims, and over the last axis without', () => {
    const x = rand(7, [1, 5, 6, 7]);
    expectClose(
      runOne('mean', [x], { axes: [1, 2], keepDims: true }),
      tf.mean(tf.tensor4d(x.data, [1, 5, 6, 7]), [1, 2], true),
    );
    expectClose(
      runOne('mean', [x], { axes: [-1], keepDims: false }),
      tf.mean(tf.tensor4d(x.data, [1, 5, 6, 7]), -1, false),
    );
  });

  it('pad with a constant value on every dimension', () => {
    const x = rand(8, [1, 3, 4, 2]);
    const pads: [number, number][] = [
      [0, 0],
      [1, 2],
      [0, 3],
      [1, 0],
    ];
    expectClose(runOne('pad', [x], { pads, value: 0.25 }), tf.pad(tf.tensor4d(x.data, [1, 3, 4, 2]), pads, 0.25));
  });

  it('concat along channels and along height', () => {
    const a = rand(9, [1, 3, 4, 2]);
    const b = rand(10, [1, 3, 4, 5]);
    const c = rand(11, [1, 2, 4, 2]);
    expectClose(
      runOne('concat', [a, b], { axis: 3 }),
      tf.concat([tf.tensor4d(a.data, [1, 3, 4, 2]), tf.tensor4d(b.data, [1, 3, 4, 5])], 3),
    );
    expectClose(
      runOne('concat', [a, c], { axis: 1 }),
      tf.concat([tf.tensor4d(a.data, [1, 3, 4, 2]), tf.tensor4d(c.data, [1, 2, 4, 2])], 1),
    );
  });

  it.each([
    [
      [1, 4, 5, 3],
      [1, 4, 5, 3],
    ],
    [[1, 4, 5, 3], [3]],
    [
      [1, 4, 5, 3],
      [1, 4, 1, 1],
    ],
    [
      [1, 1, 5, 1],
      [1, 4, 1, 3],
    ],
  ])('add, sub and mul broadcast %j with %j', (sa, sb) => {
    const a = rand(12, sa);
    const b = rand(13, sb);
    const ta = tf.tensor(a.data, sa);
    const tb = tf.tensor(b.data, sb);
    expectClose(runOne('add', [a, b], { clamp: NO_CLAMP }), tf.add(ta, tb));
    expectClose(runOne('sub', [a, b], { clamp: NO_CLAMP }), tf.sub(ta, tb));
    expectClose(runOne('mul', [a, b], { clamp: { min: 0, max: 0.3 } }), tf.clipByValue(tf.mul(ta, tb), 0, 0.3));
  });

  it('softmax, logistic and fully connected', () => {
    const x = rand(14, [3, 10], -5, 5);
    expectClose(runOne('softmax', [x], { beta: 1 }), tf.softmax(tf.tensor2d(x.data, [3, 10])));
    expectClose(runOne('logistic', [x], {}), tf.sigmoid(tf.tensor2d(x.data, [3, 10])));
    const w = rand(15, [10, 4]);
    const wT = Float32Array.from({ length: 40 }, (_, i) => w.data[(i % 10) * 4 + Math.floor(i / 10)]!);
    expectClose(
      runOne('fully_connected', [x, { shape: [4, 10], data: wT, constant: true }], { clamp: NO_CLAMP }),
      tf.matMul(tf.tensor2d(x.data, [3, 10]), tf.tensor2d(w.data, [10, 4])),
      1e-4,
    );
  });
});

describe('resize', () => {
  it.each([
    [[1, 5, 6, 3], [10, 12], false, false],
    [[1, 5, 6, 3], [10, 12], true, false],
    [[1, 5, 6, 3], [10, 12], false, true],
    [[1, 5, 6, 3], [8, 9], false, false],
    [[1, 5, 6, 3], [8, 9], true, false],
    [[1, 5, 6, 3], [8, 9], false, true],
    [[1, 7, 9, 2], [3, 4], false, true],
    [[1, 7, 9, 2], [3, 4], true, false],
    [[2, 3, 3, 1], [7, 5], false, false],
  ] as const)(
    'nearest and bilinear, %j to %j, alignCorners %s, halfPixelCenters %s',
    (shape, size, alignCorners, halfPixelCenters) => {
      const x = rand(16, [...shape]);
      const input = tf.tensor4d(x.data, [...shape]);
      const attrs = { size: [...size] as [number, number], alignCorners, halfPixelCenters };
      expectClose(
        runOne('resize_nearest', [x], attrs),
        tf.image.resizeNearestNeighbor(input, [...size], alignCorners, halfPixelCenters),
        0,
      );
      expectClose(
        runOne('resize_bilinear', [x], attrs),
        tf.image.resizeBilinear(input, [...size], alignCorners, halfPixelCenters),
      );
    },
  );
});

describe('transpose_conv2d', () => {
  it.each([
    [[1, 5, 6, 3], 3, 4, 2, 'same'],
    [[1, 5, 6, 3], 3, 4, 2, 'valid'],
    [[1, 4, 5, 6], 2, 3, 2, 'same'],
    [[1, 4, 5, 6], 2, 3, 2, 'valid'],
    [[1, 5, 5, 2], 3, 5, 1, 'same'],
    [[2, 3, 4, 2], 5, 3, 2, 'same'],
  ] as const)('input %j, kernel %i×%i→%i, stride %i, %s', (shape, k, o, s, padding) => {
    const [n, h, w, c] = shape;
    const x = rand(17, [...shape]);
    const filter = rand(18, [k, k, o, c]); // TF's [KH, KW, out, in]
    const bias = rand(19, [o]);
    const [oh, ow] = padding === 'same' ? [h * s, w * s] : [(h - 1) * s + k, (w - 1) * s + k];
    // TFLite's [O, KH, KW, I]: the same taps, out channel first.
    const ohwi = Float32Array.from({ length: o * k * k * c }, (_, i) => {
      const [oc, ky, kx, ic] = [Math.floor(i / (k * k * c)), Math.floor(i / (k * c)) % k, Math.floor(i / c) % k, i % c];
      return filter.data[((ky * k + kx) * o + oc) * c + ic]!;
    });
    // The crop the .tflite frontend derives from SAME/VALID and the output shape.
    const pads = transposeConvPads(padding, h, w, oh, ow, k, k, [s, s]);
    const ours = runOne(
      'transpose_conv2d',
      [x, { shape: [o, k, k, c], data: ohwi, constant: true }, { ...bias, constant: true }],
      { strides: [s, s], pads, clamp: { min: -1, max: 1 } },
    );
    const theirs = tf.clipByValue(
      tf.add(
        tf.conv2dTranspose(
          tf.tensor4d(x.data, [...shape]),
          tf.tensor4d(filter.data, [k, k, o, c]),
          [n, oh, ow, o],
          s,
          padding,
        ),
        tf.tensor1d(bias.data),
      ),
      -1,
      1,
    );
    expectClose(ours, theirs);
  });
});
