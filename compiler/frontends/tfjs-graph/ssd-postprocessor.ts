/**
 * @fileoverview Recognizes a TF Object Detection API SSD graph by its Postprocessor (score conversion, box decoding
 * against constant anchors, per-class NMS) and reads what the post-processing needs from it: the raw box encodings
 * and class predictions to cut at, the anchors, the box coder's scales, the background class and NMS settings.
 * Everything from the cut on (while loops, NonMaxSuppression) is then run by tinyedge's own post-processing.
 */
import { TinyedgeError } from '../../errors.ts';
import type { SsdDetection } from '../../ir/detection.ts';
import { canonicalRef, dataInputs, parseRef, readersOf } from './tf-graph.ts';
import type { TfNode } from './tf-node.ts';

/** The raw outputs to cut at (TF tensor refs) and the post-processing that follows them. */
export interface TfSsdHead {
  boxes: string;
  scores: string;
  detection: Omit<SsdDetection, 'boxesOutput' | 'scoresOutput'>;
}

/** Values of a constant node by name, or undefined for other nodes. */
export type ConstData = (node: string) => Float32Array | undefined;

const POSTPROCESSOR = /(^|\/)Postprocessor\//;
const NMS_OPS = new Set(['NonMaxSuppressionV3', 'NonMaxSuppressionV4', 'NonMaxSuppressionV5']);
/** Ops between a raw output and the box decoder that only move values (flatten the batch, transpose to rows). */
const PASS_THROUGH = new Set(['Identity', 'Reshape', 'Transpose', 'Squeeze']);

/** A ratio read back from constants stored with rounding (float32, TF.js's uint8 weights): six significant digits. */
function tidy(x: number): number {
  return Number(x.toPrecision(6));
}

class PostprocessorReader {
  private readonly byName: Map<string, TfNode>;
  private readonly readers: Map<string, TfNode[]>;

  constructor(
    nodes: readonly TfNode[],
    private readonly constData: ConstData,
    private readonly file: string,
  ) {
    this.byName = new Map(nodes.map((n) => [n.name, n]));
    this.readers = readersOf(nodes);
  }

  fail(what: string, at?: TfNode): never {
    throw new TinyedgeError(
      'TE113',
      `TF Object Detection API post-processing not recognized: ${what}; give --outputs to cut the graph yourself`,
      { file: this.file, node: at?.name, op: at?.op },
    );
  }

  node(ref: string): TfNode {
    return this.byName.get(parseRef(ref).node) ?? this.fail(`'${ref}' names no node`);
  }

  /** Walks back from `ref` past ops that only move values, to the tensor the model computes. */
  source(ref: string): string {
    let r = ref;
    for (let n = this.node(r); PASS_THROUGH.has(n.op); n = this.node(r)) r = dataInputs(n)[0]!;
    return canonicalRef(r);
  }

  /** The one node reading `ref`, which must be `op` (Mul, AddV2, Exp), and its constant operand if it has one. */
  step(ref: string, ops: string[], at: TfNode): { out: string; constant?: Float32Array } {
    const readers = this.readers.get(canonicalRef(ref)) ?? [];
    const n = readers.length === 1 ? readers[0] : undefined;
    if (!n || !ops.includes(n.op)) this.fail(`'${ref}' should be read by one ${ops.join('/')} in the box decoder`, at);
    const other = dataInputs(n).find((r) => canonicalRef(r) !== canonicalRef(ref));
    return { out: n.name, constant: other === undefined ? undefined : this.constData(parseRef(other).node) };
  }

  /** The nodes reading a node's output 0. */
  readersFor(n: TfNode): TfNode[] {
    return this.readers.get(n.name) ?? [];
  }

  constant(ref: string, at: TfNode): Float32Array {
    return this.constData(parseRef(ref).node) ?? this.fail(`input '${ref}' should be a constant`, at);
  }

  /** The first value of the constant input `ref` (a setting such as NMS's thresholds). */
  scalar(ref: string, at: TfNode): number {
    return this.constant(ref, at)[0] ?? this.fail(`input '${ref}' is an empty constant`, at);
  }
}

/**
 * Box decoding (faster_rcnn_box_coder) after TF's constant folding: rows ty, tx, th, tw of the encodings;
 * y = ty·(ha/sy) + ya, h = exp(th·(1/sh))·ha, and likewise for x and w. Reads ya, xa, ha, wa and the four scales.
 */
