/**
 * @fileoverview The fuzz suite's child process: runs `tinyedge predict MODEL --input FILE --json` through the same
 * library call the CLI makes (predictCommand), one case per IPC message, and answers how it ended, classified by the
 * CLI's own describeFailure. With an answer it sends the loaded graph's structure and, for the int8 formats tinyedge
 * writes, whether writing the loaded graph back reproduces the file byte for byte (it read exactly what the file says).
 */
import { readFileSync } from 'node:fs';
import { decodeArtifact, encodeArtifact } from '../../compiler/artifact/int8-artifact.ts';
import { predictCommand } from '../../compiler/cli/predict.ts';
import { exportInt8Tflite } from '../../compiler/exporters/tflite/export-int8.ts';
import { importTflite } from '../../compiler/frontends/tflite/import.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { describeFailure } from '../../compiler/terminal/failure.ts';
import { loadModel } from '../../models/registry.ts';

/** One case: the model file, its input file and its format. */
export interface HarnessCase {
  id: number;
  model: string;
  input: string;
  format: string;
}

/** How a case ended. */
export type HarnessResult =
  | { id: number; kind: 'ok'; data: number[]; rewritesExactly?: boolean; structure?: string }
  | { id: number; kind: 'user' | 'internal'; message: string; stack?: string };

/**
 * The loaded graph without its names and constant values: ops, attributes, how nodes connect, shapes, dtypes and
 * which tensors are quantized per channel. Two graphs with the same structure differ only in weights, scales and
 * zero points (each checked valid by the loader).
 */
function structureOf(g: Graph): string {
  const ids = new Map<string, number>();
  const id = (name: string) => {
    if (!ids.has(name)) ids.set(name, ids.size);
    return ids.get(name)!;
  };
  const tensor = (name: string) => {
    const t = tensorOf(g, name);
    return [id(name), t.shape, t.dtype, t.data !== undefined, t.quant?.scale.length, t.quant?.axis];
  };
  return JSON.stringify({
    inputs: g.inputs.map(tensor),
    nodes: g.nodes.map((n) => ({
      op: n.op,
      attrs: n.attrs,
      inputs: n.inputs.map(tensor),
      outputs: n.outputs.map(tensor),
    })),
    outputs: g.outputs.map(id),
  });
}

/** Whether encoding the loaded graph again gives the file's bytes (artifact and .tflite: tinyedge's writers are deterministic). */
function rewritesExactly(c: HarnessCase): boolean | undefined {
  const bytes = readFileSync(c.model);
  if (c.format === 'artifact') {
    const a = decodeArtifact(bytes, c.model);
    return Buffer.from(
      encodeArtifact({
        model: a.model,
        graph: a.graph,
        ...(a.labels ? { labels: a.labels } : {}),
        preprocessing: a.preprocessing,
        calibration: a.calibration,
      }),
    ).equals(bytes);
  }
  if (c.format === 'tflite') return Buffer.from(exportInt8Tflite(importTflite(bytes, c.model).graph)).equals(bytes);
  return undefined;
}

async function run(c: HarnessCase): Promise<HarnessResult> {
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) =>
    printed.push(String(chunk)) > 0) as typeof process.stdout.write;
  try {
    await predictCommand(c.model, { input: c.input, json: true });
  } catch (e) {
    const o = describeFailure(e);
    const kind = o.exitCode === 2 ? 'user' : 'internal';
    return { id: c.id, kind, message: o.line, ...(kind === 'internal' ? { stack: (e as Error)?.stack } : {}) };
  } finally {
    process.stdout.write = write;
  }
  const data = (JSON.parse(printed.join('')) as { output: { data: number[] } }).output.data;
  const exact = rewritesExactly(c);
  return {
    id: c.id,
    kind: 'ok',
    data,
    structure: structureOf(loadModel(c.model).graph),
    ...(exact === undefined ? {} : { rewritesExactly: exact }),
  };
}

process.on('message', (c: HarnessCase) => {
  void run(c).then((r) => process.send?.(r));
});
process.send?.({ ready: true });
