/** @fileoverview Attribute kinds of the op table: each kind is data (for runtime checks) with its TypeScript type derived from it. */

/** A fused activation: output clamped to [min, max]; null means unbounded on that side (relu = {0, null}, relu6 = {0, 6}). */
export interface Clamp {
  min: number | null;
  max: number | null;
}

/** Explicit spatial padding of a 2-D window op: [top, bottom, left, right]. */
export type Pads4 = [number, number, number, number];

/** The kinds of attribute an op may declare. */
export type AttrKind = 'int' | 'float' | 'bool' | 'ints' | 'pair' | 'pads4' | 'padsNd' | 'clamp';

/** The TypeScript type of an attribute of kind K. */
export type AttrValue<K extends AttrKind> = K extends 'int' | 'float'
  ? number
  : K extends 'bool'
    ? boolean
    : K extends 'ints'
      ? number[]
      : K extends 'pair'
        ? [number, number]
        : K extends 'pads4'
          ? Pads4
          : K extends 'padsNd'
            ? [number, number][]
            : K extends 'clamp'
              ? Clamp
              : never;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isIntList = (v: unknown, n?: number): boolean =>
  Array.isArray(v) && (n === undefined || v.length === n) && v.every(isInt);

/** Whether a runtime value has the given attribute kind. */
export function isAttrOfKind(kind: AttrKind, v: unknown): boolean {
  switch (kind) {
    case 'int':
      return isInt(v);
    case 'float':
      return typeof v === 'number' && Number.isFinite(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'ints':
      return isIntList(v);
    case 'pair':
      return isIntList(v, 2);
    case 'pads4':
      return isIntList(v, 4) && (v as number[]).every((p) => p >= 0);
    case 'padsNd':
      return Array.isArray(v) && v.every((p) => isIntList(p, 2) && (p as number[]).every((x) => x >= 0));
    case 'clamp': {
      if (typeof v !== 'object' || v === null) return false;
      const c = v as Record<string, unknown>;
      const ok = (x: unknown) => x === null || (typeof x === 'number' && Number.isFinite(x));
      return ok(c.min) && ok(c.max) && (c.min === null || c.max === null || (c.min as number) <= (c.max as number));
    }
  }
}

/** No clamp: the identity activation. */
export const NO_CLAMP: Clamp = { min: null, max: null };

/** Intersection of two clamps: applying `a` then `b` equals applying the result. */
export function combineClamps(a: Clamp, b: Clamp): Clamp {
  const min = a.min === null ? b.min : b.min === null ? a.min : Math.max(a.min, b.min);
  const max = a.max === null ? b.max : b.max === null ? a.max : Math.min(a.max, b.max);
  return { min, max };
}

/** `relu6`, `relu`, `none` or `clamp[a,b]` for tables. */
export function describeClamp(c: Clamp): string {
  if (c.min === null && c.max === null) return 'none';
  if (c.min === 0 && c.max === null) return 'relu';
  if (c.min === 0 && c.max === 6) return 'relu6';
  return `clamp[${c.min ?? '-inf'},${c.max ?? 'inf'}]`;
}
