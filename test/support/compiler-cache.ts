/**
 * @fileoverview The environment that sends every C compile of the tests through ccache, when it is installed:
 * Debian's masquerade folder (/usr/lib/ccache) holds gcc, aarch64-linux-gnu-gcc and arm-none-eabi-gcc in front of
 * the real ones, so the same kernel compiled for hundreds of one-op projects on a target (and the CLI's builds in
 * child processes) is compiled once per run. ccache keys an object by the compiler, its flags and the preprocessed
 * source, so a changed kernel, header or flag is always compiled again.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const MASQUERADE = '/usr/lib/ccache';

/** PATH and ccache's settings for the test workers and what they spawn; nothing when ccache is not installed. */
export function compilerCacheEnv(root: string): Record<string, string> {
  if (!existsSync(join(MASQUERADE, 'gcc'))) return {};
  return {
    PATH: `${MASQUERADE}:${process.env.PATH ?? ''}`,
    CCACHE_DIR: join(root, 'node_modules', '.cache', 'tinyedge', 'ccache'),
    CCACHE_MAXSIZE: '2G',
  };
}
