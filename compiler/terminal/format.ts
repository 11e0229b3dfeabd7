/** @fileoverview Human-readable numbers and tables for the CLI (cli-table3). */
import Table from 'cli-table3';

/** 582.3M, 1.2k, 17 */
export function si(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** 6.1 MiB, 12.0 KiB, 300 B */
export { formatBytes as bytes } from '../byte-size.ts';

/** A table with a header row, right-aligning columns named in `right`. */
export function table(head: string[], rows: (string | number)[][], right: number[] = []): string {
  const t = new Table({
    head,
    style: { head: [], border: [] },
    colAligns: head.map((_, i) => (right.includes(i) ? 'right' : 'left')),
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const r of rows) t.push(r.map(String));
  return t.toString();
}

/** Shortens long TF node names from the left so tables stay readable: '…/expanded_conv_3/project'. */
export function shortName(name: string, max = 48): string {
  return name.length <= max ? name : `…${name.slice(name.length - max + 1)}`;
}
