/**
 * @fileoverview ONNX Resize (opset 11+) and Upsample (opset 9) as the IR's TFLite-semantics resizes. Each of TF's
 * three sampling rules has an ONNX spelling, and only those are taken: nearest with asymmetric coordinates and floor
 * (what torch.onnx.export writes for nn.Upsample(mode='nearest')) is TF's default; tf_half_pixel_for_nn with floor is
 * TF's half_pixel_centers; align_corners with round_prefer_ceil is TF's align_corners (roundf on non-negative
 * coordinates). Linear with asymmetric, half_pixel / pytorch_half_pixel (equal when the output is longer than one)
 * and align_corners are TF's bilinear rules. Anything else (cubic, tf_crop_and_resize, other rounding) is refused.
 */

import { constantOf, fail } from './onnx-node.ts';
import type { OnnxModelRecord, OnnxNodeRecord } from './read-model.ts';

/** The IR resize a node becomes. */
export interface ResizeMapping {
  op: 'resize_nearest' | 'resize_bilinear';
  size: [number, number];
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

function stringAttr(n: OnnxNodeRecord, key: string, byDefault: string): string {
  const v = n.attrs.get(key) ?? byDefault;
  if (typeof v !== 'string') return fail(`attribute '${key}' is not a string`);
  return v;
}

/** The output's H and W from the node's sizes or scales input (both constant; batch and channel scales must be 1). */
function outputSize(n: OnnxNodeRecord, m: OnnxModelRecord, nchw: readonly number[]): [number, number] {
  const [scalesInput, sizesInput] = n.opType === 'Upsample' ? [n.inputs[1], undefined] : [n.inputs[2], n.inputs[3]];
  if (sizesInput) {
    const sizes = Array.from(constantOf(m, sizesInput).data as ArrayLike<number>, Number);
    if (sizes.length !== 4 || sizes[0] !== nchw[0] || sizes[1] !== nchw[1])
      fail(`sizes ${sizes.join('×')} must keep the batch and channels of the ${nchw.join('×')} input`);
    return [sizes[2]!, sizes[3]!];
  }
  if (!scalesInput) return fail('has neither scales nor sizes');
  const scales = Array.from(constantOf(m, scalesInput).data as ArrayLike<number>);
  if (scales.length !== 4 || scales[0] !== 1 || scales[1] !== 1)
    fail(`scales ${scales.join(', ')} must be 1 on the batch and channel axes`);
  return [Math.floor(nchw[2]! * scales[2]!), Math.floor(nchw[3]! * scales[3]!)];
}

/** The IR resize of a Resize or Upsample node over an NCHW input of shape `nchw`. */
export function resizeMapping(n: OnnxNodeRecord, m: OnnxModelRecord, nchw: readonly number[]): ResizeMapping {
  if ((n.attrs.get('antialias') ?? 0) !== 0) fail('antialias = 1 is not supported');
  if (n.attrs.has('axes')) fail("the 'axes' attribute is not supported (give scales or sizes for all four axes)");
  if (stringAttr(n, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch')
    fail('keep_aspect_ratio_policy other than stretch is not supported');
  const size = outputSize(n, m, nchw);
  const mode = stringAttr(n, 'mode', 'nearest');
  // Upsample has no coordinate attribute: its rule is ONNX's asymmetric one.
  const coordinates =
    n.opType === 'Upsample' ? 'asymmetric' : stringAttr(n, 'coordinate_transformation_mode', 'half_pixel');
  const rule = { alignCorners: coordinates === 'align_corners', halfPixelCenters: false };
  if (mode === 'nearest') {
    const rounding = n.opType === 'Upsample' ? 'floor' : stringAttr(n, 'nearest_mode', 'round_prefer_floor');
    const want: Record<string, string> = {
      asymmetric: 'floor',
      tf_half_pixel_for_nn: 'floor',
      align_corners: 'round_prefer_ceil',
    };
    if (want[coordinates] !== rounding)
      fail(
        `nearest resize with ${coordinates} coordinates and ${rounding} rounding has no TFLite form (asymmetric + floor, tf_half_pixel_for_nn + floor, align_corners + round_prefer_ceil)`,
      );
    return { op: 'resize_nearest', size, ...rule, halfPixelCenters: coordinates === 'tf_half_pixel_for_nn' };
  }
  if (mode === 'linear' || mode === 'bilinear') {
    const halfPixel = coordinates === 'half_pixel' || coordinates === 'pytorch_half_pixel';
    if (!halfPixel && coordinates !== 'asymmetric' && coordinates !== 'align_corners')
      fail(`linear resize with ${coordinates} coordinates has no TFLite form (asymmetric, half_pixel, align_corners)`);
    if (coordinates === 'pytorch_half_pixel' && size.some((d) => d === 1))
      fail('pytorch_half_pixel to an output of length 1 differs from half_pixel; TFLite has only the latter');
    return { op: 'resize_bilinear', size, ...rule, halfPixelCenters: halfPixel };
  }
  return fail(`${mode} resize is not supported (nearest, linear)`);
}
