/** @fileoverview `npm run docs:errors`: writes docs/errors.md from the error-code table. */
import { writeFileSync } from 'node:fs';
import { ERRORS_PAGE, errorsPage } from './errors-page.ts';

writeFileSync(ERRORS_PAGE, errorsPage());
