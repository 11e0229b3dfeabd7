/**
 * Every C kernel equals the TypeScript int8 reference exactly on the shared kernel cases (tile boundaries,
 * strides, padding, clamps, every op; see test/support/kernel-cases.ts). Each graph is built with
 * gcc -std=c99 -Wall -Wextra -Werror -pedantic, so the generated code and the runtime compile clean.
 */
import { describeKernelCasesOn } from '../support/kernel-cases.ts';

describeKernelCasesOn(['host'], 'C kernels (%s: gcc -Wall -Wextra -Werror -pedantic) equal the int8 reference');
