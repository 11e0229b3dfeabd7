/**
 * @fileoverview Runs an int8 detector's SSD post-processing in WebAssembly (assembly/ssd-postprocess.ts, compiled to
 * ssd-postprocess.wasm) on raw box encodings and score codes, with the compiler's tables. Plain ES module, no Node or
 * DOM APIs (browsers, Node, Android WebViews). Types are in ssd-postprocess.d.ts.
 */

const RECORD = 28;
const PAGE = 65536;
const align16 = (n) => Math.ceil(n / 16) * 16;

/** SSD post-processing of one detector: load once with its tables, then detect on each run's outputs. */
export class SsdPostprocessor {
  /**
   * @param {ArrayBuffer | Uint8Array} bytes ssd-postprocess.wasm
   * @param {import('./ssd-postprocess').SsdTables} tables
   */
  static async load(bytes, tables) {
    const { instance } = await WebAssembly.instantiate(bytes, {});
    return new SsdPostprocessor(instance.exports, tables);
  }

  constructor(exports, tables) {
    this.exports = exports;
    this.tables = tables;
    const n = tables.anchorCount;
    const max = tables.maxDetections;
    // Layout above the module's own data: params, anchors, the five tables, outputs, scratch, detections.
    let at = exports.heap_base();
    const take = (bytes) => {
      const here = at;
      at = align16(at + bytes);
      return here;
    };
    this.params = take(52);
    this.anchors = take(16 * n);
    const tableAt = ['score', 'ty', 'tx', 'eh', 'ew'].map(() => take(4 * 256));
    this.boxes = take(4 * n);
    this.scores = take(n * tables.columns);
    this.scratch = take(4 * (256 + n + 2 * max) + RECORD * max);
    this.out = take(RECORD * max);
    const need = Math.ceil(at / PAGE) - exports.memory.buffer.byteLength / PAGE;
    if (need > 0) exports.memory.grow(need);
    const memory = exports.memory.buffer;
    new Float32Array(memory, this.anchors, 4 * n).set(tables.anchors);
    ['score', 'ty', 'tx', 'eh', 'ew'].forEach((name, i) => {
      new Float32Array(memory, tableAt[i], 256).set(tables[name]);
    });
    const p = new DataView(memory, this.params, 52);
    [this.anchors, n, tables.columns, tables.firstClass, tableAt[0], tables.minScoreCode, ...tableAt.slice(1)].forEach(
      (v, i) => {
        p.setInt32(4 * i, v, true);
      },
    );
    p.setFloat32(40, tables.iouThreshold, true);
    p.setInt32(44, max, true);
    p.setInt32(48, tables.classAgnostic ? 1 : 0, true);
  }

  /**
   * Detections from raw int8 box encodings [anchors × 4] and score codes [anchors × columns], best first.
   * @returns {import('./ssd-postprocess').Detection[]}
   */
  detect(boxes, scores) {
    const { anchorCount, columns } = this.tables;
    if (boxes.length !== 4 * anchorCount || scores.length !== anchorCount * columns) {
      throw new Error(
        `SSD post-processing needs ${4 * anchorCount} box values and ${anchorCount * columns} scores, got ${boxes.length} and ${scores.length}`,
      );
    }
    const memory = this.exports.memory.buffer;
    new Int8Array(memory, this.boxes, boxes.length).set(boxes);
    new Int8Array(memory, this.scores, scores.length).set(scores);
    const count = this.exports.postprocess(this.params, this.boxes, this.scores, this.scratch, this.out);
    const view = new DataView(this.exports.memory.buffer, this.out, RECORD * count);
    return Array.from({ length: count }, (_, i) => {
      const f = (k) => view.getFloat32(i * RECORD + 4 * k, true);
      return {
        classIndex: view.getInt32(i * RECORD + 20, true),
        score: f(4),
        box: [f(0), f(1), f(2), f(3)],
        anchor: view.getInt32(i * RECORD + 24, true),
      };
    });
  }
}
