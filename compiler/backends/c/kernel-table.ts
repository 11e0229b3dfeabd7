/**
 * @fileoverview The C kernel folders of runtime/c/kernels as data: which op families each ISA folder implements
 * and the weight layout its matmul reads. A target lists folders in order of preference (`["arm-dotprod",
 * "arm-neon", "ref"]`); each family comes from the first folder that has it. Naming a folder that does not exist,
 * or leaving a family with no folder, is an error, never a silent fallback.
 */

import { TinyedgeError } from '../../errors.ts';
import { type Graph, type Node, tensorOf } from '../../ir/graph.ts';
import type { DType } from '../../ir/tensor.ts';
import { isPointwiseConv } from '../../quantize/prepare/prepare-int8.ts';

/**
 * The kernel source files, one per op family (`<folder>/<family>.c`). 'int16' holds the 16×8 kernels (int16
 * activations) of the elementwise, pooling and softmax families; only ref has it. 'int16_mac' the 16×8 MACs (conv,
 * matmul, depthwise): ref's, or an ISA folder's reading its int16Layouts. 'int16_add' the 16×8 add (ref's, or an ISA folder's).
 * 'selection' and 'transpose' only compare and move elements: each writes its int8 and int16 kernels from one body. 'matmul_w4' holds
 * te_matmul_w4_s8, the pointwise and fully connected layers with int4 weights stored two per byte (isInt4Matmul).
 */
export const KERNEL_FAMILIES = [
  'conv2d',
  'depthwise_conv2d',
  'add',
  'avg_pool',
  'elementwise',
  'softmax',
  'pool',
  'pad',
  'resize',
  'transpose_conv2d',
  'selection',
  'transpose',
  'int16',
  'int16_mac',
  'int16_add',
  'matmul_w4',
] as const;
export type KernelFamily = (typeof KERNEL_FAMILIES)[number];

/**
 * Families only some graphs call, and which: 'int16', 'int16_mac' and 'int16_add' graphs with int16 activations, 'matmul_w4' those with int4-weight
 * matmuls, 'selection' graphs with an ArgMax, a TopK or a max reduction, 'transpose' graphs with a transpose. Other builds leave
 * them out (nothing more to compile or to count as code).
 */
const OPTIONAL_FAMILIES: Partial<Record<KernelFamily, (g: Graph) => boolean>> = {
  int16: (g) => hasInt16Activations(g),
  int16_mac: (g) => hasInt16Activations(g),
  int16_add: (g) => hasInt16Activations(g),
  matmul_w4: (g) => g.nodes.some((n) => isInt4Matmul(g, n)),
  selection: (g) => g.nodes.some((n) => ['arg_max', 'reduce_max', 'top_k_values', 'top_k_indices'].includes(n.op)),
  transpose: (g) => g.nodes.some((n) => n.op === 'transpose'),
};

/** Whether a graph is 16×8: some activation (or constant operand) is int16. */
export function hasInt16Activations(g: Graph): boolean {
  return [...g.tensors.values()].some((t) => t.dtype === 'int16');
}

/**
 * Whether a node runs te_matmul_w4_s8: a pointwise conv or fully connected layer with int8 activations whose filter
 * holds int4 values (`quant.bits === 4`). Other MAC ops with int4 weights keep them one per byte.
 */
export function isInt4Matmul(g: Graph, node: Node): boolean {
  if (node.op !== 'fully_connected' && !(node.op === 'conv2d' && isPointwiseConv(g, node))) return false;
  return tensorOf(g, node.inputs[1]!).quant?.bits === 4 && tensorOf(g, node.outputs[0]!).dtype === 'int8';
}

/** The families a graph's build compiles. */
export function familiesOf(g: Graph): KernelFamily[] {
  return KERNEL_FAMILIES.filter((f) => OPTIONAL_FAMILIES[f]?.(g) ?? true);
}

