/** @fileoverview The sample photos shipped in models/samples and the model inputs made from them. */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { imageToInput } from '../../models/image-input.ts';
import type { LoadedModel } from '../../models/registry.ts';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Paths of the sample photos. */
export const SAMPLE_PHOTOS = readdirSync(join(ROOT, 'models', 'samples'))
  .filter((f) => /\.(png|jpe?g)$/i.test(f))
  .sort()
  .map((f) => join(ROOT, 'models', 'samples', f));

/** A photo as the model's input tensor. */
export function photoInput(model: LoadedModel, file: string): Promise<Float32Array> {
  return imageToInput(file, tensorOf(model.graph, model.graph.inputs[0]!).shape, model.preprocessing);
}
