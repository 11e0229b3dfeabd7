/** @fileoverview TensorFlow's SAME/VALID padding rule, resolved to explicit [top, bottom, left, right] pads. */
import { Pads4 } from '../../ir/attrs.ts';
import { TinyedgeError } from '../../errors.ts';

/** TF's rule: SAME pads (out−1)·stride + span − in in total, the extra pixel at the bottom/right; VALID pads nothing. */
export function tfPads(padding: string, inH: number, inW: number, kh: number, kw: number, strides: [number, number], dilations: [number, number] = [1, 1]): Pads4 {
  const mode = padding.toUpperCase();
  if (mode === 'VALID') return [0, 0, 0, 0];
  if (mode !== 'SAME') throw new TinyedgeError(`padding '${padding}' is not supported (SAME or VALID)`);
  const along = (size: number, k: number, s: number, d: number): [number, number] => {
    const out = Math.ceil(size / s);
    const total = Math.max((out - 1) * s + (k - 1) * d + 1 - size, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  };
  const [t, b] = along(inH, kh, strides[0], dilations[0]);
  const [l, r] = along(inW, kw, strides[1], dilations[1]);
  return [t, b, l, r];
}