/** The families of an int8 graph with int8 weights and no optional parts. */
export const INT8_FAMILIES: readonly KernelFamily[] = KERNEL_FAMILIES.filter((f) => !OPTIONAL_FAMILIES[f]);

/**
 * How te_matmul_s8 and te_conv2d_s8 of a folder read weights: 'k-major' [K][out_c] (broadcast x, vectorize along
 * outputs), 'o4-s16-pairs' (Armv7E-M DSP): widened to int16, per group of four output
 * channels (the last zero-padded) and per step of four k (K zero-padded to a multiple of four), per channel the
 * words (w[k], w[k + 2]) and (w[k + 1], w[k + 3]): the pairs SXTB16 makes of four int8 inputs (one pointer walks
 * four channels, two LDM a step, no weight sign-extension; twice the flash of int8), or 'o4-k16' (Helium): out_c
 * zero-padded to a multiple of 8 and K to one of 16, each group of four channels as [K16/16][4 channels][16 k]; the
 * folded bias, multipliers and shifts are padded to the same channel count (MATMUL_CHANNEL_STEP), so the kernels
 * load them as whole vectors. 'o4-interleaved' (Armv7E-M DSP on int8 weights, half the flash of 'o4-s16-pairs'):
 * [out_c][K] with each full group of four output channels stored as [K/4][4 channels][4 k] then its K % 4 tail
 * [4 channels][K % 4], the out_c % 4 last rows as they are. 'o8-k4' (Armv8.2 SDOT by element): out_c zero-padded to
 * a multiple of 8 (the per-channel constants too) and each window row (KW·C k; K for a matrix) to one of 4, each
 * group of eight channels as [K4/4][8][4]: two vectors of four channels' four k per step. 'o4-k2-s16' (Armv7E-M DSP, the 16×8 kernels' weights): per group of four output
 * channels (the last zero-padded) and per pair of k (K zero-padded to even), per channel the word (w[k], w[k + 1]),
 * the pair one LDR reads from an int16 row. 'o8-k4-u8' (x86 VPDPBUSD and its VPMADDWD form): the same
 * arrangement with K padded as a whole, but the kernels read unsigned inputs (x + 128), so the folded bias also holds −128·Σw.
 *
 * The int4 layouts of te_matmul_w4_s8 (weights in [-7, 7], two per byte): 'nibble-rows' (the IR convention, ref):
 * [out_c][ceil(K/2)] bytes, k = 2i in the low nibble of byte i, 2i + 1 in the high, two's complement.
 * 'o4-k4-u4-lanes' (Armv7E-M DSP): out_c zero-padded to a multiple of four, K to one of four; per group of four
 * channels and step of four k two words, each two channels' nibbles stored as w + 8 (0..15) and ordered so that
 * (word >> 4j) & 0x000F000F is an SMLAD-ready pair of halfwords: (k, k + 2) then (k + 1, k + 3) of the first
 * channel, then the second's; the kernel subtracts 8·Σx per row. 'o4-k32-nibbles' (Helium, AArch64 NEON): out_c zero-padded to a
 * multiple of four (the per-channel constants too), K to one of 32; per group of four channels [K32/32][4][16]
 * bytes, byte j of a block holding k = j (low nibble) and k = 16 + j (high), two's complement, so two shifts give
 * sixteen sign-extended int8 lanes that line up with sixteen consecutive inputs (arm-neon reads it too).
 */
export type MatmulLayout =
  | 'k-major'
  | 'o4-s16-pairs'
  | 'o4-k2-s16'
  | 'o4-interleaved'
  | 'o4-k16'
  | 'o8-k4'
  | 'o8-k4-u8'
  | 'nibble-rows'
  | 'o4-k4-u4-lanes'
  | 'o4-k32-nibbles';

