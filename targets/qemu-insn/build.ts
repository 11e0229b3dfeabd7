/**
 * @fileoverview Builds targets/qemu-insn/insn-count.c (with its Thumb-2 classifier thumb-class.h) into a qemu plugin, once per machine: Debian's qemu accepts
 * -plugin but ships no plugins and no plugin header, so the header comes from Debian's qemu source package
 * (`apt-get source --download-only qemu` with a private deb-src list, so the system's apt configuration is left
 * alone), of which only include/qemu/qemu-plugin.h is extracted. Nothing of qemu is committed here.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TinyedgeError } from '../../compiler/errors.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const CACHE = join(HERE, '..', '..', 'node_modules', '.cache', 'tinyedge-qemu-insn');

function sh(cmd: string, args: string[], cwd: string, what: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error || r.status !== 0)
    throw new TinyedgeError(
      'TE503',
      `cannot ${what}: ${r.error ? r.error.message : (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`,
    );
  return r.stdout;
}

/** The Debian release qemu comes from (bookworm, …), read from /etc/os-release. */
function debianCodename(): string {
  const text = existsSync('/etc/os-release')
    ? spawnSync('sh', ['-c', '. /etc/os-release && echo "$VERSION_CODENAME"'], { encoding: 'utf8' }).stdout.trim()
    : '';
  if (!text)
    throw new TinyedgeError(
      'TE503',
      "cannot tell the Debian release (no VERSION_CODENAME in /etc/os-release): the qemu plugin header comes from Debian's qemu source package",
    );
  return text;
}

/** qemu-plugin.h from Debian's qemu source package, downloaded once into the cache; returns its folder. */
function pluginHeaderDir(): string {
  const done = readdirSync(CACHE).find(
    (d) => d.startsWith('qemu-') && existsSync(join(CACHE, d, 'include', 'qemu', 'qemu-plugin.h')),
  );
  if (done) return join(CACHE, done, 'include', 'qemu');
  const release = debianCodename();
  const list = join(CACHE, 'sources.list');
  writeFileSync(
    list,
    [
      `deb-src http://deb.debian.org/debian ${release} main`,
      `deb-src http://deb.debian.org/debian ${release}-updates main`,
      `deb-src http://deb.debian.org/debian-security ${release}-security main`,
      '',
    ].join('\n'),
  );
  mkdirSync(join(CACHE, 'lists', 'partial'), { recursive: true });
  const apt = [
    '-q',
    '-o',
    `Dir::Etc::SourceList=${list}`,
    '-o',
    'Dir::Etc::SourceParts=/dev/null',
    '-o',
    `Dir::State::Lists=${join(CACHE, 'lists')}`,
  ];
  sh('apt-get', [...apt, 'update'], CACHE, "read Debian's source index (apt-get update with a private deb-src list)");
  sh('apt-get', [...apt, 'source', '--download-only', 'qemu'], CACHE, "download Debian's qemu source package");
  const tarball = readdirSync(CACHE).find((f) => /^qemu_.*\.orig\.tar\.xz$/.test(f));
  if (!tarball) throw new TinyedgeError('TE503', `the qemu source package in ${CACHE} has no .orig.tar.xz`);
  sh('tar', ['-xJf', tarball, '--wildcards', '*/include/qemu/qemu-plugin.h'], CACHE, 'extract qemu-plugin.h');
  return pluginHeaderDir();
}

/** Path of the built plugin (building it, and fetching the header, on first use). */
export function qemuInsnPlugin(): string {
  mkdirSync(CACHE, { recursive: true });
  const source = join(HERE, 'insn-count.c');
  // Named by the sources' hash, so an edited plugin (or its Thumb-2 classifier) is rebuilt.
  const hash = createHash('sha256');
  for (const file of [source, join(HERE, 'thumb-class.h')]) hash.update(readFileSync(file));
  const lib = join(CACHE, `libinsncount-${hash.digest('hex').slice(0, 12)}.so`);
  if (existsSync(lib)) return lib;
  const include = pluginHeaderDir();
  sh(
    'gcc',
    ['-shared', '-fPIC', '-O2', '-Wall', '-Wextra', '-Werror', `-I${include}`, source, '-o', lib],
    CACHE,
    'build the qemu instruction-counting plugin',
  );
  return lib;
}
