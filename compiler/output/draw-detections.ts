/**
 * @fileoverview Detections in image pixels, and `--draw`: the photo (EXIF-rotated, as the model saw it) with each
 * box and its label drawn by sharp from an SVG overlay, written as PNG; an existing file is replaced only with --force.
 */
import sharp from 'sharp';
import { TinyedgeError } from '../errors.ts';
import { tupleOf } from '../ir/tuple.ts';
import { checkOutputFile } from './output-path.ts';

/** What is drawn of a detection: its normalized box [ymin, xmin, ymax, xmax], class, label and score. */
export interface LabeledBox {
  box: readonly number[];
  classIndex: number;
  label: string;
  score: number;
}

/** A box [ymin, xmin, ymax, xmax] in pixels of an image of width × height: left, top, right, bottom, clipped to the image. */
export function pixelBox(box: readonly number[], width: number, height: number): [number, number, number, number] {
  const clip = (v: number, size: number) => Math.round(Math.min(Math.max(v, 0), 1) * size);
  const [ymin, xmin, ymax, xmax] = tupleOf(box, 4);
  return [clip(xmin, width), clip(ymin, height), clip(xmax, width), clip(ymax, height)];
}

/** Width and height of the photo as decoded for the model (after its EXIF rotation). */
export async function photoSize(file: string): Promise<{ width: number; height: number }> {
  try {
    const { info } = await sharp(file, { failOn: 'error' }).rotate().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height };
  } catch (e) {
    throw new TinyedgeError('TE604', `cannot decode image: ${(e as Error).message}`, { file });
  }
}

const COLORS = ['#ff3b30', '#34c759', '#007aff', '#ff9500', '#af52de', '#00c7be', '#ffcc00', '#ff2d55'];

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Refuses to draw over the photo itself, or an existing file unless `force` (checked before running, so nothing is lost or wasted). */
export function checkDrawTarget(out: string, force: boolean, photo: string): void {
  checkOutputFile(out, force, [{ path: photo, what: 'the input photo' }]);
}

/** Writes `photo` with the detections drawn to `out` (PNG). */
export async function drawDetections(photo: string, detections: readonly LabeledBox[], out: string): Promise<void> {
  const { width, height } = await photoSize(photo);
  const line = Math.max(2, Math.round(Math.min(width, height) / 200));
  const font = Math.max(12, Math.round(Math.min(width, height) / 30));
  const shapes = detections.map((d) => {
    const [x0, y0, x1, y1] = pixelBox(d.box, width, height);
    const color = COLORS[d.classIndex % COLORS.length];
    const text = `${escapeXml(d.label)} ${d.score.toFixed(2)}`;
    const ty = y0 >= font + line ? y0 - line : y0 + font + line;
    return [
      `<rect x="${x0}" y="${y0}" width="${Math.max(0, x1 - x0)}" height="${Math.max(0, y1 - y0)}" fill="none" stroke="${color}" stroke-width="${line}"/>`,
      `<text x="${x0 + line}" y="${ty}" font-family="sans-serif" font-size="${font}" fill="${color}" stroke="black" stroke-width="${Math.max(1, line / 2)}" paint-order="stroke">${text}</text>`,
    ].join('');
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
  await sharp(photo)
    .rotate()
    .composite([{ input: Buffer.from(svg) }])
    .png()
    .toFile(out);
}
