/**
 * @fileoverview The 256-entry table from an 8-bit pixel to a model's int8 input (pixel·scale + offset quantized with
 * the input's scale and zero point, as predict quantizes): the integer reference (reference/image/image-to-int8.ts)
 * and the browser's WebAssembly preprocessing both read it.
 */
import { quantizeValue } from '../quantize/prepare/quant-params.ts';

/** The int8 input value of each 8-bit pixel value: quantize(fround(pixel·scale + offset)). */
export function pixelTable(
  pre: { scale: number; offset: number },
  quant: { scale: number; zeroPoint: number },
): Int8Array {
  return Int8Array.from({ length: 256 }, (_, p) =>
    quantizeValue(Math.fround(p * pre.scale + pre.offset), quant.scale, quant.zeroPoint),
  );
}
