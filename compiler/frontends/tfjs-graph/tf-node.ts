/** @fileoverview A TF GraphDef node as TF.js stores it in model.json, and typed readers of its attributes. */
import { TinyedgeError } from '../../errors.ts';

/** TF tensor proto as TF.js serializes it (inline constants). */
export interface TfTensorProto {
  dtype?: string;
  tensorShape?: { dim?: { size: string | number }[]; unknownRank?: boolean };
  floatVal?: number[];
  intVal?: number[];
  tensorContent?: string;
}

/** One attribute value: exactly one of its fields is set. */
export interface TfAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  shape?: TfTensorProto['tensorShape'];
  tensor?: TfTensorProto;
  list?: { s?: string[]; i?: (string | number)[]; f?: number[] };
}

/** A node of the TF graph. */
export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}

/** Typed attribute access that fails with the node and op named. */
export class TfAttrs {
  constructor(private readonly node: TfNode) {}

  /** The attribute, if present; one that is not an object is malformed (TF.js fails on it). */
  private get(key: string): TfAttr | undefined {
    const a: unknown = this.node.attr?.[key];
    if (a === undefined) return undefined;
    return typeof a === 'object' && a !== null && !Array.isArray(a)
      ? (a as TfAttr)
      : this.missing(key, 'attribute object');
  }

  private missing(key: string, kind: string): never {
    throw new TinyedgeError('TE110', `attribute '${key}' (${kind}) is missing or malformed`, {
      node: this.node.name,
      op: this.node.op,
    });
  }

  /** A string attribute (TF.js stores them base64-encoded). */
  string(key: string, fallback?: string): string {
    const a = this.get(key);
    if (a?.s === undefined) return fallback ?? this.missing(key, 'string');
    if (typeof a.s !== 'string') return this.missing(key, 'string');
    return Buffer.from(a.s, 'base64').toString('utf8');
  }

  /** A list of strings. */
  strings(key: string): string[] {
    const list: unknown = this.get(key)?.list?.s ?? [];
    if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) return this.missing(key, 'list of strings');
    return list.map((s: string) => Buffer.from(s, 'base64').toString('utf8'));
  }

  /** A list of ints. */
  ints(key: string, fallback?: number[]): number[] {
    const a = this.get(key);
    if (a === undefined) return fallback ?? this.missing(key, 'list of ints');
    const holder: unknown = a.list;
    if (typeof holder !== 'object' || holder === null || Array.isArray(holder))
      return this.missing(key, 'list of ints');
    const list: unknown = (holder as { i?: unknown }).i ?? [];
    const values = Array.isArray(list) ? list.map(Number) : [Number.NaN];
    if (!values.every(Number.isSafeInteger)) return this.missing(key, 'list of ints');
    return values;
  }

  /** An int attribute. */
  int(key: string, fallback?: number): number {
    const i = this.get(key)?.i;
    if (i === undefined) return fallback ?? this.missing(key, 'int');
    const v = Number(i);
    return Number.isSafeInteger(v) ? v : this.missing(key, 'int');
  }

  /** A float attribute. */
  float(key: string, fallback?: number): number {
    const f: unknown = this.get(key)?.f;
    if (f === undefined) return fallback ?? this.missing(key, 'float');
    return typeof f === 'number' && Number.isFinite(f) ? f : this.missing(key, 'float');
  }

  /** A bool attribute. */
  bool(key: string, fallback: boolean): boolean {
    const b: unknown = this.get(key)?.b;
    if (b === undefined) return fallback;
    return typeof b === 'boolean' ? b : this.missing(key, 'bool');
  }

  /** A shape attribute (−1 for unknown dimensions). */
  shape(key: string): number[] {
    const s = this.get(key)?.shape;
    if (!s || s.unknownRank) return this.missing(key, 'shape');
    return dimsOf(s.dim) ?? this.missing(key, 'shape');
  }

  /** A dtype attribute ('DT_FLOAT'…). */
  dtype(key: string, fallback?: string): string {
    const t: unknown = this.get(key)?.type;
    if (t === undefined) return fallback ?? this.missing(key, 'type');
    return typeof t === 'string' ? t : this.missing(key, 'type');
  }

  /** An inline tensor attribute. */
  tensor(key: string): TfTensorProto | undefined {
    const t: unknown = this.get(key)?.tensor;
    if (t === undefined) return undefined;
    return typeof t === 'object' && t !== null ? (t as TfTensorProto) : this.missing(key, 'tensor');
  }
}

/** A TF shape's dims as sizes (−1 unknown), or undefined when a dim is not {size: integer ≥ −1}. */
export function dimsOf(dim: unknown): number[] | undefined {
  if (dim === undefined) return [];
  if (!Array.isArray(dim)) return undefined;
  const sizes = dim.map((d: unknown) =>
    typeof d === 'object' && d !== null ? Number((d as { size?: unknown }).size ?? 0) : Number.NaN,
  );
  return sizes.every((n) => Number.isSafeInteger(n) && n >= -1) ? sizes : undefined;
}
