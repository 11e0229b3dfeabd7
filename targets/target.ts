/**
 * @fileoverview Target profiles: one JSON data file per target in this folder (ISA, memory limits of a real part,
 * kernel folder, toolchain, how a test runs it). Targets know toolchains and boards, never model formats.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TinyedgeError } from '../compiler/errors.ts';

/** One target, as its data file declares it. */
export interface Target {
  name: string;
  description: string;
  /** Which backend renders for it. */
  backend: 'c' | 'wasm';
  isa: { arch: string; features: string[] };
  /** Flash and RAM of the real part (null where it has no fixed figure); null for targets without a budget. */
  memory: { part: string; flashBytes: number | null; ramBytes: number | null } | null;
  /** The ISA's peak int8 MACs per instruction and which instruction gives it (the physical limit benchmarks quote). */
  limit?: { macsPerInstruction: number; instruction: string };
  /** The part's clock, for turning instruction counts into time estimates (absent for host and wasm32). */
  clockHz?: number;
  /** Extra project parts to emit: `android` (JNI glue, Kotlin class, NDK CMakeLists.txt). */
  emit?: 'android'[];
  /** Folders of runtime/c/kernels in order of preference (compiler/backends/c/kernel-table.ts). */
  kernels: string[];
  /** The C compiler and flags (C targets); null for WebAssembly, which binaryen emits directly. */
  toolchain: { cc: string; cflags: string[]; ldflags?: string[] } | null;
  /** How tests and `tinyedge run` execute a build: natively, in Node, under qemu's user mode or on a qemu board. */
  run:
    | { kind: 'native' | 'node' }
    | { kind: 'qemu-user'; command: string[] }
    | { kind: 'qemu-system'; command: string[]; board: Board };
}

/** A qemu board a bare-metal target's tests run on: where code, constants and data go (it has more memory than the real part). */
export interface Board {
  machine: string;
  /** Vector table and code (and the constants, unless `constants` is given). */
  code: { origin: number; length: number };
  constants?: { origin: number; length: number };
  /** Data, the arena, heap and stack. */
  ram: { origin: number; length: number };
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
  if (!targetNames().includes(name))
    throw new TinyedgeError('TE501', `unknown target '${name}'; known: ${targetNames().join(', ')}`);
  return JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Target;
}

/** The C toolchain of a target, or an error naming the target when it has none. */
export function cToolchain(target: Target): { cc: string; cflags: string[]; ldflags?: string[] } {
  if (!target.toolchain) throw new TinyedgeError('TE502', `target '${target.name}' has no C toolchain`);
  return target.toolchain;
}
