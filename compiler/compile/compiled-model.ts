/**
 * @fileoverview The description of a compiled folder (`tinyedge.json`): what compile wrote for which target, the
 * input and output quantization a runner needs, and the memory figures. compile writes it; run reads it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CwtConfig } from '../audio/cwt-kernels.ts';
import { TinyedgeError } from '../errors.ts';
import type { ActivationType } from '../quantize/prepare/quant-params.ts';
import type { ArenaConfiguration } from './arena-configurations.ts';
import type { SplitRecord } from './split-build.ts';

/**
 * An output's shape and quantization; dtype int8, int16 for 16×8 models, int32 for indices (an ArgMax; scale 1,
 * zero point 0); absent in folders from before 16×8: int8.
 */
export interface CompiledTensor {
  name: string;
  shape: number[];
  scale: number;
  zeroPoint: number;
  dtype?: ActivationType | 'int32';
}

/** What `run` needs to know about a compiled folder (written as tinyedge.json). */
export interface CompiledModel {
  model: string;
  target: string;
  prefix: string;
  labels?: string[];
  preprocessing: { scale: number; offset: number };
  /** dtype: int8, or int16 for 16×8 models (absent in folders from before 16×8: int8). */
  input: { name: string; shape: number[]; scale: number; zeroPoint: number; dtype?: ActivationType };
  /** Output 0. */
  output: CompiledTensor;
  /** Every output in the model's order, output 0 first (absent in folders from before several outputs: output 0 only). */
  outputs?: CompiledTensor[];
  memory: {
    arenaBytes: number;
    lowerBoundBytes: number;
    weightBytes: number;
    codeBytes: number;
    /**
     * The configuration built (`layer-wise`, `in-place`, or patches `RxC@<node index>`), and every one tried with its
     * peak and lower bound, its ring layers and a patch grid's extra MACs (absent for a split model).
     */
    configuration?: ArenaConfiguration['name'];
    configurations?: ArenaConfiguration[];
    /** The input stays in the caller's buffer, outside the arena (`--caller-input`): arenaBytes leaves it out. */
    callerInput?: boolean;
  };
  /** An audio model's CWT front end: its input is a WAV clip; its tables are counted in weightBytes, its clip buffer is RAM beside the arena. */
  audio?: { config: CwtConfig; tableBytes: number; bufferBytes: number };
  /** Threads the model may use (`--threads`, above 1: a thread pool); absent: one. */
  threads?: number;
  /** Present for the device's side of a split model (`--cut`). */
  split?: SplitRecord;
}

/** The folder compile writes the description of a build into. */
export const COMPILED_MODEL_FILE = 'tinyedge.json';

/** Reads a compiled folder's description, refusing a folder compile did not write. */
export function readCompiledModel(dir: string): CompiledModel {
  const file = join(dir, COMPILED_MODEL_FILE);
  if (!existsSync(file))
    throw new TinyedgeError('TE504', `is not a folder written by \`tinyedge compile\` (no ${COMPILED_MODEL_FILE})`, {
      file: dir,
    });
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CompiledModel;
  } catch (e) {
    throw new TinyedgeError('TE504', `malformed: ${(e as Error).message}`, { file });
  }
}
