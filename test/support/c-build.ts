/** @fileoverview Builds an int8 graph with the C backend into a temporary folder (strict warnings) and runs it natively. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Graph } from '../../compiler/ir/graph.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { cScratchBytes } from '../../compiler/backends/c/render-nodes.ts';
import { cProject } from '../../compiler/backends/c/project.ts';
import { buildTemporaryProject } from '../../targets/toolchain.ts';

/** The flags the issue asks the runtime and generated code to pass: C99, every warning an error. */
export const STRICT_CFLAGS = ['-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', '-pedantic'];

/** Writes and builds the project in a temporary folder; returns the folder. Throws with the compiler's message on any warning. */
export function buildC(g: Graph, cflags: string[] = STRICT_CFLAGS): string {
  const { files } = cProject(g, planMemory(g, cScratchBytes), { cc: 'gcc', cflags, kernels: 'ref' });
  return buildTemporaryProject(files, cflags);
}

/** Runs the built model on one int8 input and returns its int8 output. */
export function runC(dir: string, x: Int8Array): Int8Array {
  const input = join(dir, 'input.i8');
  const output = join(dir, 'output.i8');
  writeFileSync(input, x);
  const r = spawnSync(join(dir, 'runner'), [input, output], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`runner failed: ${r.stderr}`);
  return new Int8Array(readFileSync(output));
}

/** Index and values of the first difference between two int8 arrays, or null when they are equal. */
export function firstDifference(a: Int8Array, b: Int8Array): string | null {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `element ${i}: C ${a[i]}, reference ${b[i]}`;
  return null;
}
