/**
 * @fileoverview Seeded mutations of a model file: bit flips, truncations, and field edits by format (the artifact's
 * JSON header, re-sealed so the edit reaches the validation behind the checksum; model.json's fields and the TF.js
 * weights manifest; ONNX protobuf fields; a .tflite's quantization scales found by their float32 bytes). Each edit
 * writes a hostile value: a wrong type, a non-finite, negative or zero number, one out of its range, or a deletion.
 */
import onnxProto from 'onnx-proto';
import { sealArtifact } from '../../compiler/artifact/int8-artifact.ts';
import type { Fixture } from './fixtures.ts';

const { onnx } = onnxProto;

/** A mutated fixture and what was done to it (printed when a case fails). */
export interface Mutant extends Fixture {
  what: string;
}

type Random = () => number;
const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

/** Flips 1–8 random bits, half of them in the first 512 bytes where headers and tables are. */
export function flipBits(bytes: Uint8Array, r: Random): { bytes: Uint8Array; what: string } {
  const out = Uint8Array.from(bytes);
  const n = 1 + Math.floor(r() * 8);
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(r() * (r() < 0.5 ? Math.min(512, out.length) : out.length));
    out[k]! ^= 1 << Math.floor(r() * 8);
    at.push(k);
  }
  return { bytes: out, what: `bits flipped at bytes ${at.join(',')}` };
}

/** Cuts the file at a random length. */
export function truncate(bytes: Uint8Array, r: Random): { bytes: Uint8Array; what: string } {
  const n = Math.floor(r() * bytes.length);
  return { bytes: bytes.slice(0, n), what: `truncated to ${n} of ${bytes.length} bytes` };
}

/** Marks a value that JSON.stringify cannot write (Infinity); replaced by raw JSON text after stringifying. */
const RAW_INFINITY = '__raw_1e309__';
const stringify = (v: unknown) => JSON.stringify(v).replaceAll(`"${RAW_INFINITY}"`, '1e309');

/** Hostile replacements for a JSON value, by the type it has. */
function hostileFor(v: unknown): unknown[] {
  if (typeof v === 'number') return ['abc', null, -1, 0, 1.5, 500, -129, 2 ** 31, RAW_INFINITY, -v - 1, [v]];
  if (typeof v === 'string') return [5, null, '', `${v}#missing`, [v]];
  if (typeof v === 'boolean') return ['true', 1, null];
  if (Array.isArray(v)) return [[], null, 'x', {}, [...v, ...v], v.slice(1), [null]];
  return [null, 'x', [], 7];
}

/** Every path to a value inside `root` (arrays longer than 64 are treated as one value: weights and anchors). */
function paths(
  root: unknown,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  if (prefix.length > 0) out.push(prefix);
  if (Array.isArray(root) && root.length <= 64)
    root.forEach((v, i) => {
      paths(v, [...prefix, i], out);
    });
  else if (typeof root === 'object' && root !== null && !Array.isArray(root))
    for (const [k, v] of Object.entries(root)) paths(v, [...prefix, k], out);
  return out;
}

/** Replaces (or deletes) one value of a JSON document, chosen at random; returns the edited text. */
export function editJson(text: string, r: Random): { text: string; what: string } {
  const doc = JSON.parse(text) as unknown;
  const all = paths(doc);
  const path = pick(r, all);
  let parent = doc as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const key = path[path.length - 1] as string | number;
  const old = parent[key];
  const where = path.join('.');
  if (!Array.isArray(parent) && r() < 0.15) {
    delete parent[key];
    return { text: stringify(doc), what: `deleted ${where}` };
  }
  const value = pick(r, hostileFor(old));
  parent[key] = value;
  return {
    text: stringify(doc),
    what: `${where}: ${JSON.stringify(old)?.slice(0, 40)} → ${value === RAW_INFINITY ? '1e309' : JSON.stringify(value)?.slice(0, 40)}`,
  };
}

