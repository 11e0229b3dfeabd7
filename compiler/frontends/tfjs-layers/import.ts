/**
 * @fileoverview Keras 2 models → IR, for functional Model and Sequential configs: a TF.js layers model (topology in
 * model.json) here, and a Keras .h5 file through keras-h5/.
 */

import { TinyedgeError, withPlace } from '../../errors.ts';
import { type Graph, GraphBuilder } from '../../ir/graph.ts';
import type { TfjsArtifacts } from '../tfjs-common/artifacts.ts';
import { type DecodedWeight, decodeTfjsWeights } from '../tfjs-common/weights.ts';
import { KerasConfig, type KerasLayer } from './keras-layer.ts';
import { checkWeightShape, KERAS_LAYERS, type KerasMapContext } from './layer-table.ts';

interface ModelConfig {
  class_name: string;
  config: { layers?: KerasLayer[]; input_layers?: unknown[]; output_layers?: unknown[] } | KerasLayer[];
}

/** The producers of a layer's first call: Keras 2's [[['name', node, tensor, kwargs], …]]. */
function inboundNames(layer: KerasLayer): string[] {
  const calls = layer.inbound_nodes ?? [];
  if (calls.length === 0) return [];
  if (calls.length > 1)
    throw new TinyedgeError('TE111', 'a layer called more than once (shared layer) is not supported');
  const call = calls[0];
  if (!Array.isArray(call))
    throw new TinyedgeError('TE106', 'inbound_nodes are not in the Keras 2 format [[name, node, tensor, kwargs]]');
  return call.map((entry) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string')
      throw new TinyedgeError('TE106', `inbound node ${JSON.stringify(entry)} is not [name, node, tensor, kwargs]`);
    if (entry[2] !== 0)
      throw new TinyedgeError(
        'TE111',
        `reads output ${entry[2]} of '${entry[0]}'; multi-output layers are not supported`,
      );
    return entry[0];
  });
}

/** Converts a TF.js layers model to the IR (batch fixed to 1). */
export function importTfjsLayers(artifacts: TfjsArtifacts): Graph {
  return importKerasModel(artifacts.file, artifacts.json.modelTopology, decodeTfjsWeights(artifacts));
}

/**
 * Converts a Keras 2 model (its topology: `{model_config}` or the config itself, and its weights by
 * 'layer/param' name) to the IR, batch fixed to 1: what a TF.js layers model and a Keras .h5 file both hold.
 */
export function importKerasModel(
  file: string,
  modelTopology: unknown,
  weights: ReadonlyMap<string, DecodedWeight>,
): Graph {
  const topology = modelTopology as { model_config?: ModelConfig };
  const modelConfig = topology.model_config ?? (topology as unknown as ModelConfig);
  if (!modelConfig || typeof modelConfig.class_name !== 'string')
    throw new TinyedgeError('TE104', "not a layers model: modelTopology has no 'model_config'", { file });
  const sequential = modelConfig.class_name === 'Sequential';
  const cfg = modelConfig.config;
  const layers: KerasLayer[] = Array.isArray(cfg) ? cfg : (cfg.layers ?? []);
  if (layers.length === 0) throw new TinyedgeError('TE104', `${modelConfig.class_name} config has no layers`, { file });
  const lookUp = (fullName: string): DecodedWeight | undefined => {
    const exact = weights.get(fullName);
    if (exact) return exact;
    for (const [k, w] of weights) if (k.endsWith(`/${fullName}`)) return w;
    return undefined;
  };
  // A layer's weights are float variables: TF.js refuses a manifest that stores one as another dtype.
  const findWeight = (fullName: string): DecodedWeight | undefined => {
    const w = lookUp(fullName);
    if (w && w.dtype !== 'float32')
      throw new TinyedgeError('TE108', `weight '${fullName}' is stored as ${w.dtype}; a layer's weights are float32`);
    return w;
  };

  const b = new GraphBuilder(file);
  const outputOf = new Map<string, string>();
  let previous: string | undefined;
  for (const layer of layers) {
    withPlace(
      { file, node: layer.name, op: layer.class_name },
      () => {
        const config = new KerasConfig(layer);
        if (
          layer.class_name === 'InputLayer' ||
          (sequential && previous === undefined && Array.isArray(layer.config.batch_input_shape))
        ) {
          const raw = (layer.config.batch_input_shape ?? layer.config.batch_shape) as (number | null)[] | undefined;
          if (!Array.isArray(raw)) throw new TinyedgeError('TE106', 'input layer has no batch_input_shape');
          const shape = raw.map((d, i) => (d === null && i === 0 ? 1 : d));
          if (shape.some((d) => d === null || (d as number) < 1))
            throw new TinyedgeError(
              'TE111',
              `input shape ${JSON.stringify(raw)} has unknown dimensions besides the batch`,
            );
          const name = layer.class_name === 'InputLayer' ? layer.name : `${layer.name}_input`;
          previous = b.input(name, shape as number[]);
          outputOf.set(name, previous);
          if (layer.class_name === 'InputLayer') return;
        }
        const mapping = KERAS_LAYERS[layer.class_name];
        if (!mapping)
          throw new TinyedgeError(
            'TE109',
            `Keras layer '${layer.class_name}' is not supported by tinyedge's layers-model frontend`,
          );
        const producers = sequential ? [previous as string] : inboundNames(layer);
        const inputs = producers.map((p) => {
          const t = outputOf.get(p);
          if (!t) throw new TinyedgeError('TE106', `input '${p}' is not an earlier layer`);
          return t;
        });
        const ctx: KerasMapContext = {
          layer,
          config,
          inputs,
          weight(param, expected) {
            const fullName = `${layer.name}/${param}`;
            const w = findWeight(fullName);
            if (w) checkWeightShape(w, expected, fullName);
            return w;
          },
          constant: (param, shape, data) => b.constant(`${layer.name}/${param}`, shape, data),
          shapeOf: (name) => b.shapeOf(name),
          emit: (op, ins, attrs, suffix) => b.node(op, suffix ? `${layer.name}/${suffix}` : layer.name, ins, attrs),
        };
        previous = mapping(ctx);
        outputOf.set(layer.name, previous);
      },
      true,
    );
  }
  const outputNames =
    sequential || Array.isArray(cfg)
      ? [layers[layers.length - 1]!.name]
      : ((cfg.output_layers ?? []) as unknown[][]).map((o) => String(o[0]));
  for (const o of outputNames) {
    const t = outputOf.get(o);
    if (!t) throw new TinyedgeError('TE114', `output layer '${o}' is not in the model`, { file });
    b.graph.outputs.push(t);
  }
  return b.graph;
}
