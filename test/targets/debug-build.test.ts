import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cBuildOf, makefile } from '../../compiler/backends/c/project.ts';
import { cToolchain, loadTarget } from '../../targets/target.ts';

const RUNTIME_C = fileURLToPath(new URL('../../runtime/c', import.meta.url));

// What a user's own build of the generated sources does: an IDE's Debug configuration (-O0), and a plain `make`.
describe('a generated project built the way users build it', () => {
  it.each(['cortex-m4', 'cortex-m55'])('every %s kernel compiles at -O0', (name) => {
    const target = loadTarget(name);
    const tc = cToolchain(target);
    const flags = [...tc.cflags.map((f) => (f === '-O2' ? '-O0' : f)), '-g', '-Werror'];
    const out = mkdtempSync(join(tmpdir(), 'te-debug-build-'));
    try {
      for (const folder of target.kernels) {
        const dir = join(RUNTIME_C, 'kernels', folder);
        for (const file of readdirSync(dir).filter((f) => f.endsWith('.c'))) {
          const r = spawnSync(
            tc.cc,
            [...flags, `-I${join(RUNTIME_C, 'include')}`, '-c', join(dir, file), '-o', join(out, 'k.o')],
            { encoding: 'utf8', timeout: 60_000 },
          );
          expect(r.status === 0 ? '' : `${folder}/${file}: ${r.stderr}${r.error ?? ''}`).toBe('');
        }
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("a plain `make` uses the target's compiler, and a CC the user gives wins", () => {
    const dir = mkdtempSync(join(tmpdir(), 'te-make-cc-'));
    try {
      writeFileSync(join(dir, 'Makefile'), makefile(['model'], cBuildOf(loadTarget('cortex-m4')), []));
      const cc = (args: string[]) => {
        const env = { ...process.env };
        delete env.CC;
        const r = spawnSync('make', ['-s', '-f', 'Makefile', '-f', '-', ...args, 'which-cc'], {
          cwd: dir,
          env,
          input: 'which-cc:\n\t@echo $(CC)\n',
          encoding: 'utf8',
        });
        return r.stdout.trim();
      };
      expect(cc([])).toBe('arm-none-eabi-gcc');
      expect(cc(['CC=clang'])).toBe('clang');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