/** The multiple a layout pads out_c (and the per-channel constants) to; 1: no padding. */
export const MATMUL_CHANNEL_STEP: Readonly<Record<MatmulLayout, number>> = {
  'k-major': 1,
  'o4-s16-pairs': 1,
  'o4-k2-s16': 1,
  'o4-interleaved': 1,
  'o4-k16': 8,
  'o8-k4': 8,
  'o8-k4-u8': 8,
  'nibble-rows': 1,
  'o4-k4-u4-lanes': 1,
  'o4-k32-nibbles': 4,
};

/**
 * How te_depthwise_conv2d_s8 reads its filter (and bias): [KH][KW][C·M] int8; 'c8-fold3x3': for the layers
 * depthwiseBiasFolded accepts (arm-mve's 3 × 3 multiplier-1 path, whose padded taps read zero points), per group of
 * eight channels (the last zero-padded) the nine taps' eight weights, [C/8][9][8], and the bias + input_offset·Σw,
 * other layers as 'hwc'; or 'c4-int16': int16, per group of four output channels (the last zero-padded) and per tap,
 * the words (w[c], w[c + 2]) and (w[c + 1], w[c + 3]), the pairs SXTB16 makes of four int8 inputs.
 */
export type DepthwiseLayout = 'hwc' | 'c8-fold3x3' | 'c4-int16';

/** Whether `layout` lays out a depthwise layer as 'c8-fold3x3' (else as 'hwc'): kernels/arm-mve/depthwise_conv2d.c's te_dw3_folds. */
export function depthwiseBiasFolded(
  layout: DepthwiseLayout,
  kh: number,
  kw: number,
  multiplier: number,
  c: number,
): boolean {
  return layout === 'c8-fold3x3' && kh === 3 && kw === 3 && multiplier === 1 && c <= 512;
}

/**
 * The requantization constants of a MAC kernel: TFLite's per-channel (multiplier, shift) arrays, or 'smmul': for a
 * layer whose every multiplier is ≥ 2^30 with shift in −31..−1, or 0 (a dead channel: (0, 0)), pairs
 * (2M − 2^32, −2^(32+shift)) in `multipliers` and `shifts` NULL (kernels/internal/armv7em_dsp.h); other layers keep
 * TFLite's arrays.
 */
export type RequantLayout = 'tflite' | 'smmul';

/** A folder's te_matmul_pairs_s8: the weight layout it reads, and the smallest K it is called for. */
export interface PairsKernel {
  layout: MatmulLayout;
  minK: number;
}

/** The filter layouts of a folder's 16×8 MAC kernels (family int16_mac). */
export interface Int16MacLayouts {
  matmul: MatmulLayout;
  depthwise: DepthwiseLayout;
  /**
   * Whether it has te_conv2d_patch_s16: two windows at a time gathered whole into scratch (two int16 rows of K
   * padded to a multiple of four: rowPairsScratchBytes), so every K runs the two-window MAC step.
   */
  convPatch?: boolean;
}

/** One kernel folder. */
export interface KernelFolder {
  /** What the folder's kernels use. */
  isa: string;
  families: readonly KernelFamily[];
  /** The layout of its conv2d family (when it has one). */
  matmulLayout?: MatmulLayout;
  /** The int4 layout its matmul_w4 family reads (when it has one). */
  matmulW4Layout?: MatmulLayout;
  /** When its conv2d family has te_matmul_pairs_s8 (every weight in [-127, 127]): what it reads and where it pays. */
  pairs?: PairsKernel;
  /**
   * Whether its conv2d family has te_matmul_row_pairs_s8 (same layout as its te_matmul_s8): two rows at a time from
   * an int16 copy of both in scratch, 16·ceil(K/4) bytes (rowPairsScratchBytes), and te_conv2d_row_pairs_s8, two
   * windows at a time with that much more patch; the renderer calls them only where the plan gave that scratch.
   */
  rowPairs?: boolean;
  /** The filter layouts its int16_mac family reads (te_matmul_s16 and te_conv2d_s16, te_depthwise_conv2d_s16); ref's when absent. */
  int16Layouts?: Int16MacLayouts;
  /** The filter layout of its depthwise_conv2d family; 'hwc' when absent. */
  depthwiseLayout?: DepthwiseLayout;
  /** The requantization constants its MAC kernels read; 'tflite' when absent. */
  requantize?: RequantLayout;
  /**
   * C macros the compiler must define for the folder's instructions (`__AVX2__`): on a target whose arch is
   * 'native' the folder is kept only when `cc <cflags> -dM -E` defines them all (targets/native-macros.ts).
   */
  needs?: readonly string[];
}

