/**
 * The int8 reference kernels on hand-computed cases: zero-point padding, saturation at the clamps, TFLite's
 * rounding of averages and means (ties away from zero, both signs), add's rescaling through a left shift of 20,
 * TFLite's int8 softmax and logistic, pad with the zero point, resize coordinates and rounding, and transpose conv.
 * Each expected value is worked out in the comment.
 */
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../compiler/ir/graph.ts';
import { bilinearTaps, nearestSources } from '../../compiler/ir/resize-geometry.ts';
import type { Tensor } from '../../compiler/ir/tensor.ts';
import type { Window2d } from '../../compiler/ir/window.ts';
import { type Int8Params, prepareInt8Node } from '../../compiler/quantize/prepare/prepare-int8.ts';
import { conv2dInt8, type MacParams, transposeConv2dInt8 } from '../../compiler/reference/integer/conv.ts';
import { addInt8, lookupInt8, softmaxInt8 } from '../../compiler/reference/integer/elementwise.ts';
import { meanInt8, poolInt8, roundedDivide } from '../../compiler/reference/integer/reduce.ts';
import { padElements } from '../../compiler/reference/layout.ts';
import { resizeBilinearInt8 } from '../../compiler/reference/resize.ts';
import { mulberry32 } from '../support/seeded.ts';

/** M = 1.0 as TFLite encodes it: 2^30 · 2^(1−31). */
const ONE = { multiplier: 1 << 30, shift: 1 };

function mac(inputOffset: number, outputOffset = 0, actMin = -128, actMax = 127): MacParams {
  return {
    inputOffset,
    outputOffset,
    multipliers: Int32Array.of(ONE.multiplier),
    shifts: Int32Array.of(ONE.shift),
    actMin,
    actMax,
    wide: false,
  };
}

const window3x3Padded: Window2d = {
  n: 1,
  h: 1,
  w: 1,
  c: 1,
  oh: 1,
  ow: 1,
  kh: 3,
  kw: 3,
  strides: [1, 1],
  dilations: [1, 1],
  pads: [1, 1, 1, 1],
};

describe('conv2d int8', () => {
  const w = new Int8Array(9).fill(1);
  it('padding reads the zero point: only the centre tap counts, (10 + 5)·1 = 15, not 15 + 8·5', () => {
    expect(Array.from(conv2dInt8(Int8Array.of(10), w, undefined, window3x3Padded, 1, mac(5)))).toEqual([15]);
  });
  it('bias adds before requantization: 15 + 7 = 22', () => {
    expect(Array.from(conv2dInt8(Int8Array.of(10), w, Int32Array.of(7), window3x3Padded, 1, mac(5)))).toEqual([22]);
  });
  it('saturates at the int8 range and at a fused clamp: 127 + 127 = 254 → 127, → 100 under actMax 100, −200 offset → −128', () => {
    expect(Array.from(conv2dInt8(Int8Array.of(127), w, undefined, window3x3Padded, 1, mac(127)))).toEqual([127]);
    expect(Array.from(conv2dInt8(Int8Array.of(127), w, undefined, window3x3Padded, 1, mac(127, 0, -128, 100)))).toEqual(
      [100],
    );
    expect(Array.from(conv2dInt8(Int8Array.of(1), w, undefined, window3x3Padded, 1, mac(0, -200)))).toEqual([-128]);
  });
});

