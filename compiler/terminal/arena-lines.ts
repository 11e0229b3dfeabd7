/** @fileoverview The memory configurations compile tried, as the lines compile and inspect --target print under the arena. */
import type { ArenaConfiguration } from '../compile/arena-configurations.ts';
import type { PlanInstructions } from '../compile/count-instructions.ts';

/** `+3.2% over it` or `at it`: how far a peak is above its lower bound. */
export function overBound(arenaBytes: number, lowerBoundBytes: number): string {
  if (arenaBytes <= lowerBoundBytes) return 'at it';
  return `+${((100 * (arenaBytes - lowerBoundBytes)) / lowerBoundBytes).toFixed(1)}% over it`;
}

/**
 * Whether another configuration is as small and as cheap, and better in one of the two, or the same on both and
 * listed earlier (grids of 13, 14, 15 and 16 rows often cost the same: one line says it).
 */
function dominated(c: ArenaConfiguration, all: readonly ArenaConfiguration[]): boolean {
  const macs = (x: ArenaConfiguration) => x.extraMacs ?? 0;
  const at = all.indexOf(c);
  return all.some(
    (u, i) =>
      u !== c &&
      u.arenaBytes <= c.arenaBytes &&
      macs(u) <= macs(c) &&
      (u.arenaBytes < c.arenaBytes || macs(u) < macs(c) || i < at),
  );
}

/**
 * One line per configuration tried (peak, lower bound, ring layers, a patch grid's extra MACs as a share of `macs`),
 * the chosen one marked; of the patch grids (a search may try a hundred) only those no other beats or equals on both
 * arena and MACs, and the chosen one.
 */
export function arenaConfigurationLines(
  configurations: readonly ArenaConfiguration[],
  chosen?: string,
  macs?: number,
): string[] {
  const grids = configurations.filter((c) => c.extraMacs !== undefined);
  const shown = configurations.filter(
    (c) => c.extraMacs === undefined || c.name === chosen || !dominated(c, configurations),
  );
  const lines = shown.map((c) => {
    const layers = c.inPlaceLayers !== undefined ? `, ${c.inPlaceLayers} layers through a ring of output rows` : '';
    const share = macs && c.extraMacs !== undefined ? ` (+${((100 * c.extraMacs) / macs).toFixed(1)}%)` : '';
    const extra = c.extraMacs !== undefined ? `, +${c.extraMacs} MACs${share} recomputing the halo` : '';
    const mark = c.name === chosen ? '  ← built' : '';
    return `           ${c.name.padEnd(10)} ${c.arenaBytes} B, lower bound ${c.lowerBoundBytes} B${layers}${extra}${mark}`;
  });
  const hidden = grids.length - shown.filter((c) => c.extraMacs !== undefined).length;
  return hidden > 0
    ? [
        ...lines,
        `           (${hidden} more patch grids tried, each beaten or equalled on arena and MACs: --json lists them)`,
      ]
    : lines;
}

/** The instructions line under the configurations: layer-wise and built, counted under qemu, or why not. */
export function instructionLines(counts: PlanInstructions | undefined, target: string): string[] {
  if (counts === undefined) return [];
  if ('unavailable' in counts)
    return [`  instr.   not counted on ${target} (--no-count-instructions skips it): ${counts.unavailable}`];
  const n = (v: number) => v.toLocaleString('en-US');
  const overhead = counts.chosen - counts.layerWise;
  return [
    `  instr.   ${n(counts.chosen)} built, ${n(counts.layerWise)} layer-wise (${overhead >= 0 ? '+' : ''}${((100 * overhead) / counts.layerWise).toFixed(1)}%), counted under qemu on ${target}`,
  ];
}
