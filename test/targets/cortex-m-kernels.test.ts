/**
 * Every kernel case (test/support/kernel-cases.ts) cross-compiled for the Cortex-M targets, linked with their
 * startup and board linker script, and run on qemu's boards through semihosting equals the int8 reference exactly:
 * SMLAD/SXTB16 kernels on the Cortex-M4 (mps2-an386) and M7 (mps2-an500), Helium on the Cortex-M55 (mps3-an547).
 * The M7 builds the M4's sources with its own flags, so it runs a subset of the cases (twinCases). All three run the
 * window kernels on bands of rows as rings and patch cells call them (test/support/band-cases.ts).
 * A representative subset of the 16×8 cases (KERNEL_CASES_16X8_CROSS) checks the int16 kernels each target runs (ref,
 * on the M4/M7 the SMLAD 16×8 MACs of cortex-m-dsp/int16_mac.c, on the M55 Helium's arm-mve/int16_mac.c), which
 * KERNEL_CASES_16X8_DSP takes to their tile boundaries (K % 16 tails for Helium too) and past the 508 k of one int32
 * chunk; KERNEL_CASES_16X8_ADD_DSP the M4/M7's 16×8 add (cortex-m-dsp/int16_add.c), two elements a word.
 * The int8-weight convolutions a model takes when its int16 weight pairs would not fit the part's flash
 * (kernels/cortex-m-dsp-int8w) run the conv and matmul cases on the Cortex-M4. A mixed-precision graph (int8, 16×8
 * and int4w layers with requantizes between them) runs on the Cortex-M4 and M55.
 */
import { describeBandCasesOn } from '../support/band-cases.ts';
import {
  describeKernelCasesOn,
  KERNEL_CASES,
  KERNEL_CASES_16X8_ADD_DSP,
  KERNEL_CASES_16X8_CROSS,
  KERNEL_CASES_16X8_DSP,
  twinCases,
} from '../support/kernel-cases.ts';
import { MIXED_CASE } from '../support/mixed-precision-graph.ts';

describeKernelCasesOn(['cortex-m4', 'cortex-m55'], '%s kernels on its qemu board equal the int8 reference');
describeKernelCasesOn(
  ['cortex-m7'],
  "%s kernels on its qemu board equal the int8 reference (cortex-m4's, so a subset: twinCases)",
  twinCases(KERNEL_CASES),
);
describeBandCasesOn(
  ['cortex-m4', 'cortex-m7', 'cortex-m55'],
  '%s window kernels on bands of rows (as rings and patch cells call them) and in place equal the int8 reference',
);
describeKernelCasesOn(
  ['cortex-m4', 'cortex-m55', 'cortex-m7'],
  '%s 16×8 kernels on its qemu board equal the integer reference',
  KERNEL_CASES_16X8_CROSS,
);
describeKernelCasesOn(
  ['cortex-m4'],
  '%s 16×8 SMLAD MAC kernels (cortex-m-dsp/int16_mac.c) at their tile boundaries equal the integer reference',
  KERNEL_CASES_16X8_DSP,
);
describeKernelCasesOn(
  ['cortex-m7'],
  "%s 16×8 SMLAD MAC kernels (cortex-m-dsp/int16_mac.c) equal the integer reference (cortex-m4's: twinCases)",
  twinCases(KERNEL_CASES_16X8_DSP),
);
describeKernelCasesOn(
  ['cortex-m4', 'cortex-m7'],
  '%s 16×8 add (cortex-m-dsp/int16_add.c) equals the integer reference',
  KERNEL_CASES_16X8_ADD_DSP,
);
describeKernelCasesOn(
  ['cortex-m55'],
  '%s 16×8 Helium MAC kernels (arm-mve/int16_mac.c) at their tile boundaries equal the integer reference',
  KERNEL_CASES_16X8_DSP,
);
describeKernelCasesOn(
  ['cortex-m4'],
  '%s int8-weight convolutions (cortex-m-dsp-int8w) equal the int8 reference',
  KERNEL_CASES.filter((c) => /conv2d|pointwise|fully connected/.test(c.name)),
  ['cortex-m-dsp-int8w', 'cortex-m-dsp', 'ref'],
);
describeKernelCasesOn(['cortex-m4', 'cortex-m55'], '%s runs a mixed-precision graph as the integer reference does', [
  MIXED_CASE,
]);