const PREAMBLE = 20;
const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** Edits one field of an artifact's JSON header, moves the data section behind the new header and re-seals the checksum. */
export function editArtifactHeader(bytes: Uint8Array, r: Random): { bytes: Uint8Array; what: string } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(12, true);
  const data = bytes.subarray(align16(PREAMBLE + length));
  const { text, what } = editJson(Buffer.from(bytes.subarray(PREAMBLE, PREAMBLE + length)).toString('utf8'), r);
  const header = Buffer.from(text, 'utf8');
  const start = align16(PREAMBLE + header.length);
  const out = new Uint8Array(start + data.length);
  out.set(bytes.subarray(0, PREAMBLE));
  new DataView(out.buffer).setUint32(12, header.length, true);
  out.set(header, PREAMBLE);
  out.set(data, start);
  sealArtifact(out);
  return { bytes: out, what: `header ${what}` };
}

/** Hostile float32 values for a quantization scale. */
const BAD_FLOATS = [0, -0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-45, 3e38];

/** Overwrites one of the graph's float32 scales where it lies in a .tflite (found by its bytes) with a hostile value. */
export function editTfliteScale(
  bytes: Uint8Array,
  scales: readonly number[],
  r: Random,
): { bytes: Uint8Array; what: string } {
  const out = Uint8Array.from(bytes);
  const scale = pick(r, scales);
  const needle = Buffer.from(Float32Array.of(scale).buffer);
  const at = Buffer.from(out).indexOf(needle);
  const value = pick(r, BAD_FLOATS);
  if (at >= 0) out.set(new Uint8Array(Float32Array.of(value).buffer), at);
  return { bytes: out, what: `scale ${scale} at byte ${at} → ${value}` };
}