describe('average pooling and mean round like TFLite', () => {
  it('roundedDivide: ties away from zero for both signs, others to nearest', () => {
    expect([roundedDivide(3, 2), roundedDivide(-3, 2), roundedDivide(5, 2), roundedDivide(-5, 2)]).toEqual([
      2, -2, 3, -3,
    ]);
    expect([
      roundedDivide(7, 3),
      roundedDivide(-7, 3),
      roundedDivide(8, 3),
      roundedDivide(-8, 3),
      roundedDivide(0, 5),
    ]).toEqual([2, -2, 3, -3, 0]);
  });
  it('avg pool over [1, 2] is 2 and over [−1, −2] is −2 (1.5 rounds away from zero)', () => {
    const g: Window2d = {
      n: 1,
      h: 1,
      w: 2,
      c: 2,
      oh: 1,
      ow: 1,
      kh: 1,
      kw: 2,
      strides: [1, 1],
      dilations: [1, 1],
      pads: [0, 0, 0, 0],
    };
    expect(Array.from(poolInt8(Int8Array.of(1, -1, 2, -2), g, 'avg', -128, 127))).toEqual([2, -2]);
  });
  it('avg pool does not count padding: a 3×3 window over a single 7 averages to 7', () => {
    expect(Array.from(poolInt8(Int8Array.of(7), window3x3Padded, 'avg', -128, 127))).toEqual([7]);
  });
  it('max pool over padding ignores it: max of −100 alone is −100', () => {
    expect(Array.from(poolInt8(Int8Array.of(-100), window3x3Padded, 'max', -128, 127))).toEqual([-100]);
  });
  it('mean of [1, 2] and of [−1, −2] with the same scale in and out: 2 and −2', () => {
    const p = { inputOffset: 0, multiplier: ONE.multiplier, shift: ONE.shift, count: 2, outputOffset: 0 };
    expect(Array.from(meanInt8(Int8Array.of(1, 2, -1, -2), [2, 2], [1], p))).toEqual([2, -2]);
  });
});

/** A graph holding one node over inputs with the given (scale, zero point), for prepareInt8Node. */
function oneNodeGraph(
  op: 'add' | 'softmax' | 'logistic',
  inputs: [number, number][],
  out: [number, number],
  shape: number[],
): { g: Graph; p: Int8Params } {
  const tensors = new Map<string, Tensor>();
  const names = inputs.map(([s, z], i) => {
    const name = `x${i}`;
    tensors.set(name, { name, shape, dtype: 'int8', quant: { scale: [s], zeroPoint: [z] } });
    return name;
  });
  tensors.set('y', { name: 'y', shape, dtype: 'int8', quant: { scale: [out[0]], zeroPoint: [out[1]] } });
  const attrs = op === 'add' ? { clamp: { min: null, max: null } } : op === 'softmax' ? { beta: 1 } : {};
  const node = { name: 'n', op, inputs: names, outputs: ['y'], attrs } as Graph['nodes'][number];
  const g: Graph = { source: 'test', tensors, nodes: [node], inputs: names, outputs: ['y'] };
  return { g, p: prepareInt8Node(g, node) };
}

describe('add rescales both inputs to twice the larger scale through a left shift of 20', () => {
  it('same scales: 3 + 4 = 7, and 100 + 100 saturates at 127', () => {
    const { p } = oneNodeGraph(
      'add',
      [
        [0.5, 0],
        [0.5, 0],
      ],
      [0.5, 0],
      [2],
    );
    expect(Array.from(addInt8(Int8Array.of(3, 100), [2], Int8Array.of(4, 100), [2], [2], p as never))).toEqual([
      7, 127,
    ]);
  });
  it('different scales: 3·1.0 + 3·0.5 = 4.5 → 5 and −4.5 → −5 (rounding half away from zero)', () => {
    const { p } = oneNodeGraph(
      'add',
      [
        [1, 0],
        [0.5, 0],
      ],
      [1, 0],
      [2],
    );
    expect(Array.from(addInt8(Int8Array.of(3, -3), [2], Int8Array.of(3, -3), [2], [2], p as never))).toEqual([5, -5]);
  });
  it('zero points: (10 − 4)·0.25 + (−20 + 8)·0.25 = −1.5 → output zero point 3 gives 3 − 6 = −3', () => {
    const { p } = oneNodeGraph(
      'add',
      [
        [0.25, 4],
        [0.25, -8],
      ],
      [0.25, 3],
      [1],
    );
    expect(Array.from(addInt8(Int8Array.of(10), [1], Int8Array.of(-20), [1], [1], p as never))).toEqual([-3]);
  });
});

