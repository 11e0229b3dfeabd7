/**
 * Bad input never produces a stack trace or a wrong answer: each case prints the design's one-line error
 * `tinyedge: error: <file>: node '<name>' (<op>): <what>` naming what it can, and exits 2.
 */

import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { expectUserError, tinyedge } from './support/cli.ts';
import { writeNsfwjsModelFiles } from './support/model-files.ts';

let pristine: string;
let pristineLayers: string;
let work: string;

/** A fresh copy of a model on disk (default: the graph model), changed by `edit` (model.json as an object; the folder for files). */
// biome-ignore lint/suspicious/noExplicitAny: the cases edit arbitrary depths of model.json, as a user's file would be
function brokenModel(name: string, edit: (json: Record<string, any>, dir: string) => void, from = pristine): string {
  const dir = join(work, name);
  cpSync(from, dir, { recursive: true });
  const file = join(dir, 'model.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  edit(json, dir);
  writeFileSync(file, JSON.stringify(json));
  return file;
}

const CONV_WEIGHTS =
  'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/MobilenetV2/Conv/Conv2D_weights';

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tinyedge-bad-'));
  pristine = join(work, 'pristine');
  writeNsfwjsModelFiles('mobilenet_v2_mid', pristine);
  pristineLayers = join(work, 'pristine-layers');
  writeNsfwjsModelFiles('mobilenet_v2', pristineLayers);
});

// biome-ignore lint/suspicious/noExplicitAny: a layer of model.json, edited field by field by the cases
function layer(json: Record<string, any>, name: string): Record<string, any> {
  return json.modelTopology.model_config.config.layers.find((l: { name: string }) => l.name === name);
}

