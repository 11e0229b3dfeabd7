/** @fileoverview TensorFlow's SAME/VALID padding rule, resolved to explicit [top, bottom, left, right] pads: geometry the TF and TFLite importers, the builders and the TFLite exporter share. */

import { TinyedgeError } from '../errors.ts';
import type { Pads4 } from './attrs.ts';

/** TF's rule: SAME pads (out−1)·stride + span − in in total, the extra pixel at the bottom/right; VALID pads nothing. */
export function tfPads(
  padding: string,
  inH: number,
  inW: number,
  kh: number,
  kw: number,
  strides: [number, number],
  dilations: [number, number] = [1, 1],
): Pads4 {
  const mode = padding.toUpperCase();
  if (mode === 'VALID') return [0, 0, 0, 0];
  if (mode !== 'SAME') throw new TinyedgeError('TE110', `padding '${padding}' is not supported (SAME or VALID)`);
  const along = (size: number, k: number, s: number, d: number): [number, number] => {
    const out = Math.ceil(size / s);
    const total = Math.max((out - 1) * s + (k - 1) * d + 1 - size, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  };
  const [t, b] = along(inH, kh, strides[0], dilations[0]);
  const [l, r] = along(inW, kw, strides[1], dilations[1]);
  return [t, b, l, r];
}

/**
 * A transpose conv's crop of its full (in − 1)·s + k output down to `out` (TFLite's TRANSPOSE_CONV and TF's
 * conv2d_transpose): top/left as TF's rule pads a conv from `out` (SAME) or 0 (VALID), bottom/right what is left.
 */
export function transposeConvPads(
  padding: string,
  inH: number,
  inW: number,
  outH: number,
  outW: number,
  kh: number,
  kw: number,
  strides: [number, number],
): Pads4 {
  const [top, , left] = tfPads(padding, outH, outW, kh, kw, strides);
  const bottom = (inH - 1) * strides[0] + kh - top - outH;
  const right = (inW - 1) * strides[1] + kw - left - outW;
  if (bottom < 0 || right < 0)
    throw new TinyedgeError(
      'TE107',
      `output ${outH}×${outW} is larger than the ${(inH - 1) * strides[0] + kh}×${(inW - 1) * strides[1] + kw} a transpose conv of ${inH}×${inW} covers (rows that get only the bias are not supported)`,
    );
  return [top, bottom, left, right];
}
