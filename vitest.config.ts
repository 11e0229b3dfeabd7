import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { compilerCacheEnv } from './test/support/compiler-cache.ts';
import { LongestFirstSequencer } from './test/support/longest-first.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // C compiles through ccache (one compile of each kernel per target and flags, across files and runs).
    env: compilerCacheEnv(fileURLToPath(new URL('.', import.meta.url))),
    // The qemu plugin is built once, before the files that use it run side by side.
    globalSetup: ['test/support/global-setup.ts'],
    // The slowest files first, so both workers stay busy to the end.
    sequence: { sequencer: LongestFirstSequencer },
    // The JSON report lets .ci/run print a plain 'N passed, N failed' line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
