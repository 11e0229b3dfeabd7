/**
 * @fileoverview What a 'native' target's compiler defines with given flags (`cc <cflags> -dM -E`): with
 * -march=native, the build machine's instruction sets (`__AVX2__`, `__AVXVNNI__`, `__ARM_FEATURE_DOTPROD`), which
 * decide the kernel folders a host build keeps (compiler/backends/c/kernel-table.ts, `needs`).
 */
import { spawnSync } from 'node:child_process';
import { TinyedgeError } from '../compiler/errors.ts';

/** One answer per compiler and flags: the compiler is asked once per process. */
const asked = new Map<string, ReadonlySet<string>>();

/** The macros `cc` predefines for C with `cflags` (those that select a machine, like -march, matter). */
export function predefinedMacros(cc: string, cflags: readonly string[]): ReadonlySet<string> {
  const key = [cc, ...cflags].join(' ');
  const known = asked.get(key);
  if (known) return known;
  const r = spawnSync(cc, [...cflags, '-dM', '-E', '-x', 'c', '-'], { input: '', encoding: 'utf8' });
  if (r.error || r.status !== 0)
    throw new TinyedgeError(
      'TE503',
      `cannot ask '${cc}' which instruction sets this machine has: ${r.error ? r.error.message : r.stderr.trim()}`,
    );
  const macros = new Set(
    r.stdout
      .split('\n')
      .filter((line) => line.startsWith('#define '))
      .map((line) => line.split(' ')[1]!),
  );
  asked.set(key, macros);
  return macros;
}
