/**
 * @fileoverview `npm run bench` without --target: the f32 reference interpreter, TF.js cpu and TF.js wasm (XNNPACK,
 * SIMD, one thread in Node) on the same packaged model and photo, as medians of interleaved runs (each round runs
 * every contender once, so drift in machine load hits all alike) and ratios.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TfjsArtifacts } from '../../compiler/frontends/tfjs-common/artifacts.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { tupleOf } from '../../compiler/ir/tuple.ts';
import { runF32 } from '../../compiler/reference/f32/interpreter.ts';
import { table } from '../../compiler/terminal/format.ts';
import { loadTfjsModel, type TfjsModel, useTfjsBackend } from '../peers/tfjs.ts';
import { mad, median } from './stats.ts';

interface Contender {
  name: string;
  /** Prepares (selects backend, warms up) and returns the function to time. */
  setup(): Promise<() => Float32Array>;
}

/** What the f32 benchmark measured. */
export interface F32BenchResult {
  runs: number;
  warmup: number;
  wasmSimd: boolean;
  rows: {
    runtime: string;
    medianMs: number;
    madMs: number;
    vsTfjsCpu: number;
    vsTfjsWasm: number;
    maxAbsDiffVsTfjsCpu: number;
  }[];
}

/** Times the f32 graph `g` in the interpreter beside TF.js (cpu, wasm) running `artifacts`, the same model, on `x`. */
export async function benchF32(
  g: Graph,
  x: Float32Array,
  artifacts: TfjsArtifacts,
  runs: number,
  warmup: number,
  log: (s: string) => void,
): Promise<F32BenchResult> {
  const shape = tensorOf(g, g.inputs[0]!).shape;
  const tfjsContender = (backend: 'cpu' | 'wasm'): Contender => {
    let m: TfjsModel | undefined;
    return {
      name: backend === 'cpu' ? 'TF.js cpu (f32, JS)' : 'TF.js wasm (f32, XNNPACK SIMD, 1 thread)',
      async setup() {
        await useTfjsBackend(backend);
        m ??= await loadTfjsModel(artifacts);
        const model = m;
        return () => model.predict(x, shape);
      },
    };
  };
  const contenders: Contender[] = [
    {
      name: 'tinyedge f32 reference interpreter',
      setup: async () => () => runF32(g, { [g.inputs[0]!]: x }).get(g.outputs[0]!) as Float32Array,
    },
    tfjsContender('cpu'),
    tfjsContender('wasm'),
  ];
  const times = contenders.map(() => [] as number[]);
  const outputs: Float32Array[] = [];
  for (let round = -warmup; round < runs; round++) {
    for (const [i, c] of contenders.entries()) {
      const run = await c.setup();
      const t0 = performance.now();
      const y = run();
      const dt = performance.now() - t0;
      if (round >= 0) times[i]!.push(dt);
      outputs[i] = y;
    }
    if (round >= 0) log(`round ${round + 1}/${runs}`);
  }
  const medians = times.map(median);
  const [, cpu, wasm] = tupleOf(medians, 3);
  const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
  const rows = contenders.map((c, i) => ({
    runtime: c.name,
    medianMs: Number(medians[i]!.toFixed(2)),
    madMs: Number(mad(times[i]!).toFixed(2)),
    vsTfjsCpu: Number((medians[i]! / cpu).toFixed(3)),
    vsTfjsWasm: Number((medians[i]! / wasm).toFixed(3)),
    maxAbsDiffVsTfjsCpu: maxDiff(outputs[i]!, outputs[1]!),
  }));
  return { runs, warmup, wasmSimd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT') as boolean, rows };
}

/** The table the benchmark prints. */
export function formatF32Bench(r: F32BenchResult): string {
  return [
    table(
      ['runtime', 'median ms', '± MAD', '× TF.js cpu', '× TF.js wasm', 'max |Δ| vs TF.js cpu'],
      r.rows.map((row) => [
        row.runtime,
        row.medianMs.toFixed(1),
        row.madMs.toFixed(1),
        row.vsTfjsCpu.toFixed(2),
        row.vsTfjsWasm.toFixed(2),
        row.maxAbsDiffVsTfjsCpu.toExponential(1),
      ]),
      [1, 2, 3, 4, 5],
    ),
    '× < 1 is faster than that peer. The f32 interpreter is the oracle of the int8 backends, not the product.',
  ].join('\n');
}