export const KERNEL_FOLDERS: Record<string, KernelFolder> = {
  ref: {
    isa: 'portable C99 (compilers vectorize the loops)',
    families: KERNEL_FAMILIES,
    matmulLayout: 'k-major',
    matmulW4Layout: 'nibble-rows',
  },
  'arm-neon': {
    isa: 'AArch64 Advanced SIMD: SMLAL by element on int16-widened 4 rows × 16 channel tiles, SMULL/SMLAL2/SADALP along k on 2 rows × 8 channel tiles, vmlal_s16 depthwise, VQRDMULH add, SADDW mean, row-copy pad, int4 weights unpacked by SHL/SSHR into SMULL/SADALP, 16×8 MACs by SMLAL/SMLAL2 on SXTL-widened weights in int32 chunks of 508 k',
    families: ['conv2d', 'depthwise_conv2d', 'add', 'avg_pool', 'pool', 'pad', 'softmax', 'matmul_w4', 'int16_mac'],
    matmulLayout: 'k-major',
    matmulW4Layout: 'o4-k32-nibbles',
    // The reference's weights: SXTL widens eight channels' a k (arm-neon/int16_mac.c).
    int16Layouts: { matmul: 'k-major', depthwise: 'hwc' },
    // Below K = 32 the padding of K to 16 and the per-channel reductions cost more than the k-major tiles save.
    pairs: { layout: 'o4-k16', minK: 32 },
    needs: ['__aarch64__', '__ARM_NEON'],
  },
  'arm-dotprod': {
    isa: 'Armv8.2-A dot product: SDOT by element on 4 rows × 16 channel tiles, windows read in place, 16 MACs per instruction',
    families: ['conv2d'],
    matmulLayout: 'o8-k4',
    needs: ['__aarch64__', '__ARM_FEATURE_DOTPROD'],
  },
  'cortex-m-dsp': {
    isa: 'Armv7E-M DSP: SMLAD on SXTB16-unpacked pairs, 2 MACs per instruction, two rows (or windows) × four channels a step from int16 copies; SMMLAR/SMMLSR requantization (also in add); SXTAB16 sums in average pooling; int4 weights as AND-masked halfword lanes; 16×8 MACs by SMLAD on int16 inputs read in pairs, two rows (or windows) × four channels a step, in int32 chunks of 511 k; 16×8 add two elements a word (SMMULR on halfwords, PKHBT)',
    families: ['conv2d', 'depthwise_conv2d', 'add', 'avg_pool', 'matmul_w4', 'int16_mac', 'int16_add'],
    matmulLayout: 'o4-s16-pairs',
    matmulW4Layout: 'o4-k4-u4-lanes',
    depthwiseLayout: 'c4-int16',
    // An int16 row's LDR is the pair (x[k], x[k + 1]) its 'o4-k2-s16' weights are stored against
    // (cortex-m-dsp/int16_mac.c).
    int16Layouts: { matmul: 'o4-k2-s16', depthwise: 'c4-int16', convPatch: true },
    requantize: 'smmul',
    rowPairs: true,
  },
  'cortex-m-dsp-int8w': {
    isa: 'Armv7E-M DSP on int8 weights: SMLAD on SXTB16-unpacked pairs of x and weights (half the weight flash of cortex-m-dsp)',
    families: ['conv2d'],
    matmulLayout: 'o4-interleaved',
    requantize: 'smmul',
  },
  'arm-mve': {
    isa: 'Armv8.1-M Helium (MVE): vmladavaq_s8 and vmlaq_s32; int4 weights unpacked by VSHL/VSHR; 16×8 MACs by VMLALDAVA.S16 on VLDRB.S16-widened weights (8 MACs into int64), VMULLB/VMULLT depthwise, VRMULH requantization',
    families: ['conv2d', 'depthwise_conv2d', 'add', 'avg_pool', 'matmul_w4', 'int16_mac'],
    matmulLayout: 'o4-k16',
    matmulW4Layout: 'o4-k32-nibbles',
    depthwiseLayout: 'c8-fold3x3',
    // The int8 kernels' weights: VLDRB.S16 widens them as it loads (arm-mve/int16_mac.c), no int16 copy in flash.
    int16Layouts: { matmul: 'o4-k16', depthwise: 'hwc' },
  },
  'x86-avx2': {
    isa: 'x86-64 AVX2: VPMADDWD on 16-bit halves of unsigned inputs and weights, VPMADDWD depthwise (even and odd channel weights), 8-lane add',
    families: ['conv2d', 'depthwise_conv2d', 'add'],
    matmulLayout: 'o8-k4-u8',
    needs: ['__AVX2__'],
  },
  'x86-avx512vnni': {
    isa: 'x86-64 AVX-512 VNNI: EVEX VPDPBUSD on 256-bit vectors, 32 registers for tiles of eight rows',
    families: ['conv2d'],
    matmulLayout: 'o8-k4-u8',
    needs: ['__AVX2__', '__AVX512VL__', '__AVX512VNNI__'],
  },
  'x86-avxvnni': {
    isa: 'x86-64 AVX-VNNI: VPDPBUSD, 32 MACs per instruction',
    families: ['conv2d'],
    matmulLayout: 'o8-k4-u8',
    needs: ['__AVX2__', '__AVXVNNI__'],
  },
};

