/**
 * @fileoverview The demo page of a wasm32 detector: pick a photo; its pixels go through image-preprocess.wasm into
 * the model, ssd-postprocess.wasm finds the boxes, and they are drawn over the photo with their labels and scores.
 */
import type { WasmModelInfo } from './model-info.ts';

/** index.html of a detector's folder; `window.detectPixels(rgba, width, height)` is what the browser test calls. */
export function detectorPage(info: WasmModelInfo): string {
  return `<!doctype html>
<meta charset="utf-8">
<title>tinyedge: ${info.model}</title>
<h1>tinyedge in the browser</h1>
<p>${info.model}, an int8 detector in WebAssembly: preprocessing, model and post-processing. Pick an image:</p>
<input type="file" id="file" accept="image/*">
<br><canvas id="canvas"></canvas>
<pre id="result"></pre>
<script type="module">
import { TinyedgeModel } from './tinyedge-loader.js';
const info = await (await fetch('model.json')).json();
const bytes = async (f) => (await fetch(f)).arrayBuffer();
const model = await TinyedgeModel.load(await bytes('model.wasm'), info, { ssdPostprocess: await bytes('ssd-postprocess.wasm'), imagePreprocess: await bytes('image-preprocess.wasm') });
const labels = info.detection.labels ?? info.labels;
/** Detections of RGBA pixels of a width × height image (boxes normalized: ymin, xmin, ymax, xmax). */
window.detectPixels = (rgba, width, height) => {
  model.setImage(Uint8Array.from(rgba), width, height, 4);
  const t0 = performance.now();
  model.run();
  const detections = model.detect();
  return { detections, ms: performance.now() - t0 };
};
document.getElementById('file').onchange = async (e) => {
  const bitmap = await createImageBitmap(e.target.files[0]);
  const canvas = document.getElementById('canvas');
  [canvas.width, canvas.height] = [bitmap.width, bitmap.height];
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  const { detections, ms } = window.detectPixels(ctx.getImageData(0, 0, bitmap.width, bitmap.height).data, bitmap.width, bitmap.height);
  ctx.lineWidth = Math.max(2, bitmap.width / 200);
  ctx.font = Math.max(12, bitmap.width / 30) + 'px sans-serif';
  ctx.strokeStyle = ctx.fillStyle = '#ff3b30';
  const lines = detections.map(({ box: [y0, x0, y1, x1], classIndex, score }) => {
    const label = (labels?.[classIndex] ?? String(classIndex)) + ' ' + score.toFixed(2);
    ctx.strokeRect(x0 * bitmap.width, y0 * bitmap.height, (x1 - x0) * bitmap.width, (y1 - y0) * bitmap.height);
    ctx.fillText(label, x0 * bitmap.width + 4, y0 * bitmap.height - 4);
    return label;
  });
  document.getElementById('result').textContent = lines.join('\\n') + '\\n' + ms.toFixed(1) + ' ms';
};
window.ready = true;
</script>
`;
}
