/**
 * MobileNetV2 on the Arm Linux targets, built with their toolchains and NEON/SDOT kernels and run under
 * qemu-aarch64, gives bytes identical to the int8 reference on every sample photo and a seeded random input: the
 * default model, and builder:mobilenet_v2_0.35_96, the MCU-sized net. The network is cut at its pooled features
 * (1792 or 1280 bytes), which show any difference the saturating softmax would hide; the full model's output is
 * compared on one photo too. The Cortex-M boards: default-model-cortex-m-targets.test.ts.
 */
import { describeDefaultModelOn } from '../support/default-model-on-targets.ts';

describeDefaultModelOn([
  ['rpi4-aarch64', undefined],
  ['rpi5-aarch64', undefined],
  ['android-arm64', undefined],
]);
