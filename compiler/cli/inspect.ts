/**
 * @fileoverview `tinyedge inspect [model] [--target NAME [--budget-ram B]] [--json]`: the per-node table (op, output
 * shape, MACs, parameters, bytes) and totals; with a target, also the memory configurations compile would weigh there
 * (layer-wise, in place, patches when nothing else fits the target's RAM or the budget) and the one it would build.
 */

import { loadTarget } from '../../targets/target.ts';
import { parseBytes } from '../api/size-flag.ts';
import { type ArenaChoice, chooseArena } from '../compile/arena-configurations.ts';
import { TinyedgeError } from '../errors.ts';
import { describeClamp } from '../ir/attrs.ts';
import { tensorOf } from '../ir/graph.ts';
import { modelStats } from '../ir/stats.ts';
import { formatShape } from '../ir/tensor.ts';
import { arenaConfigurationLines, instructionLines, overBound } from '../terminal/arena-lines.ts';
import { bytes, shortName, si, table } from '../terminal/format.ts';
import { planInstructionsShown } from './plan-instructions.ts';
import { prepareModel } from './prepare-model.ts';
import { quantizeWithSamplesShown } from './quantize.ts';

/** Options of inspect. */
export interface InspectOptions {
  /** --outputs: cut a TF.js graph model after these nodes (comma-separated). */
  outputs?: string;
  json?: boolean;
  raw?: boolean;
  /** --target: also plan the quantized model's arena for this target. */
  target?: string;
  /** --budget-ram with --target: the RAM to fit instead of the target's. */
  budgetRam?: string;
  /** --caller-input with --target: plan with the input in the caller's buffer, outside the arena (as compile does). */
  callerInput?: boolean;
  /** --no-count-instructions with --target: skip counting the layer-wise and chosen plans under qemu. */
  countInstructions?: boolean;
}

/** The arena compile would build for the model quantized with the bundled samples on the target, within its RAM (or `budgetRam`). */
async function arenaOn(
  model: Parameters<typeof quantizeWithSamplesShown>[0],
  targetName: string,
  options: { budgetRam?: string; json?: boolean; callerInput?: boolean; countInstructions?: boolean },
) {
  const target = loadTarget(targetName);
  // As compile refuses it: only a C target's arena can leave its input to the caller.
  if (options.callerInput && (target.backend !== 'c' || model.audio))
    throw new TinyedgeError('TE602', '--caller-input is for C targets on one thread, without audio', {
      file: model.spec,
    });
  const int8 = await quantizeWithSamplesShown(model, options.json);
  const ram = target.memory?.ramBytes;
  const budget =
    options.budgetRam !== undefined
      ? { bytes: parseBytes(options.budgetRam, '--budget-ram'), name: '--budget-ram' }
      : ram != null
        ? { bytes: ram, name: `${target.name}'s RAM` }
        : undefined;
  const callerInput = options.callerInput ?? false;
  const arena = (choice: ArenaChoice, refused?: string) => ({
    target: targetName,
    lowerBoundBytes: choice.plan.lowerBoundBytes,
    arenaBytes: choice.plan.arenaBytes,
    chosen: choice.chosen.name,
    callerInput,
    configurations: choice.configurations,
    instructions: planInstructionsShown(int8.graph, choice, target, options),
    ...(refused ? { refused } : {}),
  });
  const patches = !int8.audio;
  try {
    return arena(chooseArena(int8.graph, target, { patches, callerInput, ...(budget ? { budget } : {}) }));
  } catch (e) {
    // Nothing fits: the configurations without a budget, and the refusal compile would give.
    if (!(e instanceof TinyedgeError) || e.code !== 'TE301') throw e;
    return arena(chooseArena(int8.graph, target, { patches, callerInput }), e.message);
  }
}

/** Prints the model's structure after the f32 passes (or as imported with --raw). */
export async function inspectCommand(spec: string | undefined, options: InspectOptions): Promise<void> {
  const model = prepareModel(spec, { optimized: !options.raw, quiet: options.json, outputs: options.outputs });
  const g = model.graph;
  if (options.callerInput && !options.target)
    throw new TinyedgeError('TE602', '--caller-input plans an arena: give --target', { file: model.spec });
  const arena = options.target ? await arenaOn(model, options.target, options) : undefined;
  const stats = modelStats(g);
  const io = (names: string[]) =>
    names.map((n) => ({ name: n, shape: tensorOf(g, n).shape, dtype: tensorOf(g, n).dtype }));
  if (options.json) {
    const nodes = stats.nodes.map((s, i) => ({
      ...s,
      activation:
        'clamp' in g.nodes[i]!.attrs ? describeClamp((g.nodes[i]!.attrs as { clamp: never }).clamp) : undefined,
    }));
    process.stdout.write(
      `${JSON.stringify({ model: model.spec, source: g.source, stage: options.raw ? 'imported' : 'optimized', inputs: io(g.inputs), outputs: io(g.outputs), nodes, totals: stats.totals, ...(arena ? { arena } : {}) })}\n`,
    );
    return;
  }
  const rows = stats.nodes.map((s, i) => {
    const attrs = g.nodes[i]!.attrs as { clamp?: Parameters<typeof describeClamp>[0] };
    const op = attrs.clamp && describeClamp(attrs.clamp) !== 'none' ? `${s.op}+${describeClamp(attrs.clamp)}` : s.op;
    return [
      i,
      shortName(s.name),
      op,
      formatShape(s.outputShape),
      s.macs ? si(s.macs) : '',
      s.params ? si(s.params) : '',
      bytes(s.activationBytes),
    ];
  });
  const t = stats.totals;
  const lines = [
    `model    ${model.spec}${model.spec !== g.source ? `  (${g.source})` : ''}`,
    `inputs   ${io(g.inputs)
      .map((x) => `${x.name} ${formatShape(x.shape)} ${x.dtype}`)
      .join(', ')}`,
    `outputs  ${io(g.outputs)
      .map((x) => `${x.name} ${formatShape(x.shape)} ${x.dtype}`)
      .join(', ')}`,
    table(['#', 'node', 'op', 'output', 'MACs', 'params', 'activation'], rows, [0, 4, 5, 6]),
    `nodes ${t.nodes}   MACs ${si(t.macs)} (${t.macs})   parameters ${si(t.params)}   weights ${bytes(t.weightBytes)}   largest activation ${bytes(t.largestActivationBytes)} (${shortName(t.largestActivation)})`,
    ...(arena
      ? [
          `arena on ${arena.target} (int8): ${arena.arenaBytes} B (${bytes(arena.arenaBytes)}), ${arena.chosen}; lower bound ${arena.lowerBoundBytes} B, ${overBound(arena.arenaBytes, arena.lowerBoundBytes)}${arena.callerInput ? " (the input in the caller's buffer, not counted)" : ''}`,
          ...arenaConfigurationLines(arena.configurations, arena.chosen, t.macs),
          ...instructionLines(arena.instructions, arena.target),
          ...(arena.refused ? [`  nothing fits: ${arena.refused}`] : []),
        ]
      : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