/** Edits one field of an ONNX model: an initializer's values, dims or type, a node's attribute, input or op type. */
export function editOnnx(bytes: Uint8Array, r: Random): { bytes: Uint8Array; what: string } {
  const m = onnx.ModelProto.decode(bytes);
  const g = m.graph as onnxProto.onnx.GraphProto;
  const T = onnx.TensorProto.DataType;
  const kind = pick(r, ['value', 'value', 'dims', 'type', 'attr', 'attr', 'input', 'op', 'shorten'] as const);
  if (kind === 'attr' || kind === 'input' || kind === 'op') {
    const n = pick(r, g.node as onnxProto.onnx.NodeProto[]);
    if (kind === 'op') {
      const old = n.opType;
      n.opType = pick(r, ['Conv', 'QLinearConv', 'Relu', 'Tanh', '']);
      return { bytes: onnx.ModelProto.encode(m).finish(), what: `node ${n.name} op ${old} → ${n.opType}` };
    }
    if (kind === 'input') {
      const i = Math.floor(r() * n.input.length);
      n.input[i] = pick(r, ['', 'missing', n.output[0] ?? 'x']);
      return { bytes: onnx.ModelProto.encode(m).finish(), what: `node ${n.name} input ${i} → '${n.input[i]}'` };
    }
    if (n.attribute.length === 0) return { bytes, what: `node ${n.name} has no attributes (unchanged)` };
    const a = pick(r, n.attribute as onnxProto.onnx.AttributeProto[]);
    const ints = pick(r, [[0, 0], [0, 1], [-1, 1], [1], [1, 1, 1], [2 ** 40, 1], [-5, -5, -5, -5]]);
    if (a.ints && a.ints.length > 0) a.ints = ints;
    else a.i = pick(r, [0, -1, 3, 1000]);
    return {
      bytes: onnx.ModelProto.encode(m).finish(),
      what: `node ${n.name} attribute ${a.name} → ${a.ints?.length ? JSON.stringify(ints) : String(a.i)}`,
    };
  }
  const t = pick(r, g.initializer as onnxProto.onnx.TensorProto[]);
  const raw = t.rawData;
  if (kind === 'dims') {
    const old = t.dims.map(Number);
    t.dims = pick(r, [[], [0], [...old, 1], old.slice(1), old.map((d) => d + 1), [-1]]);
    return { bytes: onnx.ModelProto.encode(m).finish(), what: `initializer ${t.name} dims ${old} → ${t.dims}` };
  }
  if (kind === 'type') {
    const old = t.dataType;
    t.dataType = pick(r, [T.FLOAT, T.INT8, T.UINT8, T.INT32, T.INT64, T.DOUBLE]);
    return { bytes: onnx.ModelProto.encode(m).finish(), what: `initializer ${t.name} type ${old} → ${t.dataType}` };
  }
  if (kind === 'shorten') {
    t.rawData = raw.slice(0, Math.max(0, raw.length - pick(r, [1, 4, raw.length])));
    return {
      bytes: onnx.ModelProto.encode(m).finish(),
      what: `initializer ${t.name} raw data shortened to ${t.rawData.length} bytes`,
    };
  }
  // A hostile value in place: a float gets a bad scale value, an integer the extreme of its type.
  const copy = Uint8Array.from(raw);
  const view = new DataView(copy.buffer);
  let what: string;
  if (t.dataType === T.FLOAT && copy.length >= 4) {
    const v = pick(r, BAD_FLOATS);
    const i = 4 * Math.floor((r() * copy.length) / 4);
    view.setFloat32(i, v, true);
    what = `float ${i / 4} → ${v}`;
  } else if (t.dataType === T.INT8 && copy.length >= 1) {
    const v = pick(r, [-128, 127, 1, -1]);
    const i = Math.floor(r() * copy.length);
    view.setInt8(i, v);
    what = `int8 ${i} → ${v}`;
  } else if (t.dataType === T.INT64 && copy.length >= 8) {
    const v = pick(r, [0n, -1n, 2n ** 40n, -(2n ** 62n)]);
    const i = 8 * Math.floor((r() * copy.length) / 8);
    view.setBigInt64(i, v, true);
    what = `int64 ${i / 8} → ${v}`;
  } else if (copy.length >= 4) {
    const v = pick(r, [2 ** 31 - 1, -(2 ** 31)]);
    view.setInt32(0, v, true);
    what = `int32 0 → ${v}`;
  } else {
    return { bytes, what: `initializer ${t.name} is empty (unchanged)` };
  }
  t.rawData = copy;
  return { bytes: onnx.ModelProto.encode(m).finish(), what: `initializer ${t.name} ${what}` };
}

/** The mutations of one fixture: `count` of them, from `seed`, spread over the format's mutators. */
export function mutants(
  fx: Fixture,
  count: number,
  seed: number,
  random: (seed: number) => Random,
  scales: readonly number[],
): Mutant[] {
  const r = random(seed);
  const out: Mutant[] = [];
  for (let i = 0; i < count; i++) {
    const kind = pick(r, ['flip', 'flip', 'truncate', 'field', 'field', 'field'] as const);
    // TF.js: the shard takes flips and truncations too, model.json takes field edits and truncations.
    if (fx.format === 'tfjs' && kind !== 'field' && r() < 0.5 && fx.shard) {
      const m = kind === 'flip' ? flipBits(fx.shard, r) : truncate(fx.shard, r);
      out.push({ ...fx, shard: m.bytes, what: `shard ${m.what}` });
      continue;
    }
    let m: { bytes: Uint8Array; what: string };
    if (kind === 'flip') m = flipBits(fx.bytes, r);
    else if (kind === 'truncate') m = truncate(fx.bytes, r);
    else if (fx.format === 'artifact') m = editArtifactHeader(fx.bytes, r);
    else if (fx.format === 'tfjs') {
      const e = editJson(Buffer.from(fx.bytes).toString('utf8'), r);
      m = { bytes: new Uint8Array(Buffer.from(e.text)), what: `model.json ${e.what}` };
    } else if (fx.format === 'tflite') m = editTfliteScale(fx.bytes, scales, r);
    else m = editOnnx(fx.bytes, r);
    out.push({ ...fx, bytes: m.bytes, what: m.what });
  }
  return out;
}
