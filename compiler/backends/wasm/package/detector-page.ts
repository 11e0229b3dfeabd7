/**
 * @fileoverview The demo page of a wasm32 detector: pick a photo; its pixels go through image-preprocess.wasm into
 * the model, ssd-postprocess.wasm finds the boxes, and those scoring at least the slider's threshold (the CLI's
 * --min-score default to start) are drawn over the photo with readable labels and listed, with the latency and the
 * thread count the model ran on.
 */
import { DEFAULT_MIN_SCORE } from '../../../ir/detection.ts';
import type { WasmModelInfo } from './model-info.ts';

/**
 * index.html of a detector's folder. `window.detectPixels(rgba, width, height)` (every detection the model kept) and
 * `window.shown` (the photo's detections and those drawn and listed at the threshold) are what the browser test reads.
 */
export function detectorPage(info: WasmModelInfo): string {
  return `<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>tinyedge: ${info.model}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5em; }
  canvas { max-width: 100%; }
  #controls { margin: 0.8em 0; display: flex; gap: 1.5em; align-items: center; flex-wrap: wrap; }
  #result { font-size: 1rem; }
</style>
<h1>tinyedge in the browser</h1>
<p>${info.model}, an int8 detector in WebAssembly: preprocessing, model and post-processing. Pick an image:</p>
<input type="file" id="file" accept="image/*">
<div id="controls">
  <label>score at least <input type="range" id="min-score" min="0" max="1" step="0.01" value="${DEFAULT_MIN_SCORE}"> <output id="min-score-value">${DEFAULT_MIN_SCORE.toFixed(2)}</output></label>
  <span id="status"></span>
</div>
<canvas id="canvas"></canvas>
<pre id="result"></pre>
<script type="module">
import { TinyedgeModel } from './tinyedge-loader.js';
const info = await (await fetch('model.json')).json();
const bytes = async (f) => (await fetch(f)).arrayBuffer();
const model = await TinyedgeModel.load(await bytes('model.wasm'), info, { ssdPostprocess: await bytes('ssd-postprocess.wasm'), imagePreprocess: await bytes('image-preprocess.wasm') });
const labels = info.detection.labels ?? info.labels;
// The loader says how many threads a run uses once it can run on several; until then, one.
const threads = model.threads ?? 1;
/** Detections of RGBA pixels of a width × height image (boxes normalized: ymin, xmin, ymax, xmax). */
window.detectPixels = (rgba, width, height) => {
  model.setImage(Uint8Array.from(rgba), width, height, 4);
  const t0 = performance.now();
  model.run();
  const detections = model.detect();
  return { detections, ms: performance.now() - t0 };
};
const slider = document.getElementById('min-score');
const canvas = document.getElementById('canvas');
let photo;
/** Draws the photo, then the boxes scoring at least the threshold, each labelled on a dark band inside the canvas. */
function show() {
  if (!photo) return;
  const minScore = Number(slider.value);
  document.getElementById('min-score-value').textContent = minScore.toFixed(2);
  const { bitmap, detections, ms } = photo;
  const [w, h] = [bitmap.width, bitmap.height];
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  const size = Math.max(14, Math.round(Math.min(w, h) / 28));
  ctx.lineWidth = Math.max(2, Math.round(size / 6));
  ctx.font = 'bold ' + size + 'px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  const drawn = detections.filter((d) => d.score >= minScore);
  const lines = drawn.map(({ box: [y0, x0, y1, x1], classIndex, score }) => {
    const label = (labels?.[classIndex] ?? String(classIndex)) + ' ' + score.toFixed(2);
    ctx.strokeStyle = '#ff3b30';
    ctx.strokeRect(x0 * w, y0 * h, (x1 - x0) * w, (y1 - y0) * h);
    const pad = Math.round(size / 4);
    const tw = ctx.measureText(label).width + 2 * pad;
    const th = size + 2 * pad;
    // Above the box where it fits, else just inside its top; never past the canvas's edges.
    const lx = Math.min(Math.max(0, x0 * w), w - tw);
    const ly = y0 * h - th >= 0 ? y0 * h - th : Math.min(Math.max(0, y0 * h), h - th);
    ctx.fillStyle = 'rgba(0, 0, 0, 0.75)';
    ctx.fillRect(lx, ly, tw, th);
    ctx.fillStyle = '#ffffff';
    ctx.fillText(label, lx + pad, ly + pad);
    return label;
  });
  const hidden = detections.length - drawn.length;
  document.getElementById('result').textContent = lines.map((l) => l + '\\n').join('') + ms.toFixed(1) + ' ms';
  document.getElementById('status').textContent = ms.toFixed(1) + ' ms on ' + threads + (threads === 1 ? ' thread' : ' threads') + (hidden ? ', ' + hidden + ' below the threshold' : '');
  window.shown = { minScore, detections, drawn };
}
slider.oninput = show;
document.getElementById('file').onchange = async (e) => {
  const bitmap = await createImageBitmap(e.target.files[0]);
  [canvas.width, canvas.height] = [bitmap.width, bitmap.height];
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  const { detections, ms } = window.detectPixels(ctx.getImageData(0, 0, bitmap.width, bitmap.height).data, bitmap.width, bitmap.height);
  photo = { bitmap, detections, ms };
  show();
};
window.ready = true;
</script>
`;
}
