/**
 * Every kernel case (test/support/kernel-cases.ts: tile boundaries, strides, padding, clamps, requantization
 * extremes, every op) cross-compiled for the Arm Linux targets and run under qemu-aarch64 equals the int8
 * reference exactly: NEON on the Cortex-A72 (rpi4-aarch64), SDOT with NEON on the Cortex-A76 (rpi5-aarch64,
 * android-arm64; android-arm64 builds rpi5-aarch64's sources with its own flags, so it runs a subset of the cases:
 * twinCases); the Cortex-A72 and A76 run the window kernels on bands of rows as rings and patch cells call them
 * (test/support/band-cases.ts). A representative subset of the 16×8 cases (KERNEL_CASES_16X8_CROSS) checks the int16 kernels each
 * target runs (NEON's 16×8 MACs, arm-neon/int16_mac.c, and ref's elementwise ones), which KERNEL_CASES_16X8_DSP
 * takes on the Cortex-A72 to their tile boundaries (out_c % 8 tails) and past one int32 chunk of 508 k.
 */
import { describeBandCasesOn } from '../support/band-cases.ts';
import {
  describeKernelCasesOn,
  KERNEL_CASES,
  KERNEL_CASES_16X8_CROSS,
  KERNEL_CASES_16X8_DSP,
  twinCases,
} from '../support/kernel-cases.ts';

describeKernelCasesOn(['rpi4-aarch64', 'rpi5-aarch64'], '%s kernels under qemu equal the int8 reference');
describeBandCasesOn(
  ['rpi4-aarch64', 'rpi5-aarch64'],
  '%s window kernels on bands of rows (as rings and patch cells call them) and in place equal the int8 reference',
);
describeKernelCasesOn(
  ['android-arm64'],
  "%s kernels under qemu equal the int8 reference (rpi5-aarch64's, so a subset: twinCases)",
  twinCases(KERNEL_CASES),
);
describeKernelCasesOn(
  ['rpi4-aarch64', 'rpi5-aarch64', 'android-arm64'],
  '%s 16×8 kernels under qemu equal the integer reference',
  KERNEL_CASES_16X8_CROSS,
);
describeKernelCasesOn(
  ['rpi4-aarch64'],
  '%s 16×8 NEON MAC kernels (arm-neon/int16_mac.c) at their tile boundaries equal the integer reference',
  KERNEL_CASES_16X8_DSP,
);