/** The folder of each family for a target's ordered preference. */
export type KernelChoice = Record<KernelFamily, string>;

/**
 * Resolves a target's kernel preference, failing on an unknown folder or a family none of them has. `macros`: for a
 * 'native' target, what its compiler defines with the build's flags; folders that need others are passed over.
 */
export function chooseKernels(
  preference: readonly string[],
  target: string,
  macros?: ReadonlySet<string>,
): KernelChoice {
  for (const folder of preference) {
    if (!KERNEL_FOLDERS[folder])
      throw new TinyedgeError(
        'TE501',
        `target '${target}' asks for kernels '${folder}', which tinyedge does not have (known: ${Object.keys(KERNEL_FOLDERS).join(', ')})`,
      );
  }
  const usable = preference.filter((f) => !macros || (KERNEL_FOLDERS[f]!.needs ?? []).every((m) => macros.has(m)));
  const choice = {} as KernelChoice;
  for (const family of KERNEL_FAMILIES) {
    const folder = usable.find((f) => KERNEL_FOLDERS[f]!.families.includes(family));
    if (!folder)
      throw new TinyedgeError(
        'TE401',
        `target '${target}': none of its kernel folders (${preference.join(', ')}) implements ${family}; add 'ref' last`,
      );
    choice[family] = folder;
  }
  return choice;
}

/** The compile-time data layouts the chosen MAC kernels read. */
export interface KernelLayouts {
  matmul: MatmulLayout;
  /** te_matmul_pairs_s8, when the conv2d folder has it. */
  pairs?: PairsKernel;
  /** Whether the conv2d folder has te_matmul_row_pairs_s8. */
  rowPairs?: boolean;
  depthwise: DepthwiseLayout;
  /** What te_matmul_w4_s8 (matmul_w4 family) reads. */
  matmulW4: MatmulLayout;
  /** Of te_matmul_s8/te_conv2d_s8 (conv2d family), of te_depthwise_conv2d_s8 and of te_matmul_w4_s8. */
  requantize: { conv2d: RequantLayout; depthwise_conv2d: RequantLayout; matmul_w4: RequantLayout };
  /** What the 16×8 MAC kernels (int16_mac family) read. */
  int16: Int16MacLayouts;
}

