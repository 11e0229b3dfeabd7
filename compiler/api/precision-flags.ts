/**
 * @fileoverview `--precision LIST|auto` and the flags `auto` reads (`--target`, `--budget-flash`, `--budget-ram`,
 * `--max-cost`, `--min-sqnr`), checked against the model before calibration spends any time: what quantize and
 * compile hand the library.
 */

import type { LoadedModel } from '../../models/registry.ts';
import { TinyedgeError } from '../errors.ts';
import { checkPrecisionPlan, parsePrecisionList } from '../quantize/precision-plan.ts';
import type { ActivationType } from '../quantize/prepare/quant-params.ts';
import type { AutoPrecisionRequest, QuantizeModelOptions } from './quantize-model.ts';
import { parseBytes } from './size-flag.ts';

/** The flags `--precision auto` reads, as commander gives them. */
export interface PrecisionFlags {
  precision?: string;
  activations?: ActivationType;
  target?: string;
  budgetFlash?: string;
  budgetRam?: string;
  maxCost?: string;
  minSqnr?: string;
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new TinyedgeError('TE601', `${flag} takes a positive number, got '${value}'`);
  return n;
}

function decibels(value: string, flag: string): number {
  const n = Number(value.replace(/\s*dB$/i, ''));
  if (!Number.isFinite(n))
    throw new TinyedgeError('TE601', `${flag} takes decibels such as 30 or 30dB, got '${value}'`);
  return n;
}

/** What `--precision auto` optimizes under: the flags given, the target's part for the budgets not given. */
function autoRequest(flags: PrecisionFlags): AutoPrecisionRequest {
  return {
    ...(flags.target !== undefined && { target: flags.target }),
    ...(flags.budgetFlash !== undefined && { budgetFlash: parseBytes(flags.budgetFlash, '--budget-flash') }),
    ...(flags.budgetRam !== undefined && { budgetRam: parseBytes(flags.budgetRam, '--budget-ram') }),
    ...(flags.maxCost !== undefined && { maxCost: positive(flags.maxCost, '--max-cost') }),
    ...(flags.minSqnr !== undefined && { minSqnrDb: decibels(flags.minSqnr, '--min-sqnr') }),
  };
}

/**
 * The quantize options of `--precision` (a layer=int8|16x8|int4w list, checked against the model's layers, or
 * `auto` with its budgets); none without the flag. It replaces --activations, so the two together are refused, and
 * auto's own flags without it too.
 */
export function precisionOptions(
  model: LoadedModel,
  flags: PrecisionFlags,
): Pick<QuantizeModelOptions, 'precision' | 'autoPrecision'> {
  const { precision } = flags;
  if (precision !== 'auto' && (flags.maxCost !== undefined || flags.minSqnr !== undefined))
    throw new TinyedgeError('TE602', '--max-cost and --min-sqnr go with --precision auto');
  if (precision === undefined) return {};
  if (flags.activations === 'int16')
    throw new TinyedgeError('TE602', '--precision and --activations int16 exclude each other: say 16x8 per layer');
  if (model.quantized)
    throw new TinyedgeError('TE606', 'is already quantized: --precision applies when a float model is quantized', {
      file: model.spec,
    });
  if (precision === 'auto') return { autoPrecision: autoRequest(flags) };
  const plan = parsePrecisionList(precision);
  checkPrecisionPlan(model.graph, plan);
  return { precision: plan };
}
