/**
 * @fileoverview The C kernel folders of runtime/c/kernels as data: which op families each ISA folder implements
 * and the weight layout its matmul reads. A target lists folders in order of preference (`["arm-dotprod",
 * "arm-neon", "ref"]`); each family comes from the first folder that has it. Naming a folder that does not exist,
 * or leaving a family with no folder, is an error, never a silent fallback.
 */
import { TinyedgeError } from '../../errors.ts';

/** The kernel source files, one per op family (`<folder>/<family>.c`). */
export const KERNEL_FAMILIES = ['conv2d', 'depthwise_conv2d', 'elementwise', 'pool', 'pad'] as const;
export type KernelFamily = (typeof KERNEL_FAMILIES)[number];

/** How te_matmul_s8 and te_conv2d_s8 of a folder read weights: [K][out_c] (broadcast x, vectorize along outputs) or [out_c][K] (dot products along K). */
export type MatmulLayout = 'k-major' | 'o-major';

/** One kernel folder. */
export interface KernelFolder {
  /** What the folder's kernels use. */
  isa: string;
  families: readonly KernelFamily[];
  /** The layout of its conv2d family (when it has one). */
  matmulLayout?: MatmulLayout;
}

export const KERNEL_FOLDERS: Record<string, KernelFolder> = {
  ref: { isa: 'portable C99 (compilers vectorize the loops)', families: KERNEL_FAMILIES, matmulLayout: 'k-major' },
  'arm-neon': { isa: 'AArch64 Advanced SIMD: vmull_s8/vpadalq_s16 dot products, vmlal_s16 depthwise', families: ['conv2d', 'depthwise_conv2d'], matmulLayout: 'o-major' },
  'arm-dotprod': { isa: 'Armv8.2-A dot product: vdotq_s32, 16 MACs per instruction', families: ['conv2d'], matmulLayout: 'o-major' },
  'cortex-m-dsp': { isa: 'Armv7E-M DSP: SMLAD on SXTB16-unpacked pairs, 2 MACs per instruction', families: ['conv2d', 'depthwise_conv2d'], matmulLayout: 'o-major' },
  'arm-mve': { isa: 'Armv8.1-M Helium (MVE): vmladavaq_s8 and vmlaq_s32', families: ['conv2d', 'depthwise_conv2d'], matmulLayout: 'o-major' },
};

/** The folder of each family for a target's ordered preference. */
export type KernelChoice = Record<KernelFamily, string>;

/** Resolves a target's kernel preference, failing on an unknown folder or a family none of them has. */
export function chooseKernels(preference: readonly string[], target: string): KernelChoice {
  for (const folder of preference) {
    if (!KERNEL_FOLDERS[folder]) throw new TinyedgeError(`target '${target}' asks for kernels '${folder}', which tinyedge does not have (known: ${Object.keys(KERNEL_FOLDERS).join(', ')})`);
  }
  const choice = {} as KernelChoice;
  for (const family of KERNEL_FAMILIES) {
    const folder = preference.find((f) => KERNEL_FOLDERS[f].families.includes(family));
    if (!folder) throw new TinyedgeError(`target '${target}': none of its kernel folders (${preference.join(', ')}) implements ${family}; add 'ref' last`);
    choice[family] = folder;
  }
  return choice;
}

/** The weight layout the chosen conv2d family reads. */
export function matmulLayoutOf(choice: KernelChoice): MatmulLayout {
  return KERNEL_FOLDERS[choice.conv2d].matmulLayout ?? 'k-major';
}
