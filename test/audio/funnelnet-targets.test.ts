/**
 * The fixed-point CWT and FunnelNet on every target: the CWT's int8 scalogram from C (host, and each cross target's
 * toolchain and kernels under qemu-aarch64 / qemu-system-arm) and from the AssemblyScript module in Node equals the
 * TypeScript reference byte for byte on every test clip; so does FunnelNet behind it, cut after its last conv
 * (32×64×16 bytes, which would show any difference the two-class softmax hides) and whole. The clips are the
 * bundled synthetic phonocardiograms and four more generated with other seeds, with and without a murmur. On
 * android-arm64 the JNI glue (whose run() takes the clip's bytes) links with the CWT and the model.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CwtFrontEnd } from '../../compiler/audio/cwt-front-end.ts';
import { cwtInfo, cwtWasmBytes } from '../../compiler/backends/wasm/package/audio-files.ts';
import type { Graph } from '../../compiler/ir/graph.ts';
import { subgraph } from '../../compiler/ir/subgraph.ts';
import { cwtInt8 } from '../../compiler/reference/audio/cwt-int.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { TinyedgeCwt } from '../../runtime/wasm/tinyedge-cwt.js';
import { loadTarget } from '../../targets/target.ts';
import { firstDifference } from '../support/c-build.ts';
import { instantiateWasm } from '../support/wasm-build.ts';
import { buildAudio, quantizedFunnelNet, runAudio, scalogramGraph, testClips } from './audio-build.ts';

const C_TARGETS = ['host', 'rpi4-aarch64', 'rpi5-aarch64', 'android-arm64', 'cortex-m4', 'cortex-m7', 'cortex-m55'];

let clips: ReturnType<typeof testClips>;
let scalogram: { int8: Graph; front: CwtFrontEnd };
let funnel: { int8: Graph; front: CwtFrontEnd };
let features: Graph;
const reference = (g: Graph, front: CwtFrontEnd, pcm: Int16Array) =>
  runInteger(g, { [g.inputs[0]!]: cwtInt8(front.tables, pcm, front.requantize) }).get(g.outputs[0]!) as Int8Array;

beforeAll(async () => {
  clips = testClips();
  scalogram = scalogramGraph();
  funnel = await quantizedFunnelNet();
  features = subgraph(funnel.int8, funnel.int8.inputs, ['expand_2']);
});

describe.each(C_TARGETS)('%s: the C audio project equals the reference', (name) => {
  it('CWT scalogram on every clip; FunnelNet features on half the clips and its output on two', () => {
    const target = loadTarget(name);
    const cwt = buildAudio(scalogram.int8, scalogram.front, target);
    for (const { name: clip, pcm } of clips)
      expect(
        firstDifference(runAudio(cwt, pcm), cwtInt8(scalogram.front.tables, pcm, scalogram.front.requantize)),
        clip,
      ).toBeNull();
    const head = buildAudio(features, funnel.front, target);
    for (const { name: clip, pcm } of clips.filter((_, i) => i % 2 === 0))
      expect(firstDifference(runAudio(head, pcm), reference(features, funnel.front, pcm)), clip).toBeNull();
    const whole = buildAudio(funnel.int8, funnel.front, target);
    for (const { name: clip, pcm } of clips.slice(0, 2))
      expect(firstDifference(runAudio(whole, pcm), reference(funnel.int8, funnel.front, pcm)), clip).toBeNull();
  }, 600_000);
});

describe('android-arm64: the JNI glue of an audio project', () => {
  it('links with the CWT, FunnelNet and its kernels into libtinyedge_model.so (aarch64-linux-gnu-gcc -Werror), every listed source present', () => {
    const { dir } = buildAudio(funnel.int8, funnel.front, loadTarget('android-arm64'));
    const cmake = readFileSync(join(dir, 'android', 'CMakeLists.txt'), 'utf8');
    const listed = [...cmake.matchAll(/\$\{CMAKE_CURRENT_SOURCE_DIR\}\/\.\.\/(\S+\.c)/g)].map((m) => m[1]!);
    expect(listed).toContain('audio.c');
    expect(listed).toContain('tinyedge/audio/cwt.c');
    const flags = [
      '-shared',
      '-fPIC',
      '-std=c99',
      '-O2',
      '-march=armv8.2-a+dotprod',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-I/usr/include/android/nativehelper',
      '-I.',
      '-Itinyedge/include',
    ];
    const r = spawnSync(
      'aarch64-linux-gnu-gcc',
      [...flags, 'android/tinyedge_jni.c', ...listed, '-o', 'libtinyedge_model.so'],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'android', 'tinyedge_jni.c'), 'utf8')).toContain('audio_run(NULL)');
  });
});

describe('wasm32: cwt.wasm (AssemblyScript) and model.wasm in Node equal the reference', () => {
  it('CWT scalogram, FunnelNet features and output on every clip', async () => {
    const cwt = await TinyedgeCwt.load(cwtWasmBytes(), cwtInfo(funnel.front));
    const head = await instantiateWasm(features);
    const whole = await instantiateWasm(funnel.int8);
    for (const { name: clip, pcm } of clips) {
      const x = cwt.run(pcm);
      expect(firstDifference(x, cwtInt8(funnel.front.tables, pcm, funnel.front.requantize)), clip).toBeNull();
      head.setInput(x);
      head.run();
      expect(firstDifference(head.output(), reference(features, funnel.front, pcm)), clip).toBeNull();
      whole.setInput(x);
      whole.run();
      expect(firstDifference(whole.output(), reference(funnel.int8, funnel.front, pcm)), clip).toBeNull();
    }
  });

  it('the tail from the upsampled map (a 3×3 conv whose input rows, 1 KB, reach above the arena) equals the reference', async () => {
    // Regression: its border windows once loaded from before linear memory's start (offload plan's tail timing trapped).
    const tail = subgraph(funnel.int8, ['expand_2_resize'], funnel.int8.outputs);
    const deep = subgraph(funnel.int8, funnel.int8.inputs, ['expand_2_resize']);
    const model = await instantiateWasm(tail);
    for (const { name: clip, pcm } of clips.slice(0, 3)) {
      const x = reference(deep, funnel.front, pcm);
      model.setInput(x);
      model.run();
      expect(
        firstDifference(model.output(), runInteger(tail, { [tail.inputs[0]!]: x }).get(tail.outputs[0]!) as Int8Array),
        clip,
      ).toBeNull();
    }
  });
});