function readDecoder(p: PostprocessorReader, unstack: TfNode) {
  const row = (k: number) => (k === 0 ? unstack.name : `${unstack.name}:${k}`);
  const center = (k: number) => {
    const scaled = p.step(row(k), ['Mul'], unstack);
    const shifted = p.step(scaled.out, ['AddV2', 'Add'], unstack);
    if (!scaled.constant || !shifted.constant)
      p.fail(`row ${k} of the encodings is not scaled and shifted by constants`, unstack);
    return { sizeOverScale: scaled.constant, center: shifted.constant };
  };
  const size = (k: number) => {
    const scaled = p.step(row(k), ['Mul'], unstack);
    const exp = p.step(scaled.out, ['Exp'], unstack);
    const sized = p.step(exp.out, ['Mul'], unstack);
    if (scaled.constant?.length !== 1 || !sized.constant)
      p.fail(
        `row ${k} of the encodings is not scaled by a constant, exponentiated and multiplied by the anchor sizes`,
        unstack,
      );
    return { scale: tidy(1 / scaled.constant[0]!), size: sized.constant };
  };
  const [y, x, h, w] = [center(0), center(1), size(2), size(3)];
  const n = y.center.length;
  if ([x.center, h.size, w.size, y.sizeOverScale, x.sizeOverScale].some((a) => a.length !== n))
    p.fail('the anchor constants differ in length', unstack);
  const anchors = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) anchors.set([y.center[i]!, x.center[i]!, h.size[i]!, w.size[i]!], i * 4);
  // The center rows use anchor size / scale, folded into one constant per anchor: the scale is their common ratio.
  const ratio = (sizes: Float32Array, folded: Float32Array, axis: string) => {
    const r = Array.from(sizes, (s, i) => s / folded[i]!).sort((a, b) => a - b);
    const median = r[r.length >> 1]!;
    if (r.some((v) => Math.abs(v - median) > 1e-3 * median))
      p.fail(`the ${axis} scale differs between anchors (${r[0]}..${r[r.length - 1]})`, unstack);
    return tidy(median);
  };
  return {
    anchors,
    boxScales: {
      y: ratio(h.size, y.sizeOverScale, 'y'),
      x: ratio(w.size, x.sizeOverScale, 'x'),
      h: h.scale,
      w: w.scale,
    },
  };
}

/** The NMS settings: every per-class NonMaxSuppression of the Postprocessor must agree. */
function readNms(p: PostprocessorReader, nms: TfNode[]) {
  const settings = nms.map((n) => {
    const [, , maxOut, iou, score, sigma] = dataInputs(n);
    if (!maxOut || !iou || !score)
      p.fail('NonMaxSuppression without max_output_size, iou_threshold and score_threshold', n);
    if (sigma !== undefined && p.scalar(sigma, n) !== 0) p.fail('soft NMS (soft_nms_sigma ≠ 0) is not supported', n);
    return { maxDetections: p.scalar(maxOut, n), iouThreshold: p.scalar(iou, n), scoreThreshold: p.scalar(score, n) };
  });
  const first = settings[0]!;
  if (
    settings.some(
      (s) =>
        s.maxDetections !== first.maxDetections ||
        s.iouThreshold !== first.iouThreshold ||
        s.scoreThreshold !== first.scoreThreshold,
    )
  ) {
    p.fail('the per-class NonMaxSuppression ops disagree on their settings', nms[0]);
  }
  // One NMS per class (TF OD API's default), or one over all classes (use_class_agnostic_nms). maxDetections is the
  // per-class max_output_size; SsdDetection has one bound for per-class and total (TF's max_total_detections).
  return { ...first, classAgnostic: nms.length === 1 };
}

/**
 * The SSD head of a TF OD API graph, or undefined when the graph has no Postprocessor (an ordinary graph). A
 * Postprocessor whose parts are not the ones described above is an error: importing it whole would fail anyway.
 */
export function findTfOdApiSsd(nodes: readonly TfNode[], constData: ConstData, file: string): TfSsdHead | undefined {
  const post = nodes.filter((n) => POSTPROCESSOR.test(n.name));
  if (post.length === 0) return undefined;
  const p = new PostprocessorReader(nodes, constData, file);
  const convert =
    post.find((n) => /Postprocessor\/convert_scores$/.test(n.name)) ?? p.fail("no 'Postprocessor/convert_scores' node");
  const scoreConversion =
    convert.op === 'Sigmoid'
      ? 'sigmoid'
      : convert.op === 'Identity'
        ? 'identity'
        : p.fail(`score conversion by ${convert.op} is not supported (Sigmoid and Identity are)`, convert);
  const unstack =
    post.find((n) => /Postprocessor\/Decode\/unstack$/.test(n.name) && n.op === 'Unpack') ??
    p.fail("no 'Postprocessor/Decode/unstack' node (the box decoder)");
  if (Number(unstack.attr?.num?.i ?? 0) !== 4)
    p.fail('the box decoder does not split the encodings into 4 rows', unstack);
  const nms = post.filter((n) => NMS_OPS.has(n.op));
  if (nms.length === 0) p.fail('no NonMaxSuppression in the Postprocessor');
  // Scores are sliced past column 0 when the model predicts a background class (TF OD API's add_background_class).
  const slice = p.readersFor(convert).find((n) => n.op === 'Slice');
  const backgroundClass = slice !== undefined && p.constant(dataInputs(slice)[1]!, slice).at(-1) === 1;
  return {
    boxes: p.source(dataInputs(unstack)[0]!),
    scores: p.source(dataInputs(convert)[0]!),
    detection: { ...readDecoder(p, unstack), scoreConversion, backgroundClass, ...readNms(p, nms) },
  };
}
