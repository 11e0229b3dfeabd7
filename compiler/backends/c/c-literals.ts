/** @fileoverview C99 spellings of constants: identifiers from IR names, integer arrays, struct initializers, comments. */

/** A C identifier made from `prefix` and an index (IR names are long and full of '/'). */
export function cName(prefix: string, kind: string, index: number): string {
  return `${prefix}_${kind}${index}`;
}

/** An int32 literal that is valid C99 for INT32_MIN too. */
export function int32Literal(v: number): string {
  return v === -2147483648 ? '(-2147483647 - 1)' : String(v);
}

/** An int64 literal through <stdint.h>'s INT64_C (long or long long, whichever int64_t is), valid for INT64_MIN too. */
export function int64Literal(v: bigint): string {
  return v === -(2n ** 63n) ? '(-INT64_C(9223372036854775807) - 1)' : `INT64_C(${v})`;
}

/** `{1,2,3}` wrapped every `perLine` values so compilers and editors cope with megabyte arrays. */
export function arrayBody(values: ArrayLike<number> | BigInt64Array, perLine = 32): string {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += perLine) {
    const row: string[] = [];
    for (let j = i; j < Math.min(values.length, i + perLine); j++) {
      const v = values[j]!;
      row.push(typeof v === 'bigint' ? int64Literal(v) : int32Literal(v));
    }
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
