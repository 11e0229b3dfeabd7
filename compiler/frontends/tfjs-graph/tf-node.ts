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

  private get(key: string): TfAttr | undefined {
    return this.node.attr?.[key];
  }

  private missing(key: string, kind: string): never {
    throw new TinyedgeError(`attribute '${key}' (${kind}) is missing or malformed`, { node: this.node.name, op: this.node.op });
  }

  /** A string attribute (TF.js stores them base64-encoded). */
  string(key: string, fallback?: string): string {
    const a = this.get(key);
    if (a?.s === undefined) return fallback ?? this.missing(key, 'string');
    return Buffer.from(a.s, 'base64').toString('utf8');
  }

  /** A list of strings. */
  strings(key: string): string[] {
    return (this.get(key)?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
  }

  /** A list of ints. */
  ints(key: string, fallback?: number[]): number[] {
    const list = this.get(key)?.list?.i;
    if (list === undefined) return fallback ?? this.missing(key, 'list of ints');
    return list.map(Number);
  }

  /** An int attribute. */
  int(key: string, fallback?: number): number {
    const i = this.get(key)?.i;
    return i !== undefined ? Number(i) : (fallback ?? this.missing(key, 'int'));
  }

  /** A float attribute. */
  float(key: string, fallback?: number): number {
    const f = this.get(key)?.f;
    return f ?? fallback ?? this.missing(key, 'float');
  }

  /** A bool attribute. */
  bool(key: string, fallback: boolean): boolean {
    return this.get(key)?.b ?? fallback;
  }

  /** A shape attribute (−1 for unknown dimensions). */
  shape(key: string): number[] {
    const s = this.get(key)?.shape;
    if (!s || s.unknownRank) return this.missing(key, 'shape');
    return (s.dim ?? []).map((d) => Number(d.size));
  }

  /** A dtype attribute ('DT_FLOAT'…). */
  dtype(key: string, fallback?: string): string {
    return this.get(key)?.type ?? fallback ?? this.missing(key, 'type');
  }

  /** An inline tensor attribute. */
  tensor(key: string): TfTensorProto | undefined {
    return this.get(key)?.tensor;
  }
}
