/**
 * @fileoverview Reads the file the instruction-counting plugin (insn-count.c) writes at exit: the exact
 * instruction count, its running value at each layer marker and, on a 32-bit Arm guest, the class counters at each
 * marker; gives the counts between consecutive markers.
 */
import { readFileSync } from 'node:fs';
import { type CounterCounts, isCounter } from './cycle-estimate.ts';

/** What the plugin counted in one run. */
export interface PluginCounts {
  instructions: number;
  /** The running instruction count at each marker. */
  marks: number[];
  /** The counters per class and extra at each marker (32-bit Arm guests only). */
  counterMarks?: CounterCounts[];
}

interface PluginFile {
  instructions: number;
  marks: number[];
  classes?: string[];
  extras?: string[];
  counterMarks?: number[][];
}

/** Parses the plugin's out= file. */
export function readPluginCounts(path: string): PluginCounts {
  const file = JSON.parse(readFileSync(path, 'utf8')) as PluginFile;
  const { instructions, marks } = file;
  if (!file.classes || !file.extras || !file.counterMarks) return { instructions, marks };
  const names = [...file.classes, ...file.extras];
  for (const name of names) if (!isCounter(name)) throw new Error(`internal: the plugin counts an unknown '${name}'`);
  const counterMarks = file.counterMarks.map((values) =>
    Object.fromEntries(names.map((name, k) => [name, values[k] ?? 0])),
  );
  return { instructions, marks, counterMarks };
}

/** The counters between marker a and marker b (b after a). */
export function countsBetween(a: CounterCounts, b: CounterCounts): CounterCounts {
  const out: CounterCounts = {};
  for (const [name, value] of Object.entries(b) as [keyof CounterCounts, number][]) {
    const delta = value - (a[name] ?? 0);
    if (delta) out[name] = delta;
  }
  return out;
}
