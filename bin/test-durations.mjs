#!/usr/bin/env node
// Records each test file's seconds in test/durations.json (longest first), for the longest-first order of
// vitest.config.ts: from the JSON report of the last run (test-results/vitest.json), keeping the records of files
// that run did not include and dropping those of files that are gone. Run it after a full `bin/test-all`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = join(root, 'test', 'durations.json');
const report = JSON.parse(readFileSync(join(root, 'test-results', 'vitest.json'), 'utf8'));
const seconds = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
for (const r of report.testResults) seconds[relative(root, r.name)] = Math.round((r.endTime - r.startTime) / 1000);
const rows = Object.entries(seconds)
  .filter(([name]) => existsSync(join(root, name)))
  .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
writeFileSync(file, `${JSON.stringify(Object.fromEntries(rows), null, 2)}\n`);
console.log(`test/durations.json: ${rows.length} files, ${rows.reduce((s, r) => s + r[1], 0)} s in all`);
