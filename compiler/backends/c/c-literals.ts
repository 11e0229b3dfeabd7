/** @fileoverview C99 spellings of constants: identifiers from IR names, integer arrays, struct initializers, comments. */

/** A C identifier made from `prefix` and an index (IR names are long and full of '/'). */
export function cName(prefix: string, kind: string, index: number): string {
  return `${prefix}_${kind}${index}`;
}

/** An int32 literal that is valid C99 for INT32_MIN too. */
export function int32Literal(v: number): string {
  return v === -2147483648 ? '(-2147483647 - 1)' : String(v);
}

/** `{1,2,3}` wrapped every `perLine` values so compilers and editors cope with megabyte arrays. */
export function arrayBody(values: ArrayLike<number>, perLine = 32): string {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += perLine) {
    const row: string[] = [];
    for (let j = i; j < Math.min(values.length, i + perLine); j++) row.push(int32Literal(values[j]));
    lines.push(row.join(','));
  }
  return `{\n${lines.join(',\n')}\n}`;
}

/** `{1, 2, 3}`: a positional initializer of an int32 struct, fields in declaration order. */
export function structBody(fields: readonly number[]): string {
  return `{${fields.map(int32Literal).join(', ')}}`;
}

/** A C comment that cannot be closed early by the text inside it. */
export function comment(text: string): string {
  return `/* ${text.replace(/\*\//g, '* /')} */`;
}

/** A double literal C reads back to the same value. */
export function doubleLiteral(v: number): string {
  const s = String(v);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}
