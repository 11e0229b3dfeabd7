/** @fileoverview Byte counts as people read them, in reports and in the errors that refuse a budget. */

/** 6.1 MiB, 12.0 KiB, 300 B */
export function formatBytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}
