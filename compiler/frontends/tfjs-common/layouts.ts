/** @fileoverview TF weight layouts to the IR's (TFLite's): HWIO→OHWI conv filters, [KH,KW,C,M]→[1,KH,KW,C·M], [K,O]→[O,K]. */

/** HWIO [KH,KW,C,O] to OHWI [O,KH,KW,C]. */
export function hwioToOhwi(w: Float32Array, [kh, kw, c, o]: number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let y = 0; y < kh!; y++)
    for (let x = 0; x < kw!; x++)
      for (let i = 0; i < c!; i++)
        for (let k = 0; k < o!; k++) out[((k * kh! + y) * kw! + x) * c! + i] = w[((y * kw! + x) * c! + i) * o! + k]!;
  return out;
}

/** A 2-D transpose: [rows, cols] to [cols, rows]. */
export function transpose2d(w: Float32Array, [rows, cols]: number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows!; r++) for (let c = 0; c < cols!; c++) out[c * rows! + r] = w[r * cols! + c]!;
  return out;
}

/** Depthwise [KH,KW,C,M] to [1,KH,KW,C·M]: the same bytes, since channel c·M+m is already the last index. */
export function depthwiseShape([kh, kw, c, m]: number[]): number[] {
  return [1, kh!, kw!, c! * m!];
}
