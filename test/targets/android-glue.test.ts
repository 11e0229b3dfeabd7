/**
 * The android-arm64 project's Android parts: the JNI glue compiles and links into a shared library with the
 * aarch64 cross compiler against Android's own jni.h (Debian's android-libnativehelper-dev), every `external fun`
 * of the Kotlin class has its JNI function, and the NDK CMakeLists.txt names sources that exist. The model itself
 * runs as a static aarch64 binary under qemu in the other target tests.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { loadTarget } from '../../targets/target.ts';
import { quantizedSyntheticDetector } from '../detection/synthetic-detector.ts';
import { JNI_INCLUDE, linkJniLibrary, runJniHarness } from '../support/android-jni.ts';
import { buildC, firstDifference } from '../support/c-build.ts';
import { quantizeCase } from '../support/kernel-case.ts';
import { KERNEL_CASES } from '../support/kernel-cases.ts';
import { seededUniform } from '../support/seeded.ts';

describe('android-arm64: JNI glue, Kotlin class and NDK CMakeLists.txt', () => {
  const c = KERNEL_CASES.find((k) => k.name.startsWith('pointwise')) as (typeof KERNEL_CASES)[number];
  const { q } = quantizeCase(c.graph(), c.seed);
  const { dir } = buildC(q, loadTarget('android-arm64'));

  it('the JNI glue and the model link into libtinyedge_model.so with aarch64-linux-gnu-gcc -Wall -Werror', () => {
    expect(existsSync(join(JNI_INCLUDE, 'jni.h')), 'android-libnativehelper-dev is installed').toBe(true);
    const { status, stderr, symbols } = linkJniLibrary(dir);
    expect(status, stderr).toBe(0);
    expect(symbols).toContain('Java_dev_tinyedge_TinyedgeModel_nativeRun');
  });

  it('every external fun of TinyedgeModel.kt has its JNI function', () => {
    const kotlin = readFileSync(join(dir, 'android', 'TinyedgeModel.kt'), 'utf8');
    const glue = readFileSync(join(dir, 'android', 'tinyedge_jni.c'), 'utf8');
    const externals = [...kotlin.matchAll(/external fun (\w+)/g)].map((m) => m[1]!);
    expect(externals.length).toBe(7);
    for (const name of externals) expect(glue).toContain(`Java_dev_tinyedge_TinyedgeModel_${name}(`);
  });

  it('the NDK CMakeLists.txt builds the glue with sources that exist in the project', () => {
    const cmake = readFileSync(join(dir, 'android', 'CMakeLists.txt'), 'utf8');
    const listed = [...cmake.matchAll(/\$\{CMAKE_CURRENT_SOURCE_DIR\}\/\.\.\/(\S+\.c)/g)].map((m) => m[1]!);
    expect(listed.length).toBeGreaterThan(3);
    for (const s of listed) expect(existsSync(join(dir, s)), s).toBe(true);
    expect(cmake).toContain('add_library(tinyedge_model SHARED');
  });
});

describe('android-arm64: the JNI glue returns every output of a two-output model', () => {
  // The synthetic detector's box and score heads as a plain model (no on-device post-processing).
  const { detection: _, ...g } = quantizedSyntheticDetector();
  const { dir } = buildC(g, loadTarget('android-arm64'));

  it('nativeRunAll fills one array per output, nativeOutputInfo describes each, nativeRun gives output 0: equal to the reference', () => {
    const x = Int8Array.from(seededUniform(3, sizeOf(tensorOf(g, g.inputs[0]!).shape), -128, 128), Math.floor);
    const values = runInteger(g, { [g.inputs[0]!]: x });
    const { all, first, info } = runJniHarness(dir, x);
    expect(all).toHaveLength(2);
    for (const [k, name] of g.outputs.entries()) {
      const t = tensorOf(g, name);
      expect(info[k]).toBe(
        `output ${k}: bytes ${sizeOf(t.shape)} scale ${Number(t.quant!.scale[0]!.toPrecision(9))} zero_point ${t.quant!.zeroPoint[0]} element_bytes 1`,
      );
      expect(firstDifference(all[k]!, values.get(name) as Int8Array), name).toBeNull();
    }
    expect(firstDifference(first, all[0]!)).toBeNull();
  });
});
