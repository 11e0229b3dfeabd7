/**
 * @fileoverview Every output of a model in its C API: `<PREFIX>_OUTPUT_COUNT`, a descriptor table
 * (`<prefix>_outputs[]`: name, shape, quantization, element size, bytes, arena offset) and `<prefix>_output_at()`,
 * beside the `<PREFIX>_OUTPUT_*` macros and `<prefix>_output()` that keep describing output 0; and the runners'
 * code writing every output to one file, in order.
 */

import { type Graph, tensorOf } from '../../ir/graph.ts';
import { DTYPE_BYTES, type Quantization, sizeOf } from '../../ir/tensor.ts';
import type { MemoryPlan } from '../../plan/plan-memory.ts';
import { comment, doubleLiteral } from './c-literals.ts';

/** A C string literal of `text`'s UTF-8 bytes (non-ASCII, quotes and backslashes escaped in octal, so any IR name is valid C99). */
export function stringLiteral(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let out = '';
  for (const b of bytes) {
    const printable = b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c && b !== 0x3f;
    out += printable ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, '0')}`;
  }
  return `"${out}"`;
}

/** The header's part: the output count, the descriptor type and table, and the accessor by index. */
export function outputsHeader(g: Graph, prefix: string): string[] {
  const upper = prefix.toUpperCase();
  return [
    comment(
      `Every output, in the model's order (${g.outputs.map((o) => `'${o}'`).join(', ')}); ${upper}_OUTPUT_* above and ${prefix}_output() are output 0's.`,
    ),
    `#define ${upper}_OUTPUT_COUNT ${g.outputs.length}`,
    '',
    comment(
      'An output: real = scale × (q − zero_point), shape NHWC; int8_t elements, int16_t when element_bytes is 2, int32_t indices (ArgMax; scale 1, zero point 0) when 4.',
    ),
    'typedef struct {',
    '  const char *name;',
    '  int32_t rank;',
    '  const int32_t *shape;',
    '  double scale;',
    '  int32_t zero_point;',
    '  int32_t element_bytes;',
    '  int32_t bytes;',
    comment('where it lies in the arena after a run'),
    '  int32_t offset;',
    `} ${prefix}_output_info;`,
    '',
    `extern const ${prefix}_output_info ${prefix}_outputs[${upper}_OUTPUT_COUNT];`,
    comment(
      `Output \`index\` (0 … ${upper}_OUTPUT_COUNT − 1) after a run on \`arena\` (NULL: the static one); NULL for an index out of range.`,
    ),
    `const void *${prefix}_output_at(const uint8_t *arena, int32_t index);`,
  ];
}

/** The source's part: each output's shape, the table, and the accessor (`staticArena`: the default arena's bytes). */
export function outputsSource(g: Graph, plan: MemoryPlan, prefix: string, staticArena: string): string[] {
  const upper = prefix.toUpperCase();
  const shapes: string[] = [];
  const rows = g.outputs.map((name, i) => {
    const t = tensorOf(g, name);
    const q = t.quant as Quantization;
    // C99 has no empty arrays: a scalar's shape is one unread 0.
    shapes.push(
      `static const int32_t ${prefix}_output_shape${i}[${Math.max(1, t.shape.length)}] = {${t.shape.join(', ') || '0'}};`,
    );
    const fields = [
      stringLiteral(name),
      t.shape.length,
      `${prefix}_output_shape${i}`,
      doubleLiteral(q.scale[0]!),
      q.zeroPoint[0]!,
      DTYPE_BYTES[t.dtype],
      sizeOf(t.shape) * DTYPE_BYTES[t.dtype],
      plan.offsets.get(name) as number,
    ];
    return `  {${fields.join(', ')}},`;
  });
  return [
    ...shapes,
    `const ${prefix}_output_info ${prefix}_outputs[${upper}_OUTPUT_COUNT] = {`,
    ...rows,
    '};',
    '',
    `const void *${prefix}_output_at(const uint8_t *arena, int32_t index) {`,
    `  if (index < 0 || index >= ${upper}_OUTPUT_COUNT) return NULL;`,
    `  return (arena ? arena : ${staticArena}) + ${prefix}_outputs[index].offset;`,
    '}',
  ];
}

/**
 * A runner's statements writing the outputs to the FILE `f` just opened, returning 2 after `fail` (a statement)
 * when a write falls short: every output in order for a model (`every`), else the one `<prefix>_output()` of a
 * wrapper (detector, audio front end) whose interface has no table.
 */
export function writeOutputs(prefix: string, every: boolean, fail: string): string[] {
  const upper = prefix.toUpperCase();
  const written = every
    ? [
        `  int32_t k = 0;`,
        `  while (f && k < ${upper}_OUTPUT_COUNT && fwrite(${prefix}_output_at(NULL, k), 1, (size_t)${prefix}_outputs[k].bytes, f) == (size_t)${prefix}_outputs[k].bytes) k++;`,
        `  if (!f || k < ${upper}_OUTPUT_COUNT) {`,
      ]
    : [`  if (!f || fwrite(${prefix}_output(NULL), 1, ${upper}_OUTPUT_BYTES, f) != ${upper}_OUTPUT_BYTES) {`];
  return ['  {', ...written.map((l) => `  ${l}`), `      ${fail}`, '      return 2;', '    }', '  }', '  fclose(f);'];
}
