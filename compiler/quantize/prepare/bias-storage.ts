/**
 * @fileoverview How a 16×8 MAC's bias is stored in flash: TFLite's int64, or int32 where every value fits. Read into
 * the int64 accumulator, an int32 copy is the same sum, so this is a storage choice of the backends (and of the
 * flash the cost model counts), not a change of the IR, the integer reference or the .tflite export; it saves 4
 * bytes a channel, which is what keeps 16×8 layers within an int8 flash budget (issue 24).
 */

const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;

/** The bias values as int32 when every one fits (an int32 bias as it is), else undefined: it stays int64. */
export function int32BiasValues(data: BigInt64Array | Int32Array): Int32Array | undefined {
  if (data instanceof Int32Array) return data;
  for (const v of data) if (v < INT32_MIN || v > INT32_MAX) return undefined;
  return Int32Array.from(data, Number);
}
