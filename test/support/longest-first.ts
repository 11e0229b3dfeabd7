/**
 * @fileoverview The order vitest runs the test files in: longest first, by the seconds test/durations.json records
 * (from a full run, `node bin/test-durations.mjs`). vitest's own order falls back on file size when it has no
 * results cached, as on a clean clone in CI, which started the slowest (and shortest) files last and left one
 * worker busy alone at the end; files the list does not name keep vitest's order, after the named ones.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The sequencer of vitest.config.ts: recorded durations, longest first. */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const seconds = JSON.parse(readFileSync(join(root, 'test', 'durations.json'), 'utf8')) as Record<string, number>;
    const recorded = (f: TestSpecification) => seconds[relative(root, f.moduleId)] ?? 0;
    // Array sort is stable: files with the same record keep vitest's order.
    return (await super.sort(files)).sort((a, b) => recorded(b) - recorded(a));
  }
}
