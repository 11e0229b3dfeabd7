/**
 * @fileoverview Test support for audio models: the quantized FunnelNet with its CWT front end, a scalogram-only graph
 * (the CWT's int8 output passed through a reshape, so the front end is compared byte for byte), clips, and C builds
 * of audio projects run on a PCM clip natively or under qemu.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CwtFrontEnd, cwtFrontEndOf } from '../../compiler/audio/cwt-front-end.ts';
import { FUNNELNET_CWT } from '../../compiler/audio/cwt-kernels.ts';
import { cAudioProject } from '../../compiler/backends/c/audio-project.ts';
import { cBuildOf } from '../../compiler/backends/c/project.ts';
import { cScratchBytes } from '../../compiler/backends/c/render-nodes.ts';
import { prepareModel, quantizeWithSamples } from '../../compiler/index.ts';
import { type Graph, GraphBuilder } from '../../compiler/ir/graph.ts';
import { quantize } from '../../compiler/pipeline.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { readWavClip } from '../../compiler/reference/audio/read-wav.ts';
import { AUDIO_SAMPLES_DIR, audioFiles, audioInput } from '../../models/audio-input.ts';
import { FUNNELNET_MODEL } from '../../models/registry.ts';
import type { Target } from '../../targets/target.ts';
import { buildTemporaryProject, runBuild } from '../../targets/toolchain.ts';
import { synthesizePcg } from '../../tools/pcg/synthesize.ts';
import { STRICT_CFLAGS } from '../support/c-build.ts';

/** The bundled clips, four more generated here (other seeds), with and without a murmur, and a full-scale square wave. */
export function testClips(): { name: string; pcm: Int16Array }[] {
  const { sampleRate, samples } = FUNNELNET_CWT;
  const bundled = audioFiles([AUDIO_SAMPLES_DIR]).map((f) => ({
    name: f.split('/').pop() as string,
    pcm: readWavClip(f, FUNNELNET_CWT),
  }));
  const generated = [21, 22, 23, 24].map((seed) => ({
    name: `seed ${seed}${seed % 2 ? ' murmur' : ''}`,
    pcm: synthesizePcg({ sampleRate, samples, murmur: seed % 2 === 1, seed }),
  }));
  // Full scale both ways: the accumulators' bound (±2^30) and the int8 clamp are reached.
  const square = {
    name: 'full-scale 100 Hz square wave',
    pcm: Int16Array.from({ length: samples }, (_, n) => (Math.floor((n * 200) / sampleRate) % 2 ? -32768 : 32767)),
  };
  return [...bundled, ...generated, square];
}

/** builder:funnelnet quantized as `compile` does (the bundled clips), with its front end. */
export async function quantizedFunnelNet(): Promise<{ int8: Graph; front: CwtFrontEnd }> {
  const model = await quantizeWithSamples(prepareModel(FUNNELNET_MODEL));
  return { int8: model.graph, front: cwtFrontEndOf(model.graph, FUNNELNET_CWT) };
}

/** The scalogram alone: input → reshape [1, rows·columns], quantized on the bundled clips, with its front end. */
export function scalogramGraph(): { int8: Graph; front: CwtFrontEnd } {
  const c = FUNNELNET_CWT;
  const b = new GraphBuilder('scalogram');
  const x = b.input('scalogram', [1, c.rows, c.columns, 1]);
  b.graph.outputs.push(b.node('reshape', 'flat', [x], { shape: [1, c.rows * c.columns] }));
  const int8 = quantize(
    b.graph,
    audioFiles([AUDIO_SAMPLES_DIR]).map((f) => audioInput(f, c)),
    { method: 'minmax', biasCorrection: false },
  );
  return { int8, front: cwtFrontEndOf(int8, c) };
}

/** A built audio project: its folder and target. */
export interface AudioBuilt {
  dir: string;
  target: Target;
}

/** Writes and builds the audio project of `g` for `target` with its flags and -Werror (STRICT_CFLAGS on the host); `cflags` adds more. */
export function buildAudio(g: Graph, front: CwtFrontEnd, target: Target, extra: string[] = []): AudioBuilt {
  const flags = [
    ...(target.name === 'host' ? STRICT_CFLAGS : [...(target.toolchain?.cflags ?? []), '-Werror']),
    ...extra,
  ];
  const { files } = cAudioProject(g, planMemory(g, cScratchBytes), { ...cBuildOf(target), cflags: flags }, front);
  return { dir: buildTemporaryProject(files, target, flags), target };
}

/** Runs the built project on one clip (on its target) and returns its int8 output. */
export function runAudio(built: AudioBuilt, pcm: Int16Array, plugin?: Parameters<typeof runBuild>[5]): Int8Array {
  const input = join(built.dir, 'clip.pcm');
  const output = join(built.dir, 'output.i8');
  const bytes = new DataView(new ArrayBuffer(2 * pcm.length));
  pcm.forEach((v, i) => {
    bytes.setInt16(2 * i, v, true);
  });
  writeFileSync(input, new Uint8Array(bytes.buffer));
  runBuild(built.dir, built.target, input, output, 1, plugin);
  return new Int8Array(readFileSync(output));
}
