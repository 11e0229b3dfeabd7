/**
 * @fileoverview The builtins a float .tflite model may hold beyond the int8 table: what converters write for float
 * MobileNets (HARD_SWISH, SUB). They are decomposed into IR ops the quantizer has (add, mul, clamp), computed in f32
 * and quantized later like any float graph, which is why they are not in the int8 table (there each IR node takes the file's own quantization).
 */

import { FIELD } from '../../formats/tflite/schema.ts';
import { NO_CLAMP } from '../../ir/attrs.ts';
import { activation, TFLITE_OPS, type TfliteOpMapping } from './op-table.ts';

/** The mapping of every builtin a float model may hold, by name. */
export const FLOAT_TFLITE_OPS: Record<string, TfliteOpMapping> = {
  ...TFLITE_OPS,
  // a + b·(−1): exact in f32, and the quantizer has add and mul (b·(−1) folds to a constant when b is one).
  SUB: {
    maxVersion: 3,
    map(ctx) {
      const negated = ctx.emit('mul', [ctx.input(1), ctx.scalar(-1)], { clamp: NO_CLAMP });
      ctx.emit('add', [ctx.input(0), negated], {
        clamp: activation(ctx.option(FIELD.subOptions.activation, 'int8', 0)),
      });
    },
  },
  // x · relu6(x + 3) / 6, as TFLite's float reference kernel computes it.
  HARD_SWISH: {
    maxVersion: 1,
    map(ctx) {
      const x = ctx.input(0);
      const shifted = ctx.emit('add', [x, ctx.scalar(3)], { clamp: { min: 0, max: 6 } });
      const gated = ctx.emit('mul', [x, shifted], { clamp: NO_CLAMP });
      ctx.emit('mul', [gated, ctx.scalar(1 / 6)], { clamp: NO_CLAMP });
    },
  },
};
