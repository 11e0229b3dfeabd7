/** @fileoverview docs/errors.md, rendered from the error-code table so the page cannot drift from the code. */
import { ERROR_CODES, ERROR_STAGES, type ErrorCode, type ErrorStage } from '../../compiler/error-codes.ts';

/** Where the page lives, relative to the repository. */
export const ERRORS_PAGE = 'docs/errors.md';

/** The page: how to read an error line, then one table of codes per stage. */
export function errorsPage(): string {
  const codes = Object.entries(ERROR_CODES) as [ErrorCode, (typeof ERROR_CODES)[ErrorCode]][];
  const sections = (Object.entries(ERROR_STAGES) as [ErrorStage, string][]).map(([stage, heading]) => {
    const rows = codes
      .filter(([, c]) => c.stage === stage)
      .map(([code, c]) => `| \`${code}\` | ${c.title.replace(/\|/g, '\\|')} |`);
    return [`## ${heading}`, '', '| code | problem |', '| --- | --- |', ...rows].join('\n');
  });
  return [
    '# Error codes',
    '',
    '<!-- Generated from compiler/error-codes.ts by `npm run docs:errors`; test/error-codes.test.ts checks it. -->',
    '',
    'Every error tinyedge reports about its input ends with a stable code, so it can be searched for:',
    '',
    '```',
    "tinyedge: error: model.json: node 'gelu/Erf' (Erf): TF op 'Erf' is not supported by tinyedge's graph-model frontend (--outputs can cut the graph before it) [TE109]",
    '```',
    '',
    'The line names the file, then the node and its op when the problem is in one, then what is wrong. Such errors exit',
    'with code 2; an internal error (a bug in tinyedge, `TE999`) exits with 1. In the library, the code is',
    "`TinyedgeError.code` (`import { TinyedgeError, type ErrorCode } from 'tinyedge'`).",
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
}