type SoftmaxParams = Extract<Int8Params, { kind: 'softmax' }>;
type LutParams = Extract<Int8Params, { kind: 'lut' }>;

/** Softmax of one row by the reference kernel, with the table prepare makes for input scale `scale`, β = 1. */
function softmaxOf(scale: number, row: number[]): number[] {
  const { p } = oneNodeGraph('softmax', [[scale, 0]], [1 / 256, -128], [1, row.length]);
  return Array.from(softmaxInt8(Int8Array.from(row), row.length, (p as SoftmaxParams).expTable));
}

/**
 * TFLite's int8 softmax, worked through (see prepare-int8.ts): T[0] = exp(0) = One = 2^31 − 1, which adds
 * RDBPOT(2^31 − 1, 12) = 2^19 (1.0 in Q12.19) to the sum. A sum of exactly 2^k in Q12.19 has f = 0, so
 * GetReciprocal gives n = k and scale = 1/(1 + 0): Newton–Raphson reaches 2.0 in Q2.29, which saturates to
 * 2^31 − 1 in Q0.31. Then SRDHM(2^31 − 1, 2^31 − 1) = 2^31 − 2, and the output is RDBPOT(2^31 − 2, n + 23) − 128.
 * (The previous table formula gave the same values here; on random rows it differs from TFLite in about 2 outputs
 * of 10,000, by one step.)
 */
describe('softmax: TFLite int8 (output scale 1/256, zero point −128)', () => {
  it('two equal logits: sum 2.0 (n = 1), each RDBPOT(2^31 − 2, 24) − 128 = 128 − 128 = 0, one half', () => {
    expect(softmaxOf(0.1, [5, 5])).toEqual([0, 0]);
  });
  it('a single class: sum 1.0 (n = 0), RDBPOT(2^31 − 2, 23) = 256, 128 saturates at 127', () => {
    expect(softmaxOf(0.1, [-40])).toEqual([127]);
  });
  it('scale 0.1, difference 255: past diff_min (M = 0.8·2^31, L = 23, R = ⌊31·2^26/2^23⌋ = 248), skipped → [127, −128]', () => {
    expect(softmaxOf(0.1, [127, -128])).toEqual([127, -128]);
  });
  it('scale 0.1, difference 100: kept, but e^−10·256 ≈ 0.012 rounds to 0 → [127, −128]; sum 1 + 24/2^19 still rounds the max to 256', () => {
    const { p } = oneNodeGraph('softmax', [[0.1, 0]], [1 / 256, -128], [1, 2]);
    // T[100] ≈ e^−10·2^31 ≈ 97,500, which adds RDBPOT(T, 12) ≈ 24 to the sum.
    expect(Math.abs((p as SoftmaxParams).expTable[100]! / 2 ** 31 - Math.exp(-10))).toBeLessThan(1e-8);
    expect(softmaxOf(0.1, [50, -50])).toEqual([127, -128]);
  });
  it('scale 0.5: R = 31, so a difference of 255 is skipped as well → [127, −128]', () => {
    expect(softmaxOf(0.5, [127, -128])).toEqual([127, -128]);
  });
  it('input scale 64: β·s·2^26 caps at 2^31 − 1, encoded with shift 31 (not saturated to 30), so R = 0 and only the max counts', () => {
    const { p } = oneNodeGraph('softmax', [[64, 0]], [1 / 256, -128], [1, 2]);
    const table = (p as SoftmaxParams).expTable;
    expect(table[0]).toBe(2 ** 31 - 1);
    expect(table.slice(1).every((v) => v === 0)).toBe(true);
    expect(softmaxOf(64, [5, 4])).toEqual([127, -128]);
  });
  it('TFLM person_detect’s last layer (input scale 0.012518751434981823): logits [−112, 110] → TFLM’s [−113, 113], [38, −39] → [57, −57]', () => {
    // The logits are the reference's on models/tflm/person.u8 and no_person.u8; the outputs are TFLM's own.
    expect(softmaxOf(0.012518751434981823, [-112, 110])).toEqual([-113, 113]);
    expect(softmaxOf(0.012518751434981823, [38, -39])).toEqual([57, -57]);
  });
  it('within one step of round(256·softmax) − 128 on 3,000 seeded rows of 1 to 20 classes at three input scales', () => {
    const next = mulberry32(21);
    for (const scale of [0.02, 0.1, 0.3]) {
      for (let t = 0; t < 1000; t++) {
        const row = Array.from({ length: 1 + Math.floor(next() * 20) }, () => Math.floor(next() * 256) - 128);
        const e = row.map((v) => Math.exp(scale * (v - Math.max(...row))));
        const sum = e.reduce((a, b) => a + b, 0);
        const got = softmaxOf(scale, row);
        got.forEach((y, i) => {
          if (Math.abs(y - Math.min(127, Math.round((256 * e[i]!) / sum) - 128)) > 1)
            expect.fail(`scale ${scale}, row ${row}: ${got}`);
        });
      }
    }
  });
  it('rejects more than 4095 classes (the Q12.19 sum must stay below 2^31) and an output other than 1/256, −128', () => {
    expect(() => oneNodeGraph('softmax', [[0.1, 0]], [1 / 256, -128], [1, 4096])).toThrow(/up to 4095 classes/);
    expect(() => oneNodeGraph('softmax', [[0.1, 0]], [1 / 128, 0], [1, 10])).toThrow(/output scale 1\/256/);
  });
});

