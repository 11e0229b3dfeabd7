/**
 * MobileNetV2 on the Cortex-M boards, built with arm-none-eabi-gcc and the SMLAD/Helium kernels and run on qemu's
 * boards, gives bytes identical to the int8 reference on every sample photo and a seeded random input: the real
 * nsfwjs:mobilenet_v2 (1.0, 224×224), which the emulated memory holds though the real parts' profiles refuse it,
 * and builder:mobilenet_v2_0.35_96, the MCU-sized net. The network is cut at its pooled features (1280 bytes),
 * which show any difference the saturating softmax would hide; the full model's output is compared on one photo
 * too. The Arm Linux targets: default-model-arm-linux-targets.test.ts.
 */
import { describeDefaultModelOn } from '../support/default-model-on-targets.ts';

describeDefaultModelOn([
  ['cortex-m4', 'nsfwjs:mobilenet_v2'],
  ['cortex-m7', 'nsfwjs:mobilenet_v2'],
  ['cortex-m55', 'nsfwjs:mobilenet_v2'],
]);
