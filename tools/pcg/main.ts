/**
 * @fileoverview `node bin/run-ts.mjs tools/pcg/main.ts [--murmur] [--seed N] OUT.wav`: writes a synthetic
 * phonocardiogram in the format FunnelNet's front end takes (16-bit PCM, mono, 2 kHz, 4096 samples).
 */
import { Command } from 'commander';
import { FUNNELNET_CWT } from '../../compiler/audio/cwt-kernels.ts';
import { synthesizePcg } from './synthesize.ts';
import { writeWav } from './wav.ts';

const program = new Command('pcg')
  .description('write a synthetic phonocardiogram (S1/S2 heart sounds, optionally a systolic murmur) as a WAV file')
  .argument('<out>', 'the WAV file to write')
  .option('--murmur', 'add a systolic murmur')
  .option('--seed <n>', 'seed of the heart rate, tones and noise', '1')
  .action((out: string, o: { murmur?: boolean; seed: string }) => {
    const { sampleRate, samples } = FUNNELNET_CWT;
    writeWav(out, synthesizePcg({ sampleRate, samples, murmur: !!o.murmur, seed: Number(o.seed) }), sampleRate);
    process.stdout.write(`wrote ${out}: ${samples} samples at ${sampleRate} Hz${o.murmur ? ', with a murmur' : ''}\n`);
  });
program.parse();
