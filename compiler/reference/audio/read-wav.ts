/**
 * @fileoverview Reads the WAV file an audio model takes (wavefile): 16-bit PCM, mono, at the front end's sample rate,
 * at least its clip length (a longer recording gives its first clip). Anything else is a TinyedgeError naming the file,
 * what it holds and what was expected.
 */
import { readFileSync } from 'node:fs';
import wavefile from 'wavefile';
import type { CwtConfig } from '../../audio/cwt-kernels.ts';
import { TinyedgeError } from '../../errors.ts';

/** The fmt chunk fields we check. */
interface WavFormat {
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  bitsPerSample: number;
}

/** The first `config.samples` samples of a 16-bit PCM mono WAV at `config.sampleRate`. */
export function readWavClip(file: string, config: CwtConfig): Int16Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new TinyedgeError(
      'TE605',
      `cannot read the audio: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      { file },
    );
  }
  const wav = new wavefile.WaveFile();
  try {
    wav.fromBuffer(bytes);
  } catch (e) {
    throw new TinyedgeError(
      'TE605',
      `is not a WAV file (${(e as Error).message}); expected 16-bit PCM mono at ${config.sampleRate} Hz`,
      { file },
    );
  }
  const fmt = wav.fmt as WavFormat;
  const expected = `expected 16-bit PCM mono at ${config.sampleRate} Hz`;
  if (fmt.audioFormat !== 1 || fmt.bitsPerSample !== 16)
    throw new TinyedgeError(
      'TE605',
      `holds ${fmt.audioFormat === 1 ? `${fmt.bitsPerSample}-bit PCM` : `audio format ${fmt.audioFormat} (${fmt.bitsPerSample}-bit, not PCM)`}; ${expected}`,
      { file },
    );
  if (fmt.numChannels !== 1) throw new TinyedgeError('TE605', `has ${fmt.numChannels} channels; ${expected}`, { file });
  if (fmt.sampleRate !== config.sampleRate)
    throw new TinyedgeError('TE605', `is sampled at ${fmt.sampleRate} Hz; ${expected} (resample it first)`, { file });
  const samples = wav.getSamples(false, Int16Array) as unknown as Int16Array;
  if (samples.length < config.samples) {
    throw new TinyedgeError(
      'TE605',
      `holds ${samples.length} samples (${(samples.length / config.sampleRate).toFixed(3)} s); the model takes ${config.samples} (${config.samples / config.sampleRate} s)`,
      { file },
    );
  }
  return samples.slice(0, config.samples);
}
