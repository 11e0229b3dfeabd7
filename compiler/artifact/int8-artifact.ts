/**
 * @fileoverview The quantized artifact `tinyedge quantize` writes and `predict`, `export` and `compile` read: one
 * file holding the int8 graph, its constants and what running it needs (labels, image preprocessing).
 *
 * Layout (all integers little-endian):
 *   0   8 bytes  magic "TEDGEQ8\0"
 *   8   uint32   format version (ARTIFACT_VERSION)
 *   12  uint32   H, byte length of the header
 *   16  H bytes  UTF-8 JSON header (ArtifactHeader): model, labels, preprocessing, calibration, and the graph with
 *                each constant's {offset, byteLength} into the data section
 *   …   zero padding to a multiple of 16
 *   …   data section: each constant's elements (int8, int32 or f32, little-endian), each at a 16-byte aligned offset
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { Graph, Node } from '../ir/graph.ts';
import { DType, DTYPE_BYTES, Quantization, Tensor, TensorData, sizeOf } from '../ir/tensor.ts';
import { verifyGraph } from '../ir/verify.ts';
import { TinyedgeError } from '../errors.ts';
import { SsdDetection } from '../ir/detection.ts';
import type { CwtConfig } from '../audio/cwt-kernels.ts';

/** First bytes of every artifact. */
export const ARTIFACT_MAGIC = 'TEDGEQ8\0';
/** Format version written; readers refuse others. */
export const ARTIFACT_VERSION = 1;

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

interface TensorRecord {
  name: string;
  shape: number[];
  dtype: DType;
  quant?: Quantization;
  data?: { offset: number; byteLength: number };
}

interface ArtifactHeader {
  model: string;
  labels?: string[];
  preprocessing: ArtifactPreprocessing;
  calibration: ArtifactCalibration;
  graph: { inputs: string[]; outputs: string[]; tensors: TensorRecord[]; nodes: Node[] };
  /** A detector's post-processing, anchors as a plain array (f32 values survive JSON exactly). */
  detection?: Omit<SsdDetection, 'anchors'> & { anchors: number[] };
  audio?: CwtConfig;
}

const ALIGN = 16;
const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

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
  const dataStart = align(16 + json.length);
  const out = new Uint8Array(dataStart + offset);
  out.set(Buffer.from(ARTIFACT_MAGIC, 'latin1'), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, ARTIFACT_VERSION, true);
  view.setUint32(12, json.length, true);
  out.set(json, 16);
  let o = dataStart;
  for (const d of constants) {
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), o);
    o = dataStart + align(o - dataStart + d.byteLength);
  }
  return out;
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

/** Parses an artifact, checking every offset and length, then verifies the graph; errors name `file`. */
export function decodeArtifact(bytes: Uint8Array, file: string): Int8Artifact {
  const fail = (what: string): never => {
    throw new TinyedgeError(`not a valid tinyedge artifact: ${what}`, { file });
  };
  if (!isArtifactBytes(bytes)) fail('wrong magic (expected a file written by `tinyedge quantize`)');
  if (bytes.length < 16) fail('truncated header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== ARTIFACT_VERSION) fail(`format version ${version}, this tinyedge reads version ${ARTIFACT_VERSION}`);
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength > bytes.length) fail('truncated header');
  let header: ArtifactHeader;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(16, 16 + headerLength)).toString('utf8')) as ArtifactHeader;
  } catch (e) {
    return fail(`malformed header: ${(e as Error).message}`);
  }
  const dataStart = align(16 + headerLength);
  const tensors = new Map<string, Tensor>();
  for (const rec of header.graph?.tensors ?? fail('the header has no graph')) {
    if (!(rec.dtype in ARRAY_OF)) fail(`tensor '${rec.name}' has unknown dtype '${rec.dtype}'`);
    const t: Tensor = { name: rec.name, shape: rec.shape, dtype: rec.dtype, ...(rec.quant ? { quant: rec.quant } : {}) };
    if (rec.data) {
      const need = sizeOf(rec.shape) * DTYPE_BYTES[rec.dtype];
      if (rec.data.byteLength !== need) fail(`tensor '${rec.name}' stores ${rec.data.byteLength} bytes, its shape needs ${need}`);
      const start = dataStart + rec.data.offset;
      if (start + need > bytes.length) fail(`tensor '${rec.name}' lies past the end of the file (truncated?)`);
      // Copy into a fresh, aligned buffer: typed arrays need element alignment and the artifact may be reused.
      const copy = Uint8Array.from(bytes.subarray(start, start + need));
      t.data = new ARRAY_OF[rec.dtype](copy.buffer, 0, sizeOf(rec.shape));
    }
    tensors.set(rec.name, t);
  }
  const detection = header.detection ? { ...header.detection, anchors: Float32Array.from(header.detection.anchors) } : undefined;
  const graph: Graph = { source: file, tensors, nodes: header.graph.nodes, inputs: header.graph.inputs, outputs: header.graph.outputs, ...(detection ? { detection } : {}) };
  verifyGraph(graph);
  return { model: header.model, graph, ...(header.labels ? { labels: header.labels } : {}), preprocessing: header.preprocessing, calibration: header.calibration, ...(header.audio ? { audio: header.audio } : {}) };
}
