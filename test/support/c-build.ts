/** @fileoverview Builds an int8 graph with the C backend for a target into a temporary folder (strict warnings) and runs it there. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Graph } from '../../compiler/ir/graph.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { cScratchBytes } from '../../compiler/backends/c/render-nodes.ts';
import { cBuildOf, cProject } from '../../compiler/backends/c/project.ts';
import { Target, loadTarget } from '../../targets/target.ts';
import { buildTemporaryProject, runBuild } from '../../targets/toolchain.ts';

/** The flags the issue asks the runtime and generated code to pass on the host: C99, every warning an error. */
export const STRICT_CFLAGS = ['-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', '-pedantic'];

/** A C build for a target: its folder and the target. */
export interface CBuilt {
  dir: string;
  target: Target;
}

/**
 * Writes and builds the project for `target` (default host, with STRICT_CFLAGS; others with their flags and
 * -Werror); throws on any warning. `slide: 'every'` plans every convolution that can write over its input to do so.
 */
export function buildC(g: Graph, target: Target = loadTarget('host'), cflags?: string[], slide?: 'every'): CBuilt {
  const flags = cflags ?? (target.name === 'host' ? STRICT_CFLAGS : [...(target.toolchain?.cflags ?? []), '-Werror']);
  const { files } = cProject(g, planMemory(g, cScratchBytes, { ...(slide ? { slide } : {}) }), { ...cBuildOf(target), cflags: flags });
  return { dir: buildTemporaryProject(files, target, flags), target };
}

/** Runs the built model on one int8 input (on its target: natively or under qemu) and returns its int8 output. */
export function runC(built: CBuilt, x: Int8Array): Int8Array {
  const input = join(built.dir, 'input.i8');
  const output = join(built.dir, 'output.i8');
  writeFileSync(input, x);
  runBuild(built.dir, built.target, input, output, 1);
  return new Int8Array(readFileSync(output));
}

/** Index and values of the first difference between two int8 arrays, or null when they are equal. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `element ${i}: got ${a[i]}, reference ${b[i]}`;
  return null;
}
