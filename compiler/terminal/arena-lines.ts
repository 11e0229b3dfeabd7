/** @fileoverview The arena plans compile tried, as the lines compile and inspect --target print under the arena. */
import type { ArenaConfiguration } from '../compile/arena-configurations.ts';

/** `+3.2% over it` or `at it`: how far a peak is above its lower bound. */
export function overBound(arenaBytes: number, lowerBoundBytes: number): string {
  if (arenaBytes <= lowerBoundBytes) return 'at it';
  return `+${((100 * (arenaBytes - lowerBoundBytes)) / lowerBoundBytes).toFixed(1)}% over it`;
}

/** One line per plan tried (peak, lower bound, in-place layers), the chosen one marked. */
export function arenaConfigurationLines(configurations: readonly ArenaConfiguration[], chosen?: string): string[] {
  return configurations.map((c) => {
    const layers = c.inPlaceLayers !== undefined ? `, ${c.inPlaceLayers} layers through a ring of output rows` : '';
    const mark = c.name === chosen ? '  ← built' : '';
    return `           ${c.name.padEnd(10)} ${c.arenaBytes} B, lower bound ${c.lowerBoundBytes} B${layers}${mark}`;
  });
}
