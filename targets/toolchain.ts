/**
 * @fileoverview Building and running an emitted C project for a target: `make` with the target's compiler and
 * flags, code size from binutils' `size`, and the run recipe (native, qemu's user mode for Linux on Arm, or a qemu
 * board with semihosting for Cortex-M).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { TinyedgeError } from '../compiler/errors.ts';
import { cToolchain, type Target } from './target.ts';

function run(cmd: string, args: string[], cwd: string, what: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error)
    throw new TinyedgeError(
      'TE503',
      `cannot ${what}: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `'${cmd}' is not installed` : r.error.message}`,
      { file: cwd },
    );
  if (r.status !== 0)
    throw new TinyedgeError(
      'TE503',
      `${what} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ')}`,
      { file: cwd },
    );
  return r.stdout;
}

/** Builds the runner in `dir` with the target's toolchain, or `cflags` instead of its flags (make rebuilds only what changed). */
export function buildProject(dir: string, target: Target, cflags?: readonly string[]): void {
  const tc = cToolchain(target);
  run(
    'make',
    [
      '-s',
      `CC=${tc.cc}`,
      `CFLAGS=${(cflags ?? tc.cflags).join(' ')}`,
      `LDFLAGS=${(tc.ldflags ?? []).join(' ')}`,
      'runner',
    ],
    dir,
    `build for ${target.name}`,
  );
}

/** Writes a project's files into a new temporary folder and builds its runner there for `target` (tests, benchmarks). */
export function buildTemporaryProject(
  files: Record<string, string>,
  target: Target,
  cflags?: readonly string[],
): string {
  const dir = mkdtempSync(join(tmpdir(), 'tinyedge-build-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  buildProject(dir, target, cflags);
  return dir;
}

/** The link map a target's link writes (`-Wl,-Map=runner.map` in its ldflags: the boards, whose link drops unused sections). */
export const LINK_MAP = 'runner.map';

/**
 * Sum of the text sections (code and read-only constants) of the given objects: those the link kept, from its map
 * (LINK_MAP) where the target writes one, since --gc-sections drops the functions no call names; else all of them,
 * from `size`.
 */
export function textBytes(dir: string, objects: readonly string[], target: Target): number {
  const map = join(dir, LINK_MAP);
  if (cToolchain(target).ldflags?.includes(`-Wl,-Map=${LINK_MAP}`) && existsSync(map))
    return keptTextBytes(readFileSync(map, 'utf8'), new Set(objects));
  const cc = cToolchain(target).cc;
  const size = cc.endsWith('gcc') ? cc.replace(/gcc$/, 'size') : 'size';
  const out = run(size, [...objects], dir, 'measure code size');
  return out
    .trim()
    .split('\n')
    .slice(1)
    .reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[0]), 0);
}

/** A GNU ld map's input section, its name on the line or on the one before: ` .text.f  0xADDR  0xSIZE file.o`. */
const INPUT_SECTION = /^ (\.\S+)?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+)$/;

/** The text (code, read-only data, unwind tables) of `objects` in a GNU ld map's memory map (kept sections only). */
export function keptTextBytes(map: string, objects: ReadonlySet<string>): number {
  const lines = map.split('\n');
  let name = '';
  let sum = 0;
  for (const line of lines.slice(lines.indexOf('Linker script and memory map') + 1)) {
    const section = INPUT_SECTION.exec(line);
    if (section) {
      const [, own, size, file] = section;
      if (objects.has(file!) && /^\.(text|rodata|ARM\.ex)/.test(own ?? name)) sum += Number.parseInt(size!, 16);
    }
    name = /^ (\.\S+)$/.exec(line)?.[1] ?? '';
  }
  return sum;
}

/** A qemu TCG plugin to load for the run (targets/qemu-insn) and the file it writes. */
export interface QemuPlugin {
  lib: string;
  out: string;
}

/**
 * Runs the built runner the target's way: natively, under qemu's user mode (args: input, output, runs, and the
 * threads of a model compiled for several), or on a qemu board, where the program reads `input.i8` and writes `output.i8` in its folder through semihosting. Returns each
 * run's latency in ms; none on a board (emulated time says nothing about a device: count instructions instead).
 */
export function runBuild(
  dir: string,
  target: Target,
  input: string,
  output: string,
  runs: number,
  plugin?: QemuPlugin,
  threads?: number,
): number[] {
  const how = target.run;
  if (how.kind === 'node') throw new TinyedgeError('TE502', `target '${target.name}' runs in Node, not as a C program`);
  if (plugin && how.kind === 'native')
    throw new TinyedgeError(
      'TE502',
      `target '${target.name}' runs natively: count its instructions with callgrind, not a qemu plugin`,
    );
  /** The qemu command with the plugin (if any) right after the emulator's name. */
  const qemu = (command: string[]) =>
    plugin ? [command[0]!, '-plugin', `file=${plugin.lib},out=${plugin.out}`, ...command.slice(1)] : command;
  if (how.kind === 'qemu-system') {
    copyFileSync(input, join(dir, 'input.i8'));
    const [cmd, ...rest] = [...qemu(how.command), resolve(dir, 'runner')];
    run(cmd!, rest, dir, `run the model on ${how.board.machine} for ${target.name}`);
    copyFileSync(join(dir, 'output.i8'), output);
    return [];
  }
  // The runner runs in its folder, so every path it is given is absolute (`tinyedge run build/x` is relative).
  const args = [
    resolve(dir, 'runner'),
    resolve(input),
    resolve(output),
    String(runs),
    ...(threads === undefined ? [] : [String(threads)]),
  ];
  const [cmd, ...rest] = how.kind === 'qemu-user' ? [...qemu(how.command), ...args] : args;
  const stdout = run(cmd!, rest, dir, `run the model for ${target.name}`);
  return (JSON.parse(stdout) as { latencyMs: number[] }).latencyMs;
}
