/**
 * @fileoverview The error-code table (compiler/error-codes.ts) stays what users can rely on: each code's first digit
 * names its stage, every code is raised somewhere (no dead entries), and docs/errors.md is the table as rendered.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_STAGES, type ErrorStage } from '../compiler/error-codes.ts';
import { ERRORS_PAGE, errorsPage } from '../tools/docs/errors-page.ts';
import { ROOT } from './support/samples.ts';

const STAGE_DIGIT = Object.fromEntries(
  (Object.keys(ERROR_STAGES) as ErrorStage[]).map((stage, i) => [stage, String(i + 1)]),
);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('error codes', () => {
  it("each code's first digit is its stage's (TE1xx load … TE9xx tinyedge itself)", () => {
    for (const [code, { stage }] of Object.entries(ERROR_CODES)) expect(code[2], code).toBe(STAGE_DIGIT[stage]);
  });

  it('every code in the table is raised somewhere in the compiler, models, targets or tools', () => {
    const text = ['compiler', 'models', 'targets', 'tools']
      .flatMap((d) => sources(join(ROOT, d)))
      .filter((f) => !f.endsWith('error-codes.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const unused = Object.keys(ERROR_CODES).filter((code) => !text.includes(`'${code}'`));
    expect(unused).toEqual([]);
  });

  it('docs/errors.md is the table as rendered (regenerate with `npm run docs:errors`)', () => {
    expect(readFileSync(join(ROOT, ERRORS_PAGE), 'utf8')).toBe(errorsPage());
  });
});
