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

/**
 * The node's statements run row by row through the ring at `ring` (arena offset): `lines` as renderNode gave them
 * (constants, then one kernel call writing the node's output last).
 */
export function rollingRowsLines(lines: readonly string[], roll: RollingRows, ring: number): string[] {
  const last = lines[lines.length - 1] ?? '';
  const call = KERNEL_CALL.exec(last);
  if (!call) throw new Error(`internal: '${last}' is not a kernel call`);
  const [name, list] = [call[1]!, call[2]!];
  const args = argumentsOf(list);
  const y = args[args.length - 1]!;
  const slot = (row: string) => `(int8_t *)(arena + ${ring}) + (${row}) % ${roll.lag + 1} * ${roll.rowBytes}`;
  let rowCall: string[];
  if (name === 'te_conv2d_s8' || name === 'te_conv2d_row_pairs_s8' || name === 'te_depthwise_conv2d_s8') {
    // args: x, filter, bias, &w, … , y: the band's geometry replaces the window, the input is advanced.
    const banded = [`${args[0]} + x_offset`, args[1], args[2], '&band', ...args.slice(4, -1), slot('r')];
    rowCall = [
      'te_window band;',
      'const int64_t x_offset = te_window_rows(&w, r, r + 1, &band);',
      `${name}(${banded.join(', ')});`,
    ];
  } else if (/^te_matmul(_pairs|_w4|_row_pairs)?_s8$/.test(name)) {
    // args: x, filter, bias, rows, k, out_c, &p, [scratch,] y: a row of the image is `rows / oh` pixels.
    const [x, w, b, , k, o, p] = args;
    const pixels = roll.rowBytes / Number(o);
    const row = [`${x} + (int64_t)r * ${pixels * Number(k)}`, w, b, pixels, k, o, p, ...args.slice(7, -1), slot('r')];
    rowCall = [`${name}(${row.join(', ')});`];
  } else throw new Error(`internal: '${name}' has no in-place rows`);
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
