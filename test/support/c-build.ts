/** @fileoverview Builds a quantized graph (int8 or 16×8) with the C backend for a target into a temporary folder (strict warnings) and runs it there. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kernelLayoutsOf } from '../../compiler/backends/c/kernel-table.ts';
import { cBuildOf, cProject } from '../../compiler/backends/c/project.ts';
import { cScratchQuery } from '../../compiler/backends/c/render-nodes.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import type { Activations } from '../../compiler/reference/integer/conv.ts';
import { loadTarget, type Target } from '../../targets/target.ts';
import { buildTemporaryProject, runBuild } from '../../targets/toolchain.ts';

/** The flags the issue asks the runtime and generated code to pass on the host: C99, every warning an error. */
export const STRICT_CFLAGS = ['-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', '-pedantic'];

/** A C build for a target: its folder, the target, and the model's output type. */
export interface CBuilt {
  dir: string;
  target: Target;
  output: 'int8' | 'int16' | 'int32';
}

/**
 * Writes and builds the project for `target` (default host, with STRICT_CFLAGS; others with their flags and
 * -Werror); throws on any warning. `slide: 'every'` plans every convolution that can write over its input to do so;
 * `threads` > 1 compiles the model for that many threads (a thread pool; runC picks how many a run uses);
 * `inPlace` lets convolutions run in place through a ring of output rows (where it helps, or `every` one that can);
 * `edit` changes the project's files before the build (test/support/band-cases.ts calls a kernel on bands).
 */
export function buildC(
  g: Graph,
  target: Target = loadTarget('host'),
  cflags?: string[],
  slide?: 'every',
  threads = 1,
  inPlace: boolean | 'every' = false,
  edit?: (files: Record<string, string>) => void,
): CBuilt {
  const flags = cflags ?? (target.name === 'host' ? STRICT_CFLAGS : [...(target.toolchain?.cflags ?? []), '-Werror']);
  const build = cBuildOf(target, undefined, threads);
  const scratch = cScratchQuery(kernelLayoutsOf(build.kernels));
  const { files } = cProject(g, planMemory(g, scratch, { ...(slide ? { slide } : {}), threads, inPlace }), {
    ...build,
    cflags: flags,
  });
  edit?.(files);
  const output = tensorOf(g, g.outputs[0]!).dtype;
  if (output !== 'int8' && output !== 'int16' && output !== 'int32')
    throw new Error(`internal: the model's output is ${output}`);
  return { dir: buildTemporaryProject(files, target, flags), target, output };
}

/** The little-endian bytes of int8 or int16 values (what the runners read, whatever the host's byte order). */
function littleEndian(x: Activations): Uint8Array {
  if (x instanceof Int8Array) return new Uint8Array(x.buffer, x.byteOffset, x.length);
  const bytes = new DataView(new ArrayBuffer(2 * x.length));
  x.forEach((v, i) => {
    bytes.setInt16(2 * i, v, true);
  });
  return new Uint8Array(bytes.buffer);
}

/** Runs the built model on one input (on its target: natively or under qemu; on `threads` threads if it was built for several) and returns its output, int8, int16 or int32 (ArgMax) as the model's. */
export function runC(built: CBuilt, x: Activations, threads?: number): Activations | Int32Array {
  const input = join(built.dir, 'input.i8');
  const output = join(built.dir, 'output.i8');
  writeFileSync(input, littleEndian(x));
  runBuild(built.dir, built.target, input, output, 1, undefined, threads);
  const bytes = readFileSync(output);
  if (built.output === 'int8') return new Int8Array(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (built.output === 'int32')
    return Int32Array.from({ length: bytes.length / 4 }, (_, i) => view.getInt32(4 * i, true));
  return Int16Array.from({ length: bytes.length / 2 }, (_, i) => view.getInt16(2 * i, true));
}

/** Index and values of the first difference between two arrays (int8 or int16), or null when they are equal. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `element ${i}: got ${a[i]}, reference ${b[i]}`;
  return null;
}
