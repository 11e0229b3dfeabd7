#!/usr/bin/env node
// The CLI is TypeScript; tsx compiles it on load so `npx tinyedge` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../compiler/cli/main.ts');
