/**
 * @fileoverview The quantized artifact `tinyedge quantize` writes and `predict`, `export` and `compile` read: one
 * file holding the int8 graph, its constants and what running it needs (labels, image preprocessing).
 *
 * Layout (all integers little-endian):
 *   0   8 bytes  magic "TEDGEQ8\0"
 *   8   uint32   format version (ARTIFACT_VERSION)
 *   12  uint32   H, byte length of the header
 *   16  uint32   CRC-32 of every byte from offset 20 to the end: a flipped or lost byte is refused, not run
 *   20  H bytes  UTF-8 JSON header (ArtifactHeader): model, labels, preprocessing, calibration, and the graph with
 *                each constant's {offset, byteLength} into the data section
 *   …   zero padding to a multiple of 16
 *   …   data section: each constant's elements (int8, int32 or f32, little-endian), each at a 16-byte aligned offset
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import type { CwtConfig } from '../audio/cwt-kernels.ts';
import { TinyedgeError, withPlace } from '../errors.ts';
import type { Graph } from '../ir/graph.ts';
import { DTYPE_BYTES, type DType, sizeOf, type Tensor, type TensorData } from '../ir/tensor.ts';
import { verifyGraph } from '../ir/verify.ts';
import { verifyQuantizedGraph } from '../ir/verify-quantized.ts';
import { prepareInt8Node } from '../quantize/prepare/prepare-int8.ts';
import {
  type ArtifactCalibration,
  type ArtifactHeader,
  type ArtifactPreprocessing,
  align,
  checkArtifactHeader,
  type TensorRecord,
} from './artifact-header.ts';

/** First bytes of every artifact. */
export const ARTIFACT_MAGIC = 'TEDGEQ8\0';
/** Format version written (version 2 added the checksum); version 1 files, without it, are still read. */
export const ARTIFACT_VERSION = 2;
/** Bytes before the header by version: magic, version, header length, and from version 2 the checksum. */
const PREAMBLE: Readonly<Record<number, number>> = { 1: 16, 2: 20 };

export type { ArtifactCalibration, ArtifactPreprocessing } from './artifact-header.ts';

/** A quantized model with everything needed to run it. */
export interface Int8Artifact {
  /** The model it was made from (`nsfwjs:mobilenet_v2_mid` or a path). */
  model: string;
  graph: Graph;
  labels?: string[];
  preprocessing: ArtifactPreprocessing;
  calibration: ArtifactCalibration;
  /** An audio model's CWT front end (its input is the scalogram of a WAV clip). */
  audio?: CwtConfig;
}

const ARRAY_OF: Record<DType, new (b: ArrayBuffer, o: number, n: number) => TensorData> = {
  f32: Float32Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
};

/** Serializes an artifact to bytes. */
export function encodeArtifact(a: Int8Artifact): Uint8Array {
  const g = a.graph;
  const constants: TensorData[] = [];
  let offset = 0;
  const tensors: TensorRecord[] = [...g.tensors.values()].map((t) => {
    const rec: TensorRecord = { name: t.name, shape: t.shape, dtype: t.dtype, ...(t.quant ? { quant: t.quant } : {}) };
    if (t.data) {
      rec.data = { offset, byteLength: t.data.byteLength };
      constants.push(t.data);
      offset = align(offset + t.data.byteLength);
    }
    return rec;
  });
  const header: ArtifactHeader = {
    model: a.model,
    ...(a.labels ? { labels: a.labels } : {}),
    preprocessing: a.preprocessing,
    calibration: a.calibration,
    graph: { inputs: g.inputs, outputs: g.outputs, tensors, nodes: g.nodes },
    ...(g.detection ? { detection: { ...g.detection, anchors: Array.from(g.detection.anchors) } } : {}),
    ...(a.audio ? { audio: a.audio } : {}),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const dataStart = align(PREAMBLE[ARTIFACT_VERSION]! + json.length);
  const out = new Uint8Array(dataStart + offset);
  out.set(Buffer.from(ARTIFACT_MAGIC, 'latin1'), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, ARTIFACT_VERSION, true);
  view.setUint32(12, json.length, true);
  out.set(json, PREAMBLE[ARTIFACT_VERSION]);
  let o = dataStart;
  for (const d of constants) {
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), o);
    o = dataStart + align(o - dataStart + d.byteLength);
  }
  sealArtifact(out);
  return out;
}

