/** @fileoverview Writes int16 PCM as a mono WAV file (wavefile), the format `tinyedge run --audio` reads. */
import { writeFileSync } from 'node:fs';
import wavefile from 'wavefile';

/** The bytes of a 16-bit PCM mono WAV holding `pcm` at `sampleRate`. */
export function wavBytes(pcm: Int16Array, sampleRate: number, channels = 1): Uint8Array {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(channels, sampleRate, '16', pcm);
  return wav.toBuffer();
}

/** Writes `pcm` to `file` as a 16-bit PCM mono WAV. */
export function writeWav(file: string, pcm: Int16Array, sampleRate: number): void {
  writeFileSync(file, wavBytes(pcm, sampleRate));
}