describe('logistic: TFLite int8, by a 256-entry table (output scale 1/256, zero point −128)', () => {
  // Scale 0.1, zero point 10: s·2^27 = 0.8·2^24, so M = 0.8·2^31, L = 24 and the radius R = ⌊15·2^27/2^24⌋ = 120.
  const table = (oneNodeGraph('logistic', [[0.1, 10]], [1 / 256, -128], [3]).p as LutParams).table;
  it('real 0 → logistic(0) = 2^30 exactly → RDBPOT(2^30, 23) = 128 → 0', () => {
    expect(Array.from(lookupInt8(Int8Array.of(10), table))).toEqual([0]);
  });
  it('v = 117 < R is computed: logistic(11.7) ≈ 1 − 8e−6 → 256 → 127; v = −138 ≤ −R is −128 without computing', () => {
    expect(Array.from(lookupInt8(Int8Array.of(127, -128), table))).toEqual([127, -128]);
  });
  it('equals clamp(round(256·σ(x)) − 128) at every input for four quantizations (TFLite errs by far less than a step)', () => {
    for (const [s, z] of [
      [0.1, 10],
      [0.05, -20],
      [0.5, 0],
      [0.02, 3],
    ]) {
      const t = (oneNodeGraph('logistic', [[s!, z!]], [1 / 256, -128], [1]).p as LutParams).table;
      for (let q = -128; q < 128; q++)
        expect(t[q + 128]).toBe(Math.min(127, Math.round(256 / (1 + Math.exp(-s! * (q - z!)))) - 128));
    }
  });
});

describe('pad', () => {
  it('fills with the given value (the quantized zero, i.e. the zero point), keeping the data', () => {
    expect(
      Array.from(
        padElements(
          Int8Array.of(5),
          [1, 1, 1, 1],
          [
            [0, 0],
            [0, 0],
            [1, 1],
            [0, 0],
          ],
          -7,
        ),
      ),
    ).toEqual([-7, 5, -7]);
  });
});

