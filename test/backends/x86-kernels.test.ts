/**
 * The x86-64 kernel folders (kernels/x86-avx2, kernels/x86-avxvnni, kernels/x86-avx512vnni) on the host: which ones
 * a 'native' build keeps (those whose ISA macros its compiler defines with the build's flags, never one the machine
 * lacks), the AVX2 path on its own (VPMADDWD, without VNNI) on every MAC kernel case, and the matmul row tiles (four
 * rows, or eight with AVX-512) at their boundaries, equal to the int8 reference. The host's default kernel run
 * (c-kernels-match-reference.test.ts) covers the folders this machine's -march=native keeps.
 */
import { describe, expect, it } from 'vitest';
import { chooseKernels } from '../../compiler/backends/c/kernel-table.ts';
import { cBuildOf } from '../../compiler/backends/c/project.ts';
import { predefinedMacros } from '../../targets/native-macros.ts';
import { loadTarget } from '../../targets/target.ts';
import { describeKernelCasesOn, KERNEL_CASES } from '../support/kernel-cases.ts';
import { fullyConnectedCase } from '../support/mac-kernel-cases.ts';

const X86 = ['x86-avxvnni', 'x86-avx2', 'ref'];

describe('a native build keeps the kernel folders its compiler flags allow', () => {
  it('VNNI, AVX2 only, no AVX2', () => {
    const folders = (macros: string[]) => chooseKernels(X86, 'host', new Set(macros));
    expect(folders(['__AVX2__', '__AVXVNNI__'])).toMatchObject({ conv2d: 'x86-avxvnni', depthwise_conv2d: 'x86-avx2' });
    expect(folders(['__AVX2__'])).toMatchObject({ conv2d: 'x86-avx2', add: 'x86-avx2', pool: 'ref' });
    expect(folders(['__ARM_NEON'])).toMatchObject({ conv2d: 'ref', depthwise_conv2d: 'ref' });
  });

  it('AVX-512 VNNI (with VL) comes before AVX-VNNI in the host list', () => {
    const host = loadTarget('host').kernels;
    const avx512 = ['__AVX2__', '__AVXVNNI__', '__AVX512VL__', '__AVX512VNNI__'];
    expect(chooseKernels(host, 'host', new Set(avx512))).toMatchObject({ conv2d: 'x86-avx512vnni' });
    expect(chooseKernels(host, 'host', new Set(avx512.slice(0, 3)))).toMatchObject({ conv2d: 'x86-avxvnni' });
  });

  it('on an aarch64 machine the host keeps the Arm folders: SDOT where the CPU has it, else NEON', () => {
    const host = loadTarget('host').kernels;
    const neon = ['__aarch64__', '__ARM_NEON'];
    expect(chooseKernels(host, 'host', new Set([...neon, '__ARM_FEATURE_DOTPROD']))).toMatchObject({
      conv2d: 'arm-dotprod',
      depthwise_conv2d: 'arm-neon',
    });
    expect(chooseKernels(host, 'host', new Set(neon))).toMatchObject({ conv2d: 'arm-neon', softmax: 'arm-neon' });
    expect(chooseKernels(host, 'host', new Set(['__AVX2__']))).toMatchObject({ conv2d: 'x86-avx2', softmax: 'ref' });
  });

  it('a target that is not native takes its folders as listed', () => {
    expect(chooseKernels(X86, 'some-board').conv2d).toBe('x86-avxvnni');
  });

  it('the host resolves its folders with the build flags (x86-64-v3 has no VNNI; no -march, no AVX2 on x86-64)', () => {
    const host = loadTarget('host');
    const macros = predefinedMacros(host.toolchain!.cc, ['-march=native']);
    expect(cBuildOf(host).kernels.conv2d).toBe(
      macros.has('__AVX512VNNI__') && macros.has('__AVX512VL__')
        ? 'x86-avx512vnni'
        : macros.has('__AVXVNNI__')
          ? 'x86-avxvnni'
          : macros.has('__AVX2__')
            ? 'x86-avx2'
            : 'ref',
    );
    if (predefinedMacros(host.toolchain!.cc, []).has('__x86_64__')) {
      expect(cBuildOf(host, ['-march=x86-64-v3']).kernels.conv2d).toBe('x86-avx2');
      expect(cBuildOf(host, ['-O2']).kernels.conv2d).toBe('ref');
    }
  });
});

/** The kernel cases of the families x86-avx2 implements: convolutions, matrix products, depthwise, requantization. */
const MAC_CASES = KERNEL_CASES.filter((c) => /conv|pointwise|depthwise|fully connected/.test(c.name));
const hasAvx2 = predefinedMacros(loadTarget('host').toolchain!.cc, ['-march=native']).has('__AVX2__');

describe.skipIf(!hasAvx2)('x86-avx2 without VNNI', () => {
  describeKernelCasesOn(['host'], 'x86-avx2 kernels (%s, VPMADDWD) equal the int8 reference', MAC_CASES, [
    'x86-avx2',
    'ref',
  ]);
});

/**
 * Row counts around the matmul tiles: one and two full tiles of eight, and last tiles of one and two rows (the
 * two-row form), four, five and seven rows.
 */
const ROW_TILE_CASES = [
  [24, 20, 8],
  [24, 20, 16],
  [24, 20, 9],
  [33, 17, 10],
  [33, 17, 12],
  [33, 17, 13],
  [40, 40, 15],
].map(([k, o, rows]) => fullyConnectedCase(k!, o!, rows!));
const macros = predefinedMacros(loadTarget('host').toolchain!.cc, ['-march=native']);

describe.skipIf(!hasAvx2)('x86 matmul row tiles', () => {
  describeKernelCasesOn(['host'], 'four-row tiles (x86-avx2, %s) equal the int8 reference', ROW_TILE_CASES, [
    'x86-avx2',
    'ref',
  ]);
});

describe.skipIf(!macros.has('__AVX512VNNI__') || !macros.has('__AVX512VL__'))('x86-avx512vnni', () => {
  describeKernelCasesOn(
    ['host'],
    'eight-row tiles (x86-avx512vnni, %s) equal the int8 reference',
    [...ROW_TILE_CASES, ...MAC_CASES],
    ['x86-avx512vnni', 'x86-avx2', 'ref'],
  );
});
