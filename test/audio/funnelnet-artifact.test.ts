/**
 * A quantized FunnelNet keeps its CWT front end through the artifact: `quantize` writes the configuration, and the
 * model loaded back from the file is an audio model whose fixed-point CWT and int8 graph give the same output bytes
 * as before (so `predict`, `compile` and `run` take it with --audio like builder:funnelnet).
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeArtifact } from '../../compiler/artifact/int8-artifact.ts';
import { cwtFrontEndOf } from '../../compiler/audio/cwt-front-end.ts';
import { FUNNELNET_CWT } from '../../compiler/audio/cwt-kernels.ts';
import { cwtInt8 } from '../../compiler/reference/audio/cwt-int.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { loadModel } from '../../models/registry.ts';
import { quantizedFunnelNet, testClips } from './audio-build.ts';

describe('FunnelNet artifact', () => {
  it('keeps the CWT configuration, and the loaded model gives the same bytes on every clip', async () => {
    const { int8, front } = await quantizedFunnelNet();
    const file = join(mkdtempSync(join(tmpdir(), 'tinyedge-funnelnet-')), 'funnelnet.tinyedge');
    writeFileSync(
      file,
      encodeArtifact({
        model: 'builder:funnelnet',
        graph: int8,
        preprocessing: { scale: 1, offset: 0 },
        calibration: { method: 'minmax', images: 8, biasCorrection: true },
        audio: FUNNELNET_CWT,
      }),
    );
    const loaded = loadModel(file);
    expect(loaded.audio).toEqual(FUNNELNET_CWT);
    const again = cwtFrontEndOf(loaded.graph, FUNNELNET_CWT);
    expect(again.requantize).toEqual(front.requantize);
    for (const { name, pcm } of testClips()) {
      const run = (g: typeof int8, f: typeof front) =>
        runInteger(g, { [g.inputs[0]!]: cwtInt8(f.tables, pcm, f.requantize) }).get(g.outputs[0]!);
      expect(run(loaded.graph, again), name).toEqual(run(int8, front));
    }
  });
});
