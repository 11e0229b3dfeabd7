/**
 * @fileoverview Each layer of tinyedge's C build timed on this machine (the host target): the project is built as
 * compile builds it (its code bytes measured there, with `size`), then its schedule and runner again with
 * -DTE_LAYER_TIMES, so the layer markers the qemu plugin counts between on Arm stamp the monotonic clock instead
 * (kernels.h). Each sample is one process running the model twice, the first run paging the weights in; per-layer
 * medians over `runs` samples, so a loaded machine's outliers drop out. Wall times: compare layers of one run.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cScratchBytes } from '../../compiler/backends/c/render-nodes.ts';
import type { LoadedModel } from '../../compiler/index.ts';
import { modelStats } from '../../compiler/ir/stats.ts';
import { render } from '../../compiler/pipeline.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import type { Activations } from '../../compiler/reference/integer/conv.ts';
import { cToolchain, type Target } from '../../targets/target.ts';
import { buildProject, buildTemporaryProject, textBytes } from '../../targets/toolchain.ts';
import { median } from './stats.ts';
import { type LayerTime, shapeOf } from './wasm-layer-times.ts';

/** Objects whose source reads TE_LAYER_TIMES: the schedule (its markers) and the runner (the clock table). */
const TIMED_OBJECTS = ['model.o', 'main.o'];

/** Times each layer of the int8 model's C build on input `x`, `runs` samples; also its code and weight bytes. */
export function timeHostLayers(
  model: LoadedModel,
  x: Activations,
  target: Target,
  runs: number,
  onRun?: (done: number) => void,
): { layers: LayerTime[]; codeBytes: number; weightBytes: number } {
  const g = model.graph;
  const project = render(g, planMemory(g, cScratchBytes), target, model);
  const dir = buildTemporaryProject(project.files as Record<string, string>, target);
  try {
    const codeBytes = textBytes(dir, project.objects ?? [], target);
    for (const o of TIMED_OBJECTS) rmSync(join(dir, o));
    buildProject(dir, target, [...cToolchain(target).cflags, '-DTE_LAYER_TIMES']);
    const input = join(dir, 'input.i8');
    writeFileSync(input, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
    const samples = g.nodes.map((): number[] => []);
    for (let r = 0; r < runs; r++) {
      const run = spawnSync(join(dir, 'runner'), [input, join(dir, 'output.i8'), '2'], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`internal: the timed runner failed: ${run.stderr}`);
      const { layerMs } = JSON.parse(run.stdout) as { layerMs: number[] };
      if (layerMs.length !== g.nodes.length)
        throw new Error(`internal: expected ${g.nodes.length} layer times, the runner printed ${layerMs.length}`);
      for (const [i, ms] of layerMs.entries()) samples[i]!.push(ms);
      onRun?.(r + 1);
    }
    const macs = modelStats(g).nodes.map((n) => n.macs);
    const layers = g.nodes.map((node, i) => ({
      index: i,
      kernel: node.op,
      shape: shapeOf(g, i),
      ms: median(samples[i]!),
      macs: macs[i]!,
    }));
    return { layers, codeBytes, weightBytes: project.weightBytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
