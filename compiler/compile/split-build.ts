/**
 * @fileoverview compile's split offload (`tinyedge compile … --cut N`): the device's side of a split model. For a hosted C target, one project
 * holding the head, the tail (the fallback when the server does not answer) and the offload client, built into
 * `runner`; for wasm32, `head/` and `tail/` folders, each a module with its loader. The server's side is
 * `tinyedge offload serve MODEL --cut N`, which compiles the same tail from the same model.
 */

import type { Target } from '../../targets/target.ts';
import { buildProject, LINK_MAP, textBytes } from '../../targets/toolchain.ts';
import { familiesOf } from '../backends/c/kernel-table.ts';
import { cBuildOf, kernelSources } from '../backends/c/project.ts';
import { OFFLOAD_SOURCES, splitProject } from '../backends/c/split-project.ts';
import { wasmScratchBytes } from '../backends/wasm/kernel-table.ts';
import { wasmProject } from '../backends/wasm/package/project.ts';
import type { Graph } from '../ir/graph.ts';
import { recordOutputFiles, writeOutputFiles } from '../output/output-dir.ts';
import { scratchQueryOf } from '../pipeline.ts';
import { planMemory } from '../plan/plan-memory.ts';
import { type Cut, splitAt } from '../plan/split/cut-candidates.ts';
import { modelHash } from '../plan/split/model-hash.ts';

/** What tinyedge.json records of a split build. */
export interface SplitRecord {
  cut: number;
  tensor: string;
  shape: number[];
  modelHash: string;
  /** Arena bytes of each part: the device holds both, the tail being its fallback. */
  headArenaBytes: number;
  tailArenaBytes: number;
}

/** Writes and (for C) builds the device's side of `g` split at `cut` into `out`; returns its memory figures. */
export function writeSplitBuild(
  g: Graph,
  cut: Cut,
  target: Target,
  out: string,
  model: string,
  labels: string[] | undefined,
  preprocessing: { scale: number; offset: number },
) {
  const { head, tail } = splitAt(g, cut);
  const arena = (part: Graph) => (part.nodes.length ? planMemory(part, scratchQueryOf(target)).arenaBytes : 0);
  const record: SplitRecord = {
    cut: cut.id,
    tensor: cut.tensor,
    shape: cut.shape,
    modelHash: modelHash(g),
    headArenaBytes: arena(head),
    tailArenaBytes: arena(tail),
  };
  let weightBytes = 0;
  let codeBytes = 0;
  if (target.backend === 'wasm') {
    for (const [name, part] of Object.entries({ head, tail })) {
      if (!part.nodes.length) continue;
      const project = wasmProject(
        part,
        planMemory(part, wasmScratchBytes),
        `${model} (${name} of cut ${cut.id})`,
        name === 'tail' ? labels : undefined,
        name === 'head' ? preprocessing : { scale: 1, offset: 0 },
      );
      writeOutputFiles(
        out,
        Object.fromEntries(Object.entries(project.files).map(([f, content]) => [`${name}/${f}`, content])),
      );
      weightBytes += project.dataBytes;
      codeBytes += project.codeBytes;
    }
  } else {
    const build = cBuildOf(target);
    writeOutputFiles(out, splitProject(g, cut, build));
    buildProject(out, target);
    const parts = head.nodes.length ? ['head', 'tail'] : ['tail'];
    recordOutputFiles(out, [
      'runner',
      LINK_MAP,
      'main.o',
      ...parts.flatMap((p) => [`${p}.o`, `${p}_weights.o`]),
      'tinyedge',
    ]);
    weightBytes = parts.reduce((sum, p) => sum + textBytes(out, [`${p}_weights.o`], target), 0);
    const sources = [
      ...kernelSources(build.kernels, familiesOf(g)),
      ...OFFLOAD_SOURCES.filter((f) => f.endsWith('.c')),
    ];
    codeBytes = textBytes(
      out,
      ['main.o', ...parts.map((p) => `${p}.o`), ...sources.map((s) => s.replace(/\.c$/, '.o'))],
      target,
    );
  }
  return { record, memory: { arenaBytes: record.headArenaBytes + record.tailArenaBytes, weightBytes, codeBytes } };
}
