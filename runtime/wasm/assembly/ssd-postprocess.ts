// SSD post-processing of an int8 detector in WebAssembly (AssemblyScript): the same steps, in the same order and the
// same f32 operations, as compiler/reference/detection/ssd-postprocess.ts and runtime/c/postprocess/ssd_postprocess.c,
// so the three agree bit for bit. WebAssembly has no fused multiply-add: every f32 operation rounds once.
// The caller (runtime/wasm/ssd-postprocess.js) lays out everything in this module's memory above heap_base().
//
// params: the C te_ssd_int8_params on wasm32 (pointers are i32 addresses):
//   0 anchors, 4 anchor_count, 8 columns, 12 first_class, 16 score, 20 min_score_code, 24 ty, 28 tx, 32 eh, 36 ew,
//   40 iou_threshold (f32), 44 max_detections, 48 class_agnostic
// out: te_detection records of 28 bytes: box (4 f32), score (f32), class (i32), anchor (i32).
// scratch: bucket i32[256], order i32[anchors], out_code i32[max], class_code i32[max], kept te_detection[max].

const RECORD: i32 = 28;

let anchors: usize = 0;
let anchorCount: i32 = 0;
let columns: i32 = 0;
let firstClass: i32 = 0;
let scoreTable: usize = 0;
let minScoreCode: i32 = 0;
let tyTable: usize = 0;
let txTable: usize = 0;
let ehTable: usize = 0;
let ewTable: usize = 0;
let iouThreshold: f32 = 0;
let maxDetections: i32 = 0;
let bucket: usize = 0;
let order: usize = 0;
let outCode: usize = 0;
let classCode: usize = 0;
let kept: usize = 0;
let best: i32 = 0;

/** Where the caller may start laying out data. */
export function heap_base(): usize {
  return (__heap_base + 15) & ~15;
}

/** Score code of (anchor, class); class -1: the anchor's best class (first on ties), left in `best`. */
function codeOf(scores: usize, anchor: i32, classIndex: i32): i32 {
  const row = scores + <usize>(anchor * columns + firstClass);
  if (classIndex >= 0) return <i32>load<i8>(row + <usize>classIndex);
  const classes = columns - firstClass;
  let b: i32 = 0;
  for (let c: i32 = 1; c < classes; c++) if (load<i8>(row + <usize>c) > load<i8>(row + <usize>b)) b = c;
  best = b;
  return <i32>load<i8>(row + <usize>b);
}

/** Candidates (code ≥ min) by code descending, anchor ascending: a counting sort over the 256 codes. */
function candidates(scores: usize, classIndex: i32): i32 {
  let total: i32 = 0;
  for (let i: i32 = 0; i < 256; i++) store<i32>(bucket + <usize>(4 * i), 0);
  for (let a: i32 = 0; a < anchorCount; a++) {
    const code = codeOf(scores, a, classIndex);
    if (code >= minScoreCode) {
      const at = bucket + <usize>(4 * (127 - code));
      store<i32>(at, load<i32>(at) + 1);
    }
  }
  for (let i: i32 = 0; i < 256; i++) {
    const at = bucket + <usize>(4 * i);
    const n = load<i32>(at);
    store<i32>(at, total);
    total += n;
  }
  for (let a: i32 = 0; a < anchorCount; a++) {
    const code = codeOf(scores, a, classIndex);
    if (code >= minScoreCode) {
      const at = bucket + <usize>(4 * (127 - code));
      const slot = load<i32>(at);
      store<i32>(order + <usize>(4 * slot), a);
      store<i32>(at, slot + 1);
    }
  }
  return total;
}

/** Decodes one anchor's box into the four f32 at `box`. */
function decodeBox(boxes: usize, anchor: i32, box: usize): void {
  const an = anchors + <usize>(16 * anchor);
  const e = boxes + <usize>(4 * anchor);
  let yc: f32 = load<f32>(tyTable + <usize>(4 * (<i32>load<i8>(e) + 128))) * load<f32>(an, 8);
  let xc: f32 = load<f32>(txTable + <usize>(4 * (<i32>load<i8>(e, 1) + 128))) * load<f32>(an, 12);
  let halfH: f32 = load<f32>(ehTable + <usize>(4 * (<i32>load<i8>(e, 2) + 128))) * load<f32>(an, 8);
  let halfW: f32 = load<f32>(ewTable + <usize>(4 * (<i32>load<i8>(e, 3) + 128))) * load<f32>(an, 12);
  yc = yc + load<f32>(an);
  xc = xc + load<f32>(an, 4);
  halfH = halfH * <f32>0.5;
  halfW = halfW * <f32>0.5;
  store<f32>(box, yc - halfH);
  store<f32>(box, xc - halfW, 4);
  store<f32>(box, yc + halfH, 8);
  store<f32>(box, xc + halfW, 12);
}

