/**
 * @fileoverview Links an android-arm64 project's JNI glue, model and runtime sources (kernels, and the thread pool
 * when the Makefile has it) into libtinyedge_model.so with the aarch64 cross compiler against Android's jni.h
 * (Debian's android-libnativehelper-dev), as the NDK build would; or, with android-jni-harness.c standing in for
 * the JVM, into a static program run under qemu-aarch64: shared by the Android glue tests.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where Debian's android-libnativehelper-dev puts jni.h. */
export const JNI_INCLUDE = '/usr/include/android/nativehelper';

const HARNESS = fileURLToPath(new URL('./android-jni-harness.c', import.meta.url));

/** The flags and sources every build of the glue compiles: the glue, the model, and the runtime the Makefile lists. */
function glueBuild(dir: string): string[] {
  const runtime = readFileSync(join(dir, 'Makefile'), 'utf8').match(/tinyedge\/(kernels|threads)\/[\w/-]+\.o/g)!;
  return [
    ...['-pthread', '-std=c99', '-O2', '-march=armv8.2-a+dotprod', '-Wall', '-Wextra', '-Werror'],
    ...[`-I${JNI_INCLUDE}`, '-I.', '-Itinyedge/include', 'android/tinyedge_jni.c', 'model.c', 'model_weights.c'],
    ...runtime.map((o) => o.replace(/\.o$/, '.c')),
  ];
}

/** Links the library in `dir` (-Wall -Wextra -Werror); the compiler's status and stderr, and the dynamic symbols it defines. */
export function linkJniLibrary(dir: string): { status: number | null; stderr: string; symbols: string } {
  const r = spawnSync('aarch64-linux-gnu-gcc', ['-shared', '-fPIC', ...glueBuild(dir), '-o', 'libtinyedge_model.so'], {
    cwd: dir,
    encoding: 'utf8',
  });
  const symbols = spawnSync('aarch64-linux-gnu-nm', ['-D', '--defined-only', 'libtinyedge_model.so'], {
    cwd: dir,
    encoding: 'utf8',
  }).stdout;
  return { status: r.status, stderr: r.stderr, symbols };
}

/**
 * Runs the glue on int8 `input` as the JVM would (android-jni-harness.c, static, qemu-aarch64 -cpu cortex-a76):
 * nativeRunAll's outputs and nativeRun's output 0, and the lines nativeOutputInfo printed.
 */
export function runJniHarness(dir: string, input: Int8Array): { all: Int8Array[]; first: Int8Array; info: string[] } {
  const build = spawnSync('aarch64-linux-gnu-gcc', ['-static', HARNESS, ...glueBuild(dir), '-o', 'jni-harness'], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`the JNI harness did not build:\n${build.stderr}`);
  writeFileSync(join(dir, 'jni-input.i8'), input);
  const run = spawnSync('qemu-aarch64', ['-cpu', 'cortex-a76', './jni-harness', 'jni-input.i8', 'jni-output.i8'], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`the JNI harness exited with ${run.status}:\n${run.stdout}${run.stderr}`);
  const info = run.stdout.trim().split('\n');
  const bytes = new Int8Array(readFileSync(join(dir, 'jni-output.i8')));
  const sizes = info.map((line) => Number(/bytes (\d+)/.exec(line)![1]));
  const starts = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
  const all = sizes.map((n, k) => bytes.slice(starts[k], starts[k]! + n));
  return { all, first: bytes.slice(sizes.reduce((a, b) => a + b, 0)), info };
}
