/**
 * @fileoverview The artifact's JSON header checked field by field before anything uses it: a header is untrusted
 * input (hand-edited, written by another tool, or damaged), so every field has the type and range the reader
 * relies on, and each constant's bytes lie inside the data section, 16-byte aligned, one after another as written.
 */
import { TinyedgeError } from '../errors.ts';
import type { SsdDetection } from '../ir/detection.ts';
import type { Node } from '../ir/graph.ts';
import { DTYPE_BYTES, type DType } from '../ir/tensor.ts';

/** How a photo becomes the model's f32 input: pixel·scale + offset. */
export interface ArtifactPreprocessing {
  scale: number;
  offset: number;
}

/** What the artifact records about how it was made. */
export interface ArtifactCalibration {
  method: string;
  images: number;
  biasCorrection: boolean;
}

import type { CwtConfig } from '../audio/cwt-kernels.ts';

/** One tensor of the header: a constant's bytes are `byteLength` bytes at `offset` into the data section. */
export interface TensorRecord {
  name: string;
  shape: number[];
  dtype: DType;
  quant?: { scale: number[]; zeroPoint: number[]; axis?: number; bits?: 4 };
  data?: { offset: number; byteLength: number };
}

/** The header as written by encodeArtifact. */
export interface ArtifactHeader {
  model: string;
  labels?: string[];
  preprocessing: ArtifactPreprocessing;
  calibration: ArtifactCalibration;
  graph: { inputs: string[]; outputs: string[]; tensors: TensorRecord[]; nodes: Node[] };
  /** A detector's post-processing, anchors as a plain array (f32 values survive JSON exactly). */
  detection?: Omit<SsdDetection, 'anchors'> & { anchors: number[] };
  audio?: CwtConfig;
}

/** Alignment of each constant in the data section. */
export const ALIGN = 16;
/** `n` rounded up to the alignment. */
export const align = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/**
 * Checks the parsed header against the artifact layout: `dataBytes` is the length of the data section. Quantization
 * values and node attributes are left to the graph verifiers, which check them for every quantized format alike.
 */
export function checkArtifactHeader(value: unknown, dataBytes: number, file: string): ArtifactHeader {
  const fail = (what: string, node?: string, op?: string): never => {
    throw new TinyedgeError('TE105', `not a valid tinyedge artifact: ${what}`, {
      file,
      ...(node !== undefined ? { node, op } : {}),
    });
  };
  if (!isObject(value)) return fail('the header is not a JSON object');
  const h = value;
  if (typeof h.model !== 'string') fail("header field 'model' is not a string");
  if (h.labels !== undefined && !isStrings(h.labels)) fail("header field 'labels' is not a list of strings");
  const pre = h.preprocessing;
  if (!isObject(pre) || !isFiniteNumber(pre.scale) || !isFiniteNumber(pre.offset))
    fail("header field 'preprocessing' needs finite numbers 'scale' and 'offset'");
  const cal = h.calibration;
  if (
    !isObject(cal) ||
    typeof cal.method !== 'string' ||
    !isCount(cal.images) ||
    typeof cal.biasCorrection !== 'boolean'
  )
    fail("header field 'calibration' needs 'method', 'images' and 'biasCorrection'");
  const g = h.graph;
  if (
    !isObject(g) ||
    !isStrings(g.inputs) ||
    !isStrings(g.outputs) ||
    !Array.isArray(g.tensors) ||
    !Array.isArray(g.nodes)
  )
    fail("header field 'graph' needs lists 'inputs', 'outputs', 'tensors' and 'nodes'");
  const graph = g as Json & { tensors: unknown[]; nodes: unknown[] };
  if (!graph.nodes.every(isObject)) fail('a graph node is not an object');
  const names = new Set<string>();
  let next = 0;
  for (const rec of graph.tensors) {
    if (!isObject(rec) || typeof rec.name !== 'string') return fail('a tensor record lacks a name');
    const at = (what: string) => fail(what, rec.name as string, 'const');
    if (names.has(rec.name)) at('two tensors share this name');
    names.add(rec.name);
    if (typeof rec.dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, rec.dtype))
      at(`unknown dtype ${JSON.stringify(rec.dtype)}`);
    if (!Array.isArray(rec.shape) || !rec.shape.every(isCount))
      at(`shape ${JSON.stringify(rec.shape)} is not a list of sizes`);
    if (rec.quant !== undefined && !isObject(rec.quant)) at('quantization is not an object');
    if (rec.data === undefined) continue;
    const d = rec.data;
    if (!isObject(d) || !isCount(d.offset) || !isCount(d.byteLength))
      return at('data needs integer offset and byteLength');
    if (d.offset % ALIGN !== 0) at(`data offset ${d.offset} is not ${ALIGN}-byte aligned`);
    // encodeArtifact writes the constants in order, each at the next aligned offset: anything else overlaps or skips bytes.
    if (d.offset !== next)
      at(`data offset ${d.offset} is not where the previous constant ends (${next}): constants overlap or leave a gap`);
    if (d.offset + d.byteLength > dataBytes)
      at(
        `data bytes ${d.offset}..${d.offset + d.byteLength} lie past the end of the data section (${dataBytes} bytes; truncated?)`,
      );
    next = align(d.offset + d.byteLength);
  }
  if (h.detection !== undefined) checkDetection(h.detection, fail);
  if (h.audio !== undefined) checkAudio(h.audio, fail);
  return h as unknown as ArtifactHeader;
}

function checkDetection(d: unknown, fail: (what: string) => never): void {
  const bad = (field: string) => fail(`header field 'detection.${field}' is missing or out of range`);
  if (!isObject(d)) return bad('(object)');
  if (typeof d.boxesOutput !== 'string') bad('boxesOutput');
  if (typeof d.scoresOutput !== 'string') bad('scoresOutput');
  if (!Array.isArray(d.anchors) || d.anchors.length % 4 !== 0 || !d.anchors.every(isFiniteNumber)) bad('anchors');
  const s = d.boxScales;
  if (!isObject(s) || ![s.y, s.x, s.h, s.w].every((v) => isFiniteNumber(v) && v > 0)) bad('boxScales');
  if (d.scoreConversion !== 'sigmoid' && d.scoreConversion !== 'identity') bad('scoreConversion');
  if (typeof d.backgroundClass !== 'boolean') bad('backgroundClass');
  if (typeof d.classAgnostic !== 'boolean') bad('classAgnostic');
  if (d.labels !== undefined && !isStrings(d.labels)) bad('labels');
  if (!isFiniteNumber(d.scoreThreshold)) bad('scoreThreshold');
  if (!isFiniteNumber(d.iouThreshold)) bad('iouThreshold');
  if (!Number.isInteger(d.maxDetections) || (d.maxDetections as number) < 1) bad('maxDetections');
}

function checkAudio(a: unknown, fail: (what: string) => never): void {
  if (!isObject(a)) return void fail("header field 'audio' is not an object");
  for (const key of ['sampleRate', 'samples', 'rows', 'columns', 'subsamples'] as const) {
    if (!Number.isInteger(a[key]) || (a[key] as number) < 1)
      fail(`header field 'audio.${key}' is not a positive integer`);
  }
  for (const key of ['minHz', 'maxHz', 'omega0'] as const) {
    if (!isFiniteNumber(a[key]) || (a[key] as number) <= 0)
      fail(`header field 'audio.${key}' is not a positive number`);
  }
}
