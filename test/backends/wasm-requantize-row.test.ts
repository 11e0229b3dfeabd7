/**
 * @fileoverview The SIMD128 row requantization (requantize-int8.ts) against TFLite's MultiplyByQuantizedMultiplier,
 * at the edges the kernel cases rarely reach: accumulators at ±their bound (the unclamped helpers rely on it), and
 * beyond B (the clamped ones), with left and right shifts as the default model's layers have them.
 */
import { describe, expect, it } from 'vitest';
import { multiplyByQuantizedMultiplier } from '../../compiler/arith/fixed-point.ts';
import { WasmModule } from '../../compiler/backends/wasm/emit/binaryen.ts';
import { requantizeRow, simdRequantTable } from '../../compiler/backends/wasm/emit/requantize-int8.ts';
import { mulberry32 } from '../support/seeded.ts';

const CHANNELS = 37; // two full steps of 16 and a tail of 5
const [ACC, OUT, TABLE] = [0, 4096, 8192];

/** Requantizes one row of accumulators in a one-function module; the output bytes. */
async function requantized(
  acc: Int32Array,
  multipliers: Int32Array,
  shifts: Int32Array,
  accBounds: Float64Array | undefined,
  p: { outputOffset: number; actMin: number; actMax: number },
): Promise<{ out: Int8Array; clamped: boolean; fixedShift: boolean }> {
  const rq = simdRequantTable(multipliers, shifts, accBounds);
  if (!rq) throw new Error('no SIMD table');
  const module = new WasmModule();
  module.data(ACC, new Uint8Array(acc.buffer));
  module.data(TABLE, new Uint8Array(rq.table.buffer));
  module.fn('run', 0, (f) => [
    requantizeRow(f, f.c(ACC), f.c(OUT), CHANNELS, { table: 0, vector: { at: TABLE, rq } }, p),
  ]);
  module.exportFn('run');
  const instance = new WebAssembly.Instance(new WebAssembly.Module(module.emit(1) as Uint8Array<ArrayBuffer>));
  const exports = instance.exports as { run: () => void; memory: WebAssembly.Memory };
  exports.run();
  return {
    out: new Int8Array(exports.memory.buffer, OUT, CHANNELS).slice(),
    clamped: rq.clamped,
    fixedShift: rq.fixedShift,
  };
}

/** TFLite's int8 output of each accumulator. */
function reference(
  acc: Int32Array,
  m: Int32Array,
  s: Int32Array,
  p: { outputOffset: number; actMin: number; actMax: number },
) {
  return Int8Array.from(acc, (x, c) =>
    Math.min(p.actMax, Math.max(p.actMin, multiplyByQuantizedMultiplier(x, m[c]!, s[c]!) + p.outputOffset)),
  );
}

describe('SIMD128 row requantization equals TFLite', () => {
  const next = mulberry32(20);
  const multipliers = Int32Array.from({ length: CHANNELS }, () => 2 ** 30 + Math.floor(next() * (2 ** 30 - 1)));
  const shifts = Int32Array.from({ length: CHANNELS }, (_, c) => (c % 7 === 0 ? 1 + (c % 4) : -1 - (c % 11)));
  // Left-shifting channels (output scale above the accumulator's) see smaller accumulators, as in real layers. The
  // smaller bounds allow the fixed shift S = 16, the larger ones only the layer's largest s.
  const boundsOf = (top: number) =>
    Float64Array.from({ length: CHANNELS }, (_, c) => 2 ** (shifts[c]! > 0 ? top - 7 : top - 5 + (c % 6)) + c);
  const cases = [
    { outputOffset: -128, actMin: -128, actMax: 127 },
    { outputOffset: 5, actMin: -128, actMax: 127 },
    { outputOffset: -3, actMin: -100, actMax: 90 },
  ];

  it.each(cases.flatMap((p) => [15, 19].map((top) => [p.outputOffset, p.actMin, p.actMax, top, p] as const)))(
    'unclamped at ±the accumulator bounds and inside (zp %i, act [%i, %i], bounds up to 2^%i)',
    async (_z, _lo, _hi, top, p) => {
      const bounds = boundsOf(top);
      for (const sign of [1, -1, 0]) {
        const acc = Int32Array.from(bounds, (b, c) => (sign ? sign * b : Math.round((2 * next() - 1) * b) + (c & 1)));
        const { out, clamped, fixedShift } = await requantized(acc, multipliers, shifts, bounds, p);
        expect([clamped, fixedShift]).toEqual([false, top < 16]);
        expect(out).toEqual(reference(acc, multipliers, shifts, p));
      }
    },
  );

  it('clamped without bounds, with accumulators up to the int32 range', async () => {
    const p = cases[2]!;
    const right = Int32Array.from(shifts, (s) => Math.min(s, -1));
    const acc = Int32Array.from({ length: CHANNELS }, () => Math.round((2 * next() - 1) * 2 ** (10 + 21 * next())));
    const { out, clamped } = await requantized(acc, multipliers, right, undefined, p);
    expect(clamped).toBe(true);
    expect(out).toEqual(reference(acc, multipliers, right, p));
  });

  it('keeps the clamp when a bound is too large to leave it out', async () => {
    const big = Float64Array.from(boundsOf(19), (b, c) => (c === 3 ? 2 ** 29 : b));
    const rq = simdRequantTable(multipliers, shifts, big);
    expect(rq?.clamped).toBe(true);
  });
});
