/** @fileoverview Picks the TF.js frontend (graph or layers model) for a model.json and returns the IR as imported (before passes). */

import { TinyedgeError } from '../errors.ts';
import type { Graph } from '../ir/graph.ts';
import { verifyFiniteConstants } from '../ir/verify-quantized.ts';
import type { TfjsArtifacts } from './tfjs-common/artifacts.ts';
import { importTfjsGraph, type TfjsGraphOptions } from './tfjs-graph/import.ts';
import { importTfjsLayers } from './tfjs-layers/import.ts';

/** Imports TF.js artifacts with the graph or the layers frontend, from model.json's format and topology. */
export function importTfjs(artifacts: TfjsArtifacts, options: TfjsGraphOptions = {}): Graph {
  const topology = artifacts.json.modelTopology as Record<string, unknown>;
  const isGraph = artifacts.json.format === 'graph-model' || Array.isArray(topology.node);
  if (!isGraph && options.outputs)
    throw new TinyedgeError('TE114', '--outputs cuts TF.js graph models; this is a layers model', {
      file: artifacts.file,
    });
  const g = isGraph ? importTfjsGraph(artifacts, options) : importTfjsLayers(artifacts);
  verifyFiniteConstants(g);
  return g;
}