describe('bad input', () => {
  it('missing model file: names the file', () => {
    expectUserError(
      tinyedge(['inspect', join(work, 'nowhere', 'model.json')]),
      /^tinyedge: error: \S+nowhere\/model\.json: cannot read model: no such file$/,
      'TE101',
    );
  });

  it('malformed model.json: names the file and says it is not JSON', () => {
    const file = join(work, 'malformed.json');
    writeFileSync(file, '{"format": "graph-model", "modelTopology": {');
    expectUserError(tinyedge(['inspect', file]), /^tinyedge: error: \S+malformed\.json: malformed JSON: /, 'TE104');
  });

  it('model.json that is JSON but not a TF.js model: says what is missing', () => {
    const file = join(work, 'not-a-model.json');
    writeFileSync(file, '{"hello": 1}');
    expectUserError(
      tinyedge(['inspect', file]),
      /not-a-model\.json: not a TF\.js model\.json: no 'modelTopology' object$/,
      'TE104',
    );
  });

  it('missing weight shard: names the shard file', () => {
    const file = brokenModel('missing-shard', (_json, dir) => rmSync(join(dir, 'group1-shard2of2')));
    expectUserError(
      tinyedge(['inspect', file]),
      /^tinyedge: error: \S+missing-shard\/group1-shard2of2: cannot read weight shard listed in \S+model\.json: no such file$/,
      'TE101',
    );
  });

  it('truncated weight shard: names the shard, the first weight that does not fit, and Const', () => {
    const file = brokenModel('truncated', (_json, dir) => {
      const shard = join(dir, 'group1-shard2of2');
      truncateSync(shard, statSync(shard).size - 1000);
    });
    expectUserError(
      tinyedge(['inspect', file]),
      /^tinyedge: error: \S+truncated\/group1-shard2of2: node '[^']+' \(Const\): weight \S+ needs bytes \d+\.\.\d+ of weight group 0, but its shards hold only \d+ bytes/,
      'TE108',
    );
  });

  it("a weight whose stored size disagrees with the graph's declared shape: names the node and Const", () => {
    const file = brokenModel('wrong-shape', (json) => {
      const node = json.modelTopology.node.find((n: { name: string }) => n.name === CONV_WEIGHTS);
      node.attr.value.tensor.tensorShape.dim[3].size = '40';
    });
    expectUserError(
      tinyedge(['inspect', file]),
      new RegExp(
        `node '${CONV_WEIGHTS}' \\(Const\\): the graph declares shape 3×3×3×40 but the weights manifest stores 3×3×3×48`,
      ),
      'TE108',
    );
  });

  it("a filter that does not fit its conv's input: names the conv node and its op", () => {
    const file = brokenModel('wrong-channels', (json) => {
      const spec = json.weightsManifest[0].weights.find((w: { name: string }) => w.name === CONV_WEIGHTS);
      const node = json.modelTopology.node.find((n: { name: string }) => n.name === CONV_WEIGHTS);
      // 3×3×3×48 reinterpreted as 3×3×4×36: same bytes, wrong input channels.
      spec.shape = [3, 3, 4, 36];
      node.attr.value.tensor.tensorShape.dim = [{ size: '3' }, { size: '3' }, { size: '4' }, { size: '36' }];
    });
    expectUserError(
      tinyedge(['inspect', file]),
      /node '[^']+\/Conv\/Relu6' \(_FusedConv2D\): filter '[^']+' \(36×3×3×4, OHWI\) expects 4 input channels but input '[^']+' has 3$/,
      'TE107',
    );
  });

  it('unsupported op: names the file, the node and the op', () => {
    const file = brokenModel('unsupported', (json) => {
      const node = json.modelTopology.node.find((n: { op: string }) => n.op === 'Softmax');
      node.op = 'Erf';
    });
    expectUserError(
      tinyedge(['inspect', file]),
      /^tinyedge: error: \S+unsupported\/model\.json: node 'StatefulPartitionedCall\/sequential\/prediction\/Softmax' \(Erf\): TF op 'Erf' is not supported/,
      'TE109',
    );
  });

  it('unsupported fused activation: names the node and op', () => {
    const file = brokenModel('unsupported-fused', (json) => {
      const node = json.modelTopology.node.find((n: { op: string }) => n.op === '_FusedConv2D');
      node.attr.fused_ops.list.s = [Buffer.from('BiasAdd').toString('base64'), Buffer.from('Elu').toString('base64')];
    });
    expectUserError(tinyedge(['inspect', file]), /\(_FusedConv2D\): fused op 'Elu' is not supported/, 'TE110');
  });

  it("layers model: a kernel whose manifest shape disagrees with the layer's config names the layer and its class", () => {
    const file = brokenModel(
      'layers-wrong-filters',
      (json) => (layer(json, 'Conv1').config.filters = 40),
      pristineLayers,
    );
    expectUserError(
      tinyedge(['inspect', file]),
      /node 'Conv1' \(Conv2D\): weight 'Conv1\/kernel' has shape 3×3×3×32 in the weights manifest but the layer's config and input need 3×3×3×40$/,
      'TE108',
    );
  });

  it('layers model: an unsupported layer class names the layer and its class', () => {
    const file = brokenModel(
      'layers-unsupported',
      (json) => (layer(json, 'dropout_2').class_name = 'SpatialDropout3D'),
      pristineLayers,
    );
    expectUserError(
      tinyedge(['inspect', file]),
      /node 'dropout_2' \(SpatialDropout3D\): Keras layer 'SpatialDropout3D' is not supported/,
      'TE109',
    );
  });

  it('--input of the wrong size: names the file, the input and the expected size', () => {
    const file = join(work, 'small.f32');
    writeFileSync(file, Buffer.alloc(1000));
    expectUserError(
      tinyedge(['predict', '--input', file]),
      /^tinyedge: error: \S+small\.f32: node 'input' \(input\): expects 150528 float32 values \(602112 bytes, shape 1×224×224×3, NHWC, little-endian\) but the file has 1000 bytes$/,
      'TE603',
    );
  });

  it('an undecodable --image: names the file', () => {
    const file = join(work, 'not-an-image.png');
    writeFileSync(file, 'definitely not a PNG');
    expectUserError(
      tinyedge(['predict', '--image', file]),
      /^tinyedge: error: \S+not-an-image\.png: cannot decode image: /,
      'TE604',
    );
  });

  it('unknown model name: lists the known ones', () => {
    expectUserError(
      tinyedge(['inspect', 'nsfwjs:resnet']),
      /unknown model 'nsfwjs:resnet'; known: nsfwjs:mobilenet_v2_mid, nsfwjs:mobilenet_v2/,
      'TE103',
    );
  });

  it('neither --image nor --input: says so', () => {
    expectUserError(tinyedge(['predict']), /give exactly one of --image FILE or --input FILE\.f32/, 'TE602');
  });
});
