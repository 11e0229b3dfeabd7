/**
 * @fileoverview Operators of a float .tflite model that only compute constants, folded before import: a DEQUANTIZE of
 * FLOAT16 or int8 weights (the converter's float16 option), and a STRIDED_SLICE of a constant. Each folded
 * operator's output tensor takes stored values in its input's type, which the float importer decodes like any
 * constant, and the operator is skipped. Folding runs in operator order, so chains of them fold too.
 */

import { TinyedgeError, withPlace } from '../../errors.ts';
import { FIELD } from '../../formats/tflite/schema.ts';
import { formatShape, sameShape } from '../../ir/tensor.ts';
import { optionReader } from './op-table.ts';
import type { TfliteModel, TfliteOperator, TfliteTensor } from './read-model.ts';
import { int32Constant, TFLITE_TYPE, typeName } from './tensor-data.ts';

/** Bytes per element of the types a folded constant may have. */
const WIDTH: Record<number, number> = {
  [TFLITE_TYPE.FLOAT32]: 4,
  [TFLITE_TYPE.FLOAT16]: 2,
  [TFLITE_TYPE.INT32]: 4,
  [TFLITE_TYPE.INT8]: 1,
};

const bit = (mask: number, j: number) => ((mask >> j) & 1) === 1;

/** The element indices a strided slice keeps along one axis (TF's rules for masks and negative indices). */
function axisIndices(dim: number, begin: number, end: number, stride: number, masks: [boolean, boolean]): number[] {
  if (stride === 0) throw new TinyedgeError('TE110', 'a stride of 0');
  const clampIndex = (i: number) => (stride > 0 ? Math.min(Math.max(i, 0), dim) : Math.min(Math.max(i, -1), dim - 1));
  const from = masks[0] ? (stride > 0 ? 0 : dim - 1) : clampIndex(begin < 0 ? begin + dim : begin);
  const to = masks[1] ? (stride > 0 ? dim : -1) : clampIndex(end < 0 ? end + dim : end);
  const out: number[] = [];
  for (let i = from; stride > 0 ? i < to : i > to; i += stride) out.push(i);
  return out;
}

/** The output tensor of a STRIDED_SLICE of constant `x`: its shape and sliced bytes. */
function sliceConstant(op: TfliteOperator, x: TfliteTensor, spec: TfliteTensor[]): TfliteTensor {
  const O = FIELD.stridedSliceOptions;
  const option = optionReader(op.options);
  if (option(O.ellipsisMask, 'int32', 0) !== 0 || option(O.newAxisMask, 'int32', 0) !== 0)
    throw new TinyedgeError('TE110', 'STRIDED_SLICE with an ellipsis or a new axis is not supported');
  const [begin, end, strides] = spec.map((t) => Array.from(int32Constant(t)));
  const rank = x.shape.length;
  if (begin!.length !== rank || end!.length !== rank || strides!.length !== rank)
    throw new TinyedgeError('TE110', `begin, end and strides must each have one value per axis of the input (${rank})`);
  if ((x.quant?.scale.length ?? 1) > 1)
    throw new TinyedgeError('TE110', `a slice of '${x.name}', quantized per channel, is not supported`);
  const width = WIDTH[x.type];
  if (width === undefined)
    throw new TinyedgeError('TE112', `a slice of a ${typeName(x.type)} constant is not supported`);
  const [beginMask, endMask, shrink] = [O.beginMask, O.endMask, O.shrinkAxisMask].map((f) => option(f, 'int32', 0));
  const kept = x.shape.map((dim, j) =>
    bit(shrink!, j)
      ? [begin![j]! < 0 ? begin![j]! + dim : begin![j]!]
      : axisIndices(dim, begin![j]!, end![j]!, strides![j]!, [bit(beginMask!, j), bit(endMask!, j)]),
  );
  const strideOf = x.shape.map((_, j) => x.shape.slice(j + 1).reduce((a, b) => a * b, 1));
  let offsets = [0];
  for (let j = 0; j < rank; j++) offsets = offsets.flatMap((o) => kept[j]!.map((i) => o + i * strideOf[j]!));
  const source = x.data as Uint8Array;
  const data = new Uint8Array(offsets.length * width);
  offsets.forEach((o, k) => {
    data.set(source.subarray(o * width, (o + 1) * width), k * width);
  });
  return {
    ...x,
    shape: kept.flatMap((indices, j) => (bit(shrink!, j) ? [] : [indices.length])),
    data,
  };
}

/** The model with its constant-only operators folded, and the indices of the operators to skip. */
export function foldConstantOperators(m: TfliteModel): { model: TfliteModel; skipped: Set<number> } {
  const tensors = [...m.tensors];
  const skipped = new Set<number>();
  const constant = (i: number | undefined) => (i !== undefined && tensors[i]?.data ? tensors[i] : undefined);
  for (const op of m.operators) {
    const x = constant(op.inputs[0]);
    const out = op.outputs[0];
    if (!x || out === undefined) continue;
    const folded = withPlace(
      { node: `operator ${op.index}`, op: op.name },
      (): TfliteTensor | undefined => {
        if (op.name === 'DEQUANTIZE') return x;
        if (op.name !== 'STRIDED_SLICE') return undefined;
        const spec = op.inputs.slice(1, 4).map(constant);
        if (spec.length !== 3 || spec.some((t) => !t)) return undefined;
        const sliced = sliceConstant(op, x, spec as TfliteTensor[]);
        if (!sameShape(sliced.shape, tensors[out]!.shape))
          throw new TinyedgeError(
            'TE106',
            `computes ${formatShape(sliced.shape)} but the file records its output as ${formatShape(tensors[out]!.shape)}`,
          );
        return sliced;
      },
      true,
    );
    if (!folded) continue;
    const { type, data, quant } = folded;
    const { quant: _, ...rest } = tensors[out]!;
    tensors[out] = { ...rest, type, ...(data ? { data } : {}), ...(quant ? { quant } : {}) };
    skipped.add(op.index);
  }
  return { model: { ...m, tensors }, skipped };
}
