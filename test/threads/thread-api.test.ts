/**
 * How a model compiled for several threads is exposed: --threads is checked (a whole number from 1 to 64, above 1
 * only on the hosted C targets and wasm32); the Android glue of such a model links with the pool into a shared library and
 * gives the Kotlin class setThreads; the NDK CMakeLists.txt builds the pool.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBenchRequest } from '../../compiler/api/bench-request.ts';
import { checkThreads } from '../../compiler/compile/compile-model.ts';
import { loadTarget } from '../../targets/target.ts';
import { linkJniLibrary } from '../support/android-jni.ts';
import { buildC } from '../support/c-build.ts';
import { quantizeCase } from '../support/kernel-case.ts';
import { KERNEL_CASES } from '../support/kernel-cases.ts';

describe('--threads', () => {
  it('takes 1 to 64 on the hosted C targets and wasm32, only 1 elsewhere', () => {
    for (const t of ['host', 'rpi4-aarch64', 'rpi5-aarch64', 'android-arm64', 'wasm32'])
      expect(checkThreads(loadTarget(t), 4, 'm')).toBe(4);
    for (const t of ['cortex-m4', 'cortex-m55']) {
      expect(checkThreads(loadTarget(t), 1, 'm')).toBe(1);
      expect(() => checkThreads(loadTarget(t), 2, 'm')).toThrow(/TE502|no threads/);
    }
    for (const bad of [0, 65, 1.5, Number.NaN])
      expect(() => checkThreads(loadTarget('host'), bad, 'm')).toThrow(/whole number from 1 to 64/);
  });

  it('bench takes it with --target host only, before loading the model', async () => {
    const request = (target: string, threads: string) => checkBenchRequest({ model: 'x', target, runs: '1', threads });
    await expect(request('wasm32', '2')).rejects.toThrow(/--threads needs --target host/);
    await expect(request('host', '0')).rejects.toThrow(/--threads must be a whole number from 1 to 64/);
  });
});

describe('android-arm64 compiled for 2 threads: JNI glue, Kotlin class, NDK CMakeLists.txt', () => {
  const c = KERNEL_CASES.find((k) => k.name.startsWith('pointwise')) as (typeof KERNEL_CASES)[number];
  const { q } = quantizeCase(c.graph(), c.seed);
  const { dir } = buildC(q, loadTarget('android-arm64'), undefined, undefined, 2);

  it('the glue, the model and the pool link into libtinyedge_model.so, exporting nativeSetThreads', () => {
    const { status, stderr, symbols } = linkJniLibrary(dir);
    expect(status, stderr).toBe(0);
    expect(symbols).toContain('Java_dev_tinyedge_TinyedgeModel_nativeSetThreads');
  });

  it('TinyedgeModel.kt has setThreads, and every external fun its JNI function', () => {
    const kotlin = readFileSync(join(dir, 'android', 'TinyedgeModel.kt'), 'utf8');
    const glue = readFileSync(join(dir, 'android', 'tinyedge_jni.c'), 'utf8');
    expect(kotlin).toContain('fun setThreads(n: Int): Int');
    const externals = [...kotlin.matchAll(/external fun (\w+)/g)].map((m) => m[1]!);
    expect(externals).toContain('nativeSetThreads');
    for (const name of externals) expect(glue).toContain(`Java_dev_tinyedge_TinyedgeModel_${name}(`);
  });

  it('the NDK CMakeLists.txt builds the pool from a source that exists', () => {
    const cmake = readFileSync(join(dir, 'android', 'CMakeLists.txt'), 'utf8');
    expect(cmake).toContain('tinyedge/threads/pool.c');
    expect(existsSync(join(dir, 'tinyedge/threads/pool.c'))).toBe(true);
  });
});
