/**
 * @fileoverview XNNPACK as a peer: finds Debian's XNNPACK (natively, or the arm64 libraries bin/test-all unpacks),
 * builds driver.c with the model's generated operator table (xnnpack-model.ts) for the host or for aarch64, and runs
 * it natively or under qemu-aarch64 (with the instruction-counting plugin when asked). A missing XNNPACK is one
 * error saying how to install it, which the bench turns into a left-out row.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Graph } from '../../../compiler/ir/graph.ts';
import type { QemuPlugin } from '../../../targets/toolchain.ts';
import { xnnpackModel } from './xnnpack-model.ts';

/** Which build: the host's gcc with -march=native, or the aarch64 cross gcc with a target's `-mcpu=`/`-march=` flag. */
export type XnnpackArch = { kind: 'host' } | { kind: 'aarch64'; cpuFlag: string };

/** A built driver with its weights file. */
export interface XnnpackBuild {
  dir: string;
  arch: XnnpackArch;
  /** XNNPACK operators per kind (PEER_CONV, PEER_ADD, …). */
  operators: Record<string, number>;
  /** The graph op each operator runs, in order (the driver marks each). */
  opOfRow: string[];
}

const HERE = dirname(fileURLToPath(import.meta.url));
const HEADERS = ['/usr/include/xnnpack.h', '/usr/include/pthreadpool.h'];
/** bin/test-all unpacks the arm64 libraries here: Debian's libxnnpack0:arm64 cannot be installed beside the amd64 one. */
export const XNNPACK_ARM64_ROOT = '/opt/tinyedge/xnnpack-arm64';
/** The cross C library qemu-aarch64 loads the dynamic driver with (Debian's libc6-dev-arm64-cross). */
const AARCH64_SYSROOT = '/usr/aarch64-linux-gnu';
const INSTALL_HINT =
  'install it with bin/test-all --setup-only (or: apt-get install libxnnpack-dev libpthreadpool-dev)';

/** The folder holding libXNNPACK.so.0 for the build, or an error saying what is missing and how to install it. */
export function xnnpackLibraryDir(arch: XnnpackArch): string {
  const missingHeader = HEADERS.find((h) => !existsSync(h));
  if (missingHeader) throw new Error(`XNNPACK is not installed (no ${missingHeader}): ${INSTALL_HINT}`);
  const dirs =
    arch.kind === 'host'
      ? [`/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`]
      : ['/usr/lib/aarch64-linux-gnu', join(XNNPACK_ARM64_ROOT, 'usr/lib/aarch64-linux-gnu')];
  const dir = dirs.find((d) => existsSync(join(d, 'libXNNPACK.so.0')));
  if (!dir)
    throw new Error(
      arch.kind === 'host'
        ? `XNNPACK's library is not installed (no libXNNPACK.so.0): ${INSTALL_HINT}`
        : `XNNPACK's arm64 library is not installed: bin/test-all --setup-only unpacks Debian's libxnnpack0:arm64 into ${XNNPACK_ARM64_ROOT}`,
    );
  return dir;
}

function run(cmd: string, args: string[], what: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${what}: ${r.error.message}`);
  if (r.status !== 0)
    throw new Error(`${what} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  return r.stdout;
}

/** Writes the model's table and weights and compiles the driver against XNNPACK for `arch`. */
export function buildXnnpackPeer(g: Graph, arch: XnnpackArch): XnnpackBuild {
  const libDir = xnnpackLibraryDir(arch);
  const model = xnnpackModel(g);
  const dir = mkdtempSync(join(tmpdir(), 'tinyedge-xnnpack-'));
  // Only XNNPACK's two headers, not all of /usr/include: the cross compiler must keep its own C library's headers.
  mkdirSync(join(dir, 'include'));
  for (const h of HEADERS) symlinkSync(h, join(dir, 'include', h.split('/').pop()!));
  writeFileSync(join(dir, 'model-ops.h'), model.header);
  writeFileSync(join(dir, 'weights.bin'), model.weights);
  const common = ['-std=c99', '-O3', `-I${dir}`, `-I${HERE}`, `-I${join(dir, 'include')}`, join(HERE, 'driver.c')];
  const out = ['-o', join(dir, 'xnnpack-peer')];
  if (arch.kind === 'host') run('gcc', [...common, '-march=native', ...out, '-lXNNPACK', '-lpthreadpool'], 'gcc');
  else
    run(
      'aarch64-linux-gnu-gcc',
      [
        ...common,
        arch.cpuFlag,
        ...out,
        join(libDir, 'libXNNPACK.so.0'),
        join(libDir, 'libpthreadpool.so.0'),
        `-Wl,-rpath-link,${libDir}`,
        // DT_RPATH, not RUNPATH: it also finds libXNNPACK's own dependencies (pthreadpool, cpuinfo) there.
        '-Wl,--disable-new-dtags',
        `-Wl,-rpath,${libDir}`,
      ],
      'aarch64-linux-gnu-gcc',
    );
  return { dir, arch, operators: model.operators, opOfRow: model.opOfRow };
}

/** How to run an aarch64 build: the target's qemu command (`qemu-aarch64 -cpu …`) and, to count, the plugin. */
export interface XnnpackEmulation {
  command: readonly string[];
  plugin?: QemuPlugin;
}

/** Runs the driver on `input` (int8 bytes) `runs` times, on `threads` (XNNPACK's pthreadpool): each run's ms and the output bytes. */
export function runXnnpackPeer(
  build: XnnpackBuild,
  input: string,
  runs: number,
  emulation?: XnnpackEmulation,
  threads = 1,
): { latencyMs: number[]; output: Int8Array } {
  const output = join(build.dir, 'out.i8');
  const args = [
    join(build.dir, 'xnnpack-peer'),
    join(build.dir, 'weights.bin'),
    input,
    output,
    String(runs),
    String(threads),
  ];
  let stdout: string;
  if (build.arch.kind === 'host') stdout = run(args[0]!, args.slice(1), 'the XNNPACK driver');
  else {
    if (!emulation) throw new Error('internal: an aarch64 XNNPACK build runs under qemu');
    const [qemu, ...rest] = emulation.command;
    const plugin = emulation.plugin ? ['-plugin', `file=${emulation.plugin.lib},out=${emulation.plugin.out}`] : [];
    stdout = run(qemu!, [...plugin, ...rest, '-L', AARCH64_SYSROOT, ...args], 'the XNNPACK driver under qemu');
  }
  return {
    latencyMs: (JSON.parse(stdout) as { latencyMs: number[] }).latencyMs,
    output: new Int8Array(readFileSync(output)),
  };
}

/** How XNNPACK's output differs from tinyedge's: bytes that differ and the largest difference (its requantization rounds ties differently). */
export function outputDifference(ours: Int8Array, theirs: Int8Array): { differing: number; maxAbs: number } {
  if (ours.length !== theirs.length) throw new Error(`output sizes differ: ${ours.length} vs ${theirs.length}`);
  let differing = 0;
  let maxAbs = 0;
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(ours[i]! - theirs[i]!);
    if (d) differing++;
    maxAbs = Math.max(maxAbs, d);
  }
  return { differing, maxAbs };
}