/**
 * Nearest: TFLite's float32 source index. 3 → 2 columns: scale 1.5, so the default reads ⌊0⌋, ⌊1.5⌋ = 0, 1; half-pixel
 * centers ⌊0.5·1.5⌋, ⌊1.5·1.5⌋ = 0, 2; align corners (scale (3 − 1)/(2 − 1) = 2) 0, 2. Align corners rounds half away
 * from zero: 4 → 3 has scale 1.5, and 1·1.5 = 1.5 rounds to 2, 2·1.5 = 3.
 */
describe('resize: TFLite source coordinates', () => {
  it('nearest: floor, half-pixel centers and align corners (rounding 1.5 up)', () => {
    expect(Array.from(nearestSources(3, 2, false, false))).toEqual([0, 1]);
    expect(Array.from(nearestSources(3, 2, false, true))).toEqual([0, 2]);
    expect(Array.from(nearestSources(3, 2, true, false))).toEqual([0, 2]);
    expect(Array.from(nearestSources(4, 3, true, false))).toEqual([0, 2, 3]);
  });

  /**
   * Bilinear 2 → 4 columns (ResizeBilinearInteger): scale = ⌊(1024·2 + 2)/4⌋ = 512, so p = 0, 512, 1024, 1536 gives
   * (lo, hi, frac) = (0, 0, 0), (0, 1, 512), (1, 1, 0), (1, min(2, 1) = 1, 512). One row (scale 1024, p = 0) weights
   * row lo by 1024. Column 1 of [0, 101] sums 101·512·1024 = 50.5·2^20, and (s + 2^19) / 2^20 = 51; for [0, −101],
   * (s − 2^19) / 2^20 = −51: ties away from zero. Columns 2 and 3 read 101 (and −101) alone.
   */
  it('bilinear: Q10 taps and rounding half away from zero, both signs', () => {
    const cols = bilinearTaps(2, 4, false, false);
    expect(Array.from(cols)).toEqual([0, 0, 0, 0, 1, 512, 1, 1, 0, 1, 1, 512]);
    const rows = bilinearTaps(1, 1, false, false);
    expect(Array.from(resizeBilinearInt8(Int8Array.of(0, 0, 101, -101), [1, 1, 2, 2], rows, cols))).toEqual([
      0, 0, 51, -51, 101, -101, 101, -101,
    ]);
  });
});

/**
 * Transpose conv, one channel, input column [10, 20] with zero point −5 (offset +5), filter [1, 2, 3] down the
 * height, stride 2: input row 0 adds 15·[1, 2, 3] to output rows 0–2, input row 1 adds 25·[1, 2, 3] to rows 2–4, so
 * the int32 scratch holds [15, 30, 45 + 25 = 70, 50, 75]; bias 1 and M = 1 give [16, 31, 71, 51, 76]. A fused clamp at
 * 60 cuts rows 2 and 4; pads [1, 1] crop the first and last rows.
 */
describe('transpose conv int8', () => {
  const g: Window2d = {
    n: 1,
    h: 2,
    w: 1,
    c: 1,
    oh: 5,
    ow: 1,
    kh: 3,
    kw: 1,
    strides: [2, 1],
    dilations: [1, 1],
    pads: [0, 0, 0, 0],
  };
  const w = Int8Array.of(1, 2, 3);
  it('overlapping taps add in the scratch before the bias and requantization', () => {
    expect(Array.from(transposeConv2dInt8(Int8Array.of(10, 20), w, Int32Array.of(1), g, 1, mac(5)))).toEqual([
      16, 31, 71, 51, 76,
    ]);
    expect(
      Array.from(transposeConv2dInt8(Int8Array.of(10, 20), w, Int32Array.of(1), g, 1, mac(5, 0, -128, 60))),
    ).toEqual([16, 31, 60, 51, 60]);
  });
  it('pads crop the full output', () => {
    expect(
      Array.from(
        transposeConv2dInt8(Int8Array.of(10, 20), w, Int32Array.of(1), { ...g, oh: 3, pads: [1, 1, 0, 0] }, 1, mac(5)),
      ),
    ).toEqual([31, 71, 51]);
  });
});
