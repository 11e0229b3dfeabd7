/**
 * @fileoverview Decodes TF.js weight shards into f32 arrays with @tensorflow/tfjs-core's io (uint8/uint16/float16
 * storage quantization included), after checking that the bytes match the manifest so a truncated or foreign
 * shard is reported by weight and file instead of decoding into garbage.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

// decodeWeights builds tfjs tensors; PROD silences the cpu backend's "install tfjs-node" banner on stderr.
tf.env().set('PROD', true);

import { TinyedgeError } from '../../errors.ts';
import { formatShape, sizeOf } from '../../ir/tensor.ts';
import { concatShards, type Shard, type TfjsArtifacts, type WeightSpec } from './artifacts.ts';

/** A decoded weight: its manifest shape and dtype, and its values as f32. */
export interface DecodedWeight {
  shape: number[];
  /** The dtype the manifest declares (float32, int32, …): what the graph must read it as. */
  dtype: string;
  data: Float32Array;
}

const STORED_BYTES: Record<string, number> = { float32: 4, int32: 4, uint16: 2, float16: 2, uint8: 1, bool: 1 };

function storedBytes(spec: WeightSpec, file: string): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const per = STORED_BYTES[dtype];
  if (per === undefined)
    throw new TinyedgeError('TE108', `weight storage dtype '${dtype}' is not supported`, {
      file,
      node: spec.name,
      op: 'Const',
    });
  return per * sizeOf(spec.shape);
}

/** The shard file holding byte `offset` of a group. */
function shardAt(shards: Shard[], offset: number): Shard {
  let start = 0;
  for (const s of shards) {
    if (offset < start + s.bytes.length) return s;
    start += s.bytes.length;
  }
  return shards[shards.length - 1]!;
}

/** Decodes every weight of every group; keys are the manifest names. */
export function decodeTfjsWeights(artifacts: TfjsArtifacts): Map<string, DecodedWeight> {
  const out = new Map<string, DecodedWeight>();
  // One name, two weights: which one a node reads would depend on the order of the groups.
  const seen = new Set<string>();
  for (const spec of artifacts.json.weightsManifest.flatMap((g) => g.weights)) {
    if (seen.has(spec.name))
      throw new TinyedgeError('TE108', 'the weights manifest lists two weights of this name', {
        file: artifacts.file,
        node: spec.name,
        op: 'Const',
      });
    seen.add(spec.name);
  }
  artifacts.json.weightsManifest.forEach((group, gi) => {
    const shards = artifacts.shards[gi]!;
    const total = shards.reduce((n, s) => n + s.bytes.length, 0);
    let offset = 0;
    for (const spec of group.weights) {
      if (!spec.shape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new TinyedgeError('TE108', `manifest shape ${JSON.stringify(spec.shape)} is not a list of sizes`, {
          file: artifacts.file,
          node: spec.name,
          op: 'Const',
        });
      }
      const need = storedBytes(spec, artifacts.file);
      if (offset + need > total) {
        const last = shards[shards.length - 1];
        throw new TinyedgeError(
          'TE108',
          `weight ${formatShape(spec.shape)} needs bytes ${offset}..${offset + need} of weight group ${gi}, but its shards hold only ${total} bytes (is '${last?.file ?? '(none)'}' truncated?)`,
          { file: last?.file ?? artifacts.file, node: spec.name, op: 'Const' },
        );
      }
      offset += need;
    }
    if (offset !== total) {
      const extraIn = shardAt(shards, offset);
      throw new TinyedgeError(
        'TE108',
        `weight group ${gi} holds ${total} bytes but its manifest describes ${offset}: the shards do not belong to this model.json`,
        { file: extraIn.file },
      );
    }
    const buffer = concatShards(shards);
    const tensors = tf.io.decodeWeights(buffer, group.weights as tf.io.WeightsManifestEntry[]);
    for (const spec of group.weights) {
      const t = tensors[spec.name]!;
      out.set(spec.name, {
        shape: spec.shape,
        dtype: spec.dtype,
        data: Float32Array.from(t.dataSync() as ArrayLike<number>),
      });
      t.dispose();
    }
  });
  return out;
}
