#!/usr/bin/env node
// The CLI is TypeScript: it runs as one esbuild bundle of it (bin/cli-bundle.mjs), or through tsx when that cannot
// be built, so `npx tinyedge` works right after `npm ci` either way.
import { cliBundle } from './cli-bundle.mjs';

// libvips prints its warnings (a damaged but decodable photo) straight to stderr, between tinyedge's lines; it
// reads this before sharp loads. A photo it cannot decode is still an error, reported as tinyedge's one line.
process.env.VIPS_WARNING ??= '0';
const bundle = await cliBundle();
if (bundle) await import(bundle);
else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../compiler/cli/main.ts');
}
