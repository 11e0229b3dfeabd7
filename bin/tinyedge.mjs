#!/usr/bin/env node
// The CLI is TypeScript: it runs as one esbuild bundle of it (bin/cli-bundle.mjs), or through tsx when that cannot
// be built, so `npx tinyedge` works right after `npm ci` either way.
import { cliBundle } from './cli-bundle.mjs';

const bundle = await cliBundle();
if (bundle) await import(bundle);
else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../compiler/cli/main.ts');
}
