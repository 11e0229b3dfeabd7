/**
 * @fileoverview Audio models' inputs: WAV clips through the float CWT front end (the f32 path and calibration), and the
 * bundled synthetic phonocardiograms (tools/pcg, seeds 1–4 normal and 11–14 with a murmur) that calibrate them.
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CwtConfig } from '../compiler/audio/cwt-kernels.ts';
import { TinyedgeError } from '../compiler/errors.ts';
import { scalogramF32 } from '../compiler/reference/audio/cwt-f32.ts';
import { readWavClip } from '../compiler/reference/audio/read-wav.ts';

/** The bundled phonocardiograms: the default calibration set of audio models. */
export const AUDIO_SAMPLES_DIR = fileURLToPath(new URL('./samples/audio', import.meta.url));

/** The WAV files named by the user: files as given, directories scanned (not recursively) for .wav files. */
export function audioFiles(paths: readonly string[]): string[] {
  return paths.flatMap((p) => {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      throw new TinyedgeError('TE207', 'cannot read calibration data: no such file or directory', { file: p });
    }
    if (!isDir) return [p];
    const found = readdirSync(p)
      .filter((f) => extname(f).toLowerCase() === '.wav')
      .sort()
      .map((f) => join(p, f));
    if (found.length === 0) throw new TinyedgeError('TE207', 'calibration folder has no .wav files', { file: p });
    return found;
  });
}

/** A WAV clip as the float model's input: its scalogram. */
export function audioInput(file: string, config: CwtConfig): Float32Array {
  return scalogramF32(config, readWavClip(file, config));
}
