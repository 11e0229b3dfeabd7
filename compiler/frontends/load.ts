/** @fileoverview Picks the frontend for a model file by its format and returns the IR as imported (before passes). */
import { extname } from 'node:path';
import { Graph } from '../ir/graph.ts';
import { TinyedgeError } from '../errors.ts';
import { verifyFiniteConstants } from '../ir/verify-quantized.ts';
import { TfjsArtifacts, readTfjsModelFiles } from './tfjs-common/artifacts.ts';
import { TfjsGraphOptions, importTfjsGraph } from './tfjs-graph/import.ts';
import { importTfjsLayers } from './tfjs-layers/import.ts';

/** Imports TF.js artifacts with the graph or the layers frontend, from model.json's format and topology. */
export function importTfjs(artifacts: TfjsArtifacts, options: TfjsGraphOptions = {}): Graph {
  const topology = artifacts.json.modelTopology as Record<string, unknown>;
  const isGraph = artifacts.json.format === 'graph-model' || Array.isArray(topology.node);
  if (!isGraph && options.outputs) throw new TinyedgeError('TE114', '--outputs cuts TF.js graph models; this is a layers model', { file: artifacts.file });
  const g = isGraph ? importTfjsGraph(artifacts, options) : importTfjsLayers(artifacts);
  verifyFiniteConstants(g);
  return g;
}

/** Imports a float model file from disk: a TF.js model.json (int8 .tflite and .onnx files load as artifacts do, see models/registry.ts). */
export function importModelFile(file: string, options: TfjsGraphOptions = {}): Graph {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return importTfjs(readTfjsModelFiles(file), options);
  throw new TinyedgeError('TE102', `unknown model format '${ext || '(no extension)'}': expected a TF.js model.json, an int8 .tflite or an int8 .onnx`, { file });
}