/** The scratch of te_matmul_row_pairs_s8 for K inputs: two rows of int16, K padded to a multiple of four. */
export function rowPairsScratchBytes(k: number): number {
  return 16 * Math.ceil(k / 4);
}

/** The reference kernels' layouts. */
export const REF_LAYOUTS: KernelLayouts = {
  matmul: 'k-major',
  depthwise: 'hwc',
  matmulW4: 'nibble-rows',
  requantize: { conv2d: 'tflite', depthwise_conv2d: 'tflite', matmul_w4: 'tflite' },
  int16: { matmul: 'k-major', depthwise: 'hwc' },
};

/** The kernels of one activation type: their C element type, their name suffix, and the layouts they read (none: the target's). */
export interface ActivationKernels {
  cType: 'int8_t' | 'int16_t';
  suffix: 's8' | 's16';
  layouts?: KernelLayouts;
}

/**
 * int8 nodes call the target's chosen kernels; int16 nodes (16×8) ref's requantization, with the filter layouts of
 * the chosen int16_mac folder (KernelLayouts.int16).
 */
const ACTIVATION_KERNELS: Readonly<Record<'int8' | 'int16', ActivationKernels>> = {
  int8: { cType: 'int8_t', suffix: 's8' },
  int16: { cType: 'int16_t', suffix: 's16', layouts: REF_LAYOUTS },
};

/** The kernels of an activation tensor's dtype. */
export function activationKernels(dtype: DType): ActivationKernels {
  if (dtype !== 'int8' && dtype !== 'int16')
    throw new TinyedgeError('TE401', `the C backend takes int8 or int16 activations, not ${dtype}`);
  return ACTIVATION_KERNELS[dtype];
}

/** The C element type of a model output: an activation's, or int32_t for indices (ArgMax). */
export function outputCType(dtype: DType): 'int8_t' | 'int16_t' | 'int32_t' {
  return dtype === 'int32' ? 'int32_t' : activationKernels(dtype).cType;
}

/** The layouts of a target's chosen kernel folders. */
export function kernelLayoutsOf(choice: KernelChoice): KernelLayouts {
  const conv = KERNEL_FOLDERS[choice.conv2d]!;
  const dw = KERNEL_FOLDERS[choice.depthwise_conv2d]!;
  const w4 = KERNEL_FOLDERS[choice.matmul_w4]!;
  return {
    matmul: conv.matmulLayout ?? 'k-major',
    ...(conv.pairs && { pairs: conv.pairs }),
    ...(conv.rowPairs && { rowPairs: true }),
    depthwise: dw.depthwiseLayout ?? 'hwc',
    matmulW4: w4.matmulW4Layout ?? 'nibble-rows',
    int16: KERNEL_FOLDERS[choice.int16_mac]!.int16Layouts ?? REF_LAYOUTS.int16,
    requantize: {
      conv2d: conv.requantize ?? 'tflite',
      depthwise_conv2d: dw.requantize ?? 'tflite',
      matmul_w4: w4.requantize ?? 'tflite',
    },
  };
}

/**
 * The choice with int8-weight convolutions where the chosen ones widen weights to int16 ('o4-s16-pairs', twice the
 * flash), for a model that would not fit its part's flash otherwise; the choice itself when there is no such folder.
 */
export function withInt8Weights(choice: KernelChoice): KernelChoice {
  return choice.conv2d === 'cortex-m-dsp' ? { ...choice, conv2d: 'cortex-m-dsp-int8w' } : choice;
}
