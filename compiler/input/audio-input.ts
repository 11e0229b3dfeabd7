/**
 * @fileoverview An audio model's input from a WAV clip: for a compiled folder, the clip read and checked (16-bit PCM
 * mono at the front end's rate) and, for a WebAssembly folder, its CWT module (cwt.wasm, audio.json) loaded beside the
 * model (a C folder's runner takes the PCM itself and runs the CWT on its target); for the reference interpreters, the
 * model's input made here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedModel } from '../../models/registry.ts';
import { type CwtInfo, TinyedgeCwt } from '../../runtime/wasm/tinyedge-cwt.js';
import { cwtFrontEndOf } from '../audio/cwt-front-end.ts';
import type { CompiledModel } from '../compile/compiled-model.ts';
import { TinyedgeError } from '../errors.ts';
import { scalogramF32 } from '../reference/audio/cwt-f32.ts';
import { cwtInt8 } from '../reference/audio/cwt-int.ts';
import { readWavClip } from '../reference/audio/read-wav.ts';

/** The clip an audio folder runs on, or an error when the flags do not fit the folder's kind of input. */
export function audioClipFor(
  dir: string,
  compiled: CompiledModel,
  options: { audio?: string; image?: string; input?: string },
): Int16Array | undefined {
  if (!compiled.audio) {
    if (options.audio)
      throw new TinyedgeError(
        'TE606',
        `'${compiled.model}' takes an image or a tensor, not audio: give --image FILE or --input FILE`,
        { file: dir },
      );
    return undefined;
  }
  if (!options.audio || options.image || options.input) {
    const c = compiled.audio.config;
    throw new TinyedgeError(
      'TE606',
      `'${compiled.model}' is an audio model: give --audio CLIP.wav (16-bit PCM mono, ${c.sampleRate} Hz, ${c.samples} samples)`,
      { file: dir },
    );
  }
  return readWavClip(options.audio, compiled.audio.config);
}

/** The folder's CWT front end in WebAssembly. */
export async function loadWasmCwt(dir: string): Promise<TinyedgeCwt> {
  const info = JSON.parse(readFileSync(join(dir, 'audio.json'), 'utf8')) as CwtInfo;
  return TinyedgeCwt.load(readFileSync(join(dir, 'cwt.wasm')), info);
}

/**
 * predict's input for an audio model (or undefined for any other, which must not be given --audio): the clip's
 * float scalogram for the f32 interpreter, or the fixed-point CWT's int8 input (exactly what compiled folders
 * compute on their targets) for the integer one.
 */
export function audioModelInput(
  model: LoadedModel,
  options: { audio?: string; image?: string; input?: string },
  float: boolean,
): Float32Array | Int8Array | undefined {
  const config = model.audio;
  if (!config) {
    if (options.audio)
      throw new TinyedgeError('TE606', `takes an image or a tensor, not audio: give --image FILE or --input FILE`, {
        file: model.spec,
      });
    return undefined;
  }
  if (!options.audio || options.image || options.input)
    throw new TinyedgeError(
      'TE606',
      `is an audio model: give --audio CLIP.wav (16-bit PCM mono, ${config.sampleRate} Hz, ${config.samples} samples)`,
      { file: model.spec },
    );
  const pcm = readWavClip(options.audio, config);
  if (float) return scalogramF32(config, pcm);
  const front = cwtFrontEndOf(model.graph, config);
  return cwtInt8(front.tables, pcm, front.requantize);
}