function minF(a: f32, b: f32): f32 {
  return a < b ? a : b;
}

function maxF(a: f32, b: f32): f32 {
  return a > b ? a : b;
}

/** Intersection over union, TF's NMS formula: 0 when either box is empty. */
function iou(a: usize, b: usize): f32 {
  const areaA: f32 = (load<f32>(a, 8) - load<f32>(a)) * (load<f32>(a, 12) - load<f32>(a, 4));
  const areaB: f32 = (load<f32>(b, 8) - load<f32>(b)) * (load<f32>(b, 12) - load<f32>(b, 4));
  if (areaA <= 0 || areaB <= 0) return 0;
  const h: f32 = minF(load<f32>(a, 8), load<f32>(b, 8)) - maxF(load<f32>(a), load<f32>(b));
  const w: f32 = minF(load<f32>(a, 12), load<f32>(b, 12)) - maxF(load<f32>(a, 4), load<f32>(b, 4));
  const inter: f32 = maxF(h, 0) * maxF(w, 0);
  let uni: f32 = areaA + areaB;
  uni = uni - inter;
  return inter / uni;
}

/** Greedy NMS over the ordered candidates into the records at `into` (codes at `codes`); class -1: agnostic. */
function greedyNms(boxes: usize, scores: usize, classIndex: i32, count: i32, into: usize, codes: usize): i32 {
  let n: i32 = 0;
  for (let i: i32 = 0; i < count && n < maxDetections; i++) {
    const anchor = load<i32>(order + <usize>(4 * i));
    const record = into + <usize>(RECORD * n);
    // Decode straight into the next free record; it is only kept if nothing suppresses it.
    decodeBox(boxes, anchor, record);
    let j: i32 = 0;
    for (; j < n; j++) if (iou(into + <usize>(RECORD * j), record) > iouThreshold) break;
    if (j < n) continue;
    best = classIndex;
    const code = codeOf(scores, anchor, classIndex);
    store<f32>(record, load<f32>(scoreTable + <usize>(4 * (code + 128))), 16);
    store<i32>(record, best, 20);
    store<i32>(record, anchor, 24);
    store<i32>(codes + <usize>(4 * n), code);
    n++;
  }
  return n;
}

/** Writes up to max_detections detections at `out`, best first; returns their count (see the header comment). */
export function postprocess(params: usize, boxes: usize, scores: usize, scratch: usize, out: usize): i32 {
  anchors = load<u32>(params);
  anchorCount = load<i32>(params, 4);
  columns = load<i32>(params, 8);
  firstClass = load<i32>(params, 12);
  scoreTable = load<u32>(params, 16);
  minScoreCode = load<i32>(params, 20);
  tyTable = load<u32>(params, 24);
  txTable = load<u32>(params, 28);
  ehTable = load<u32>(params, 32);
  ewTable = load<u32>(params, 36);
  iouThreshold = load<f32>(params, 40);
  maxDetections = load<i32>(params, 44);
  bucket = scratch;
  order = bucket + 4 * 256;
  outCode = order + <usize>(4 * anchorCount);
  classCode = outCode + <usize>(4 * maxDetections);
  kept = classCode + <usize>(4 * maxDetections);
  if (load<i32>(params, 48) != 0) return greedyNms(boxes, scores, -1, candidates(scores, -1), out, outCode);
  let total: i32 = 0;
  for (let c: i32 = 0; c < columns - firstClass; c++) {
    const n = greedyNms(boxes, scores, c, candidates(scores, c), kept, classCode);
    // Merge: after every detection of an equal code (earlier classes first), dropping what falls past the end.
    for (let i: i32 = 0; i < n; i++) {
      const code = load<i32>(classCode + <usize>(4 * i));
      let at = total;
      while (at > 0 && load<i32>(outCode + <usize>(4 * (at - 1))) < code) at--;
      if (at >= maxDetections) break;
      if (total < maxDetections) total++;
      for (let j = total - 1; j > at; j--) {
        memory.copy(out + <usize>(RECORD * j), out + <usize>(RECORD * (j - 1)), RECORD);
        store<i32>(outCode + <usize>(4 * j), load<i32>(outCode + <usize>(4 * (j - 1))));
      }
      memory.copy(out + <usize>(RECORD * at), kept + <usize>(RECORD * i), RECORD);
      store<i32>(outCode + <usize>(4 * at), code);
    }
  }
  return total;
}
