/**
 * @fileoverview Links an android-arm64 project's JNI glue, model and runtime sources (kernels, and the thread pool
 * when the Makefile has it) into libtinyedge_model.so with the aarch64 cross compiler against Android's jni.h
 * (Debian's android-libnativehelper-dev), as the NDK build would: shared by the Android glue tests.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where Debian's android-libnativehelper-dev puts jni.h. */
export const JNI_INCLUDE = '/usr/include/android/nativehelper';

/** Links the library in `dir` (-Wall -Wextra -Werror); the compiler's status and stderr, and the dynamic symbols it defines. */
export function linkJniLibrary(dir: string): { status: number | null; stderr: string; symbols: string } {
  const runtime = readFileSync(join(dir, 'Makefile'), 'utf8').match(/tinyedge\/(kernels|threads)\/[\w/-]+\.o/g)!;
  const r = spawnSync(
    'aarch64-linux-gnu-gcc',
    [
      ...['-shared', '-fPIC', '-pthread', '-std=c99', '-O2', '-march=armv8.2-a+dotprod', '-Wall', '-Wextra', '-Werror'],
      ...[`-I${JNI_INCLUDE}`, '-I.', '-Itinyedge/include', 'android/tinyedge_jni.c', 'model.c', 'model_weights.c'],
      ...runtime.map((o) => o.replace(/\.o$/, '.c')),
      ...['-o', 'libtinyedge_model.so'],
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  const symbols = spawnSync('aarch64-linux-gnu-nm', ['-D', '--defined-only', 'libtinyedge_model.so'], {
    cwd: dir,
    encoding: 'utf8',
  }).stdout;
  return { status: r.status, stderr: r.stderr, symbols };
}
