/**
 * @fileoverview Target profiles: one JSON data file per target in this folder (ISA, memory limits of a real part,
 * kernel folder, toolchain, how a test runs it). Targets know toolchains and boards, never model formats.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { TinyedgeError } from '../compiler/errors.ts';

/** One target, as its data file declares it. */
export interface Target {
  name: string;
  description: string;
  /** Which backend renders for it. */
  backend: 'c' | 'wasm';
  isa: { arch: string; features: string[] };
  /** Flash and RAM of the real part; null for hosted targets without a fixed budget. */
  memory: { flashBytes: number; ramBytes: number } | null;
  /** Which folder of runtime/c/kernels the build uses. */
  kernels: string;
  /** The C compiler and flags (C targets); null for WebAssembly, which binaryen emits directly. */
  toolchain: { cc: string; cflags: string[] } | null;
  run: { kind: 'native' | 'node' };
}

const DIR = fileURLToPath(new URL('.', import.meta.url));

/** Names of the targets that have a data file. */
export function targetNames(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Loads a target profile by name; an unknown name lists the known ones. */
export function loadTarget(name: string): Target {
  if (!targetNames().includes(name)) throw new TinyedgeError(`unknown target '${name}'; known: ${targetNames().join(', ')}`);
  return JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Target;
}

/** The C toolchain of a target, or an error naming the target when it has none. */
export function cToolchain(target: Target): { cc: string; cflags: string[] } {
  if (!target.toolchain) throw new TinyedgeError(`target '${target.name}' has no C toolchain`);
  return target.toolchain;
}
