/**
 * Pointwise and fully connected layers with int4 weights (issue 24: `quant.bits === 4`, values in [-7, 7]) stored
 * two a byte and run by te_matmul_w4_s8 equal the integer reference exactly: ref's nibble rows on the host, the
 * SMLAD unsigned-lane kernel on the Cortex-M4 (qemu mps2-an386), Helium's 32-k blocks on the Cortex-M55
 * (mps3-an547). Three chains of layers cover the tile boundaries (INT4_MATMUL_CASES), one build each.
 */
import { describeKernelCasesOn, INT4_MATMUL_CASES } from '../support/kernel-cases.ts';

describeKernelCasesOn(
  ['host', 'cortex-m4', 'cortex-m55'],
  '%s int4-weight matmuls equal the integer reference',
  INT4_MATMUL_CASES,
);
