/**
 * Every kernel case (test/support/kernel-cases.ts: tile boundaries, strides, padding, clamps, requantization
 * extremes, every op) cross-compiled for the Arm Linux targets and run under qemu-aarch64 equals the int8
 * reference exactly: NEON on the Cortex-A72 (rpi4-aarch64), SDOT with NEON on the Cortex-A76 (rpi5-aarch64,
 * android-arm64).
 */
import { describeKernelCasesOn } from '../support/kernel-cases.ts';

describeKernelCasesOn(['rpi4-aarch64', 'rpi5-aarch64', 'android-arm64'], '%s kernels under qemu equal the int8 reference');
