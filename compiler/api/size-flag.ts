/** @fileoverview Flags that take a size in bytes (--budget-ram, --budget-flash): 262144, 256k or 2M. */

import { TinyedgeError } from '../errors.ts';

/** `262144`, `256k`, `256KiB`, `2M`, `2MiB` → bytes (k and M are 1024-based, as memory sizes are). */
export function parseBytes(value: string, flag: string): number {
  const m = /^(\d+)\s*(k|K|KiB|KB|m|M|MiB|MB)?$/.exec(value.trim());
  if (!m) throw new TinyedgeError('TE601', `${flag} takes a size in bytes such as 262144, 256k or 2M, got '${value}'`);
  const unit = m[2] ? (/^[kK]/.test(m[2]) ? 1024 : 1024 * 1024) : 1;
  return Number(m[1]) * unit;
}