/** Writes the checksum of an artifact's bytes in place (after the header or data changed). */
export function sealArtifact(bytes: Uint8Array): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(
    16,
    crc32(bytes.subarray(PREAMBLE[ARTIFACT_VERSION])),
    true,
  );
}

/** True when the bytes start with the artifact magic. */
export function isArtifactBytes(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && Buffer.from(bytes.subarray(0, 8)).toString('latin1') === ARTIFACT_MAGIC;
}

/** True when `file` is a readable tinyedge artifact (by its magic). */
export function isArtifactFile(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = new Uint8Array(8);
    return readSync(fd, head, 0, 8, 0) === 8 && isArtifactBytes(head);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Parses an artifact, checking its checksum, every header field, offset and length, then verifies the quantized graph; errors name `file`. */
export function decodeArtifact(bytes: Uint8Array, file: string): Int8Artifact {
  const fail = (what: string): never => {
    throw new TinyedgeError('TE105', `not a valid tinyedge artifact: ${what}`, { file });
  };
  if (!isArtifactBytes(bytes)) fail('wrong magic (expected a file written by `tinyedge quantize`)');
  if (bytes.length < PREAMBLE[ARTIFACT_VERSION]!) fail('truncated header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  const preamble = PREAMBLE[version]!;
  if (preamble === undefined)
    fail(
      `format version ${version}, this tinyedge reads versions 1 to ${ARTIFACT_VERSION} (a newer tinyedge wrote it, or the file is damaged)`,
    );
  // A version 1 artifact has no checksum: every field is still checked below, but a flipped weight goes unseen.
  if (version >= 2 && view.getUint32(16, true) !== crc32(bytes.subarray(preamble)))
    fail('checksum mismatch: the file is damaged or truncated');
  const headerLength = view.getUint32(12, true);
  if (preamble + headerLength > bytes.length) fail('truncated header');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.subarray(preamble, preamble + headerLength)).toString('utf8'));
  } catch (e) {
    return fail(`malformed header: ${(e as Error).message}`);
  }
  const dataStart = align(preamble + headerLength);
  const header = checkArtifactHeader(parsed, Math.max(0, bytes.length - dataStart), file);
  const tensors = new Map<string, Tensor>();
  for (const rec of header.graph.tensors) tensors.set(rec.name, tensorOf(rec, bytes, dataStart, file));
  const detection = header.detection
    ? { ...header.detection, anchors: Float32Array.from(header.detection.anchors) }
    : undefined;
  const graph: Graph = {
    source: file,
    tensors,
    nodes: header.graph.nodes,
    inputs: header.graph.inputs,
    outputs: header.graph.outputs,
    ...(detection ? { detection } : {}),
  };
  verifyGraph(graph);
  verifyQuantizedGraph(graph);
  // What TFLM's Prepare refuses (a softmax β the integer tables cannot take, a multiplier out of range) fails here, naming the node.
  for (const node of graph.nodes)
    withPlace({ file, node: node.name, op: node.op }, () => prepareInt8Node(graph, node), true);
  return {
    model: header.model,
    graph,
    ...(header.labels ? { labels: header.labels } : {}),
    preprocessing: header.preprocessing,
    calibration: header.calibration,
    ...(header.audio ? { audio: header.audio } : {}),
  };
}

/** The IR tensor of a checked record, its constant copied out of the data section (typed arrays need alignment). */
function tensorOf(rec: TensorRecord, bytes: Uint8Array, dataStart: number, file: string): Tensor {
  const t: Tensor = { name: rec.name, shape: rec.shape, dtype: rec.dtype, ...(rec.quant ? { quant: rec.quant } : {}) };
  if (!rec.data) return t;
  const need = sizeOf(rec.shape) * DTYPE_BYTES[rec.dtype];
  if (rec.data.byteLength !== need)
    throw new TinyedgeError(
      'TE105',
      `not a valid tinyedge artifact: stores ${rec.data.byteLength} bytes, its shape needs ${need}`,
      { file, node: rec.name, op: 'const' },
    );
  const start = dataStart + rec.data.offset;
  const copy = Uint8Array.from(bytes.subarray(start, start + need));
  t.data = new ARRAY_OF[rec.dtype](copy.buffer, 0, sizeOf(rec.shape));
  return t;
}
