/**
 * @fileoverview The C of a convolution run in place through a ring of output rows (plan/rolling-rows.ts): the
 * node's rendered kernel call becomes a loop over its output rows, each a one-row band of the same kernel (a window
 * op through te_window_rows, a pointwise matmul as the row's pixels) written into the ring, and the row `lag` rows
 * behind copied over the input once nothing left reads the bytes it lands on.
 */
import type { RollingRows } from '../../plan/rolling-rows.ts';

/** The kernel call a rendered node ends with: `te_<op>_s8(<arguments>);`. */
const KERNEL_CALL = /^(te_\w+)\((.*)\);$/;

/** Splits a call's arguments at top-level commas (arguments may hold casts and sums, never commas inside). */
const argumentsOf = (list: string) => list.split(', ');

/** A rendered node's kernel call (its last line: `te_<op>_s8(<arguments>);`): the kernel's name and arguments. */
export function kernelCallOf(lines: readonly string[]): { name: string; args: string[] } {
  const last = lines[lines.length - 1] ?? '';
  const call = KERNEL_CALL.exec(last);
  if (!call) throw new Error(`internal: '${last}' is not a kernel call`);
  return { name: call[1]!, args: argumentsOf(call[2]!) };
}

/**
 * The statements computing output rows [r0, r0 + rows) of a kernel call into `y` (a C pointer to the band's first
 * row): the same kernel on a band of the window (te_window_rows, as thread bands are), or a pointwise matmul on the
 * band's pixels; each output row is `rowBytes` bytes.
 */
export function rowBandCall(
  call: { name: string; args: readonly string[] },
  r0: string,
  rows: number,
  y: string,
  rowBytes: number,
): string[] {
  const { name, args } = call;
  if (name === 'te_conv2d_s8' || name === 'te_depthwise_conv2d_s8') {
    // args: x, filter, bias, &w, … , y: the band's geometry replaces the window, the input is advanced.
    const banded = [`${args[0]} + x_offset`, args[1], args[2], '&band', ...args.slice(4, -1), y];
    return [
      'te_window band;',
      `const int64_t x_offset = te_window_rows(&w, ${r0}, ${r0} + ${rows}, &band);`,
      `${name}(${banded.join(', ')});`,
    ];
  }
  if (/^te_matmul(_pairs|_w4)?_s8$/.test(name)) {
    // args: x, filter, bias, rows, k, out_c, &p, y: a row of the image is `rowBytes / out_c` pixels.
    const [x, w, b, , k, o, p] = args;
    const pixels = rowBytes / Number(o);
    return [
      `${name}(${[`${x} + (int64_t)(${r0}) * ${pixels * Number(k)}`, w, b, pixels * rows, k, o, p, y].join(', ')});`,
    ];
  }
  throw new Error(`internal: '${name}' has no row bands`);
}

/**
 * The node's statements run row by row through the ring at `ring` (arena offset): `lines` as renderNode gave them
 * (constants, then one kernel call writing the node's output last).
 */
export function rollingRowsLines(lines: readonly string[], roll: RollingRows, ring: number): string[] {
  const call = kernelCallOf(lines);
  const y = call.args[call.args.length - 1]!;
  const slot = (row: string) => `(int8_t *)(arena + ${ring}) + (${row}) % ${roll.lag + 1} * ${roll.rowBytes}`;
  const rowCall = rowBandCall(call, 'r', 1, slot('r'), roll.rowBytes);
  const copy = (row: string) => `memcpy(${y} + (int64_t)(${row}) * ${roll.rowBytes}, ${slot(row)}, ${roll.rowBytes});`;
  return [
    ...lines.slice(0, -1),
    `for (int32_t r = 0; r < ${roll.rows}; r++) {`,
    ...rowCall.map((l) => `  ${l}`),
    ...(roll.lag > 0 ? [`  if (r >= ${roll.lag}) ${copy(`r - ${roll.lag}`)}`] : [`  ${copy('r')}`]),
    '}',
    ...(roll.lag > 0
      ? [`for (int32_t r = ${Math.max(0, roll.rows - roll.lag)}; r < ${roll.rows}; r++) ${copy('r')}`]
      : []),
  ];
}
