/**
 * @fileoverview Choosing the cut: for each candidate, the time from a captured frame to its answer is
 *   head (device) + network (RTT + request and answer bytes at the link's bandwidth + a measured per-frame
 *   overhead, if any) + tail (server),
 * with local only (no network, no server) and full offload (no head) as the two ends. The planner is a pure
 * function of measured costs, so tests and the demo can compare its prediction with what they measure.
 */

import { TinyedgeError } from '../../errors.ts';
import type { Cut } from './cut-candidates.ts';
import { FRAME_HEADER_BYTES } from './wire-frame.ts';

/** The link between device and server. */
export interface Link {
  bitsPerSecond: number;
  rttMs: number;
}

/** Measured or counted costs, one entry per cut (by cut id). */
export interface SplitCosts {
  /** Device time to run the head of each cut. */
  headMs: number[];
  /** Server time to run the tail of each cut. */
  tailMs: number[];
  /** Bytes of the model's output (the answer's payload). */
  answerBytes: number;
  /** Payload bytes of each cut's tensor as sent (raw, or after the codec); defaults to the tensor's bytes. */
  wireBytes?: number[];
  /** Fixed cost of an offloaded frame beyond the link and the tail (framing, sockets, the server's queue), if measured. */
  frameOverheadMs?: number;
}

/** One row of the plan. */
export interface SplitRow {
  cut: Cut;
  kind: 'local only' | 'full offload' | 'split';
  headMs: number;
  wireBytes: number;
  networkMs: number;
  tailMs: number;
  totalMs: number;
}

/** Every cut's predicted capture-to-answer time and the best one (ties go to the cut that keeps more on the device). */
export function planSplit(cuts: readonly Cut[], costs: SplitCosts, link: Link): { rows: SplitRow[]; best: SplitRow } {
  if (!(link.bitsPerSecond > 0) || !(link.rttMs >= 0))
    throw new TinyedgeError(
      'TE601',
      `the link needs a positive bandwidth and an RTT ≥ 0, got ${link.bitsPerSecond} bit/s and ${link.rttMs} ms`,
    );
  const last = cuts.length - 1;
  const rows = cuts.map((cut, i): SplitRow => {
    const local = i === last;
    const wireBytes = local ? 0 : (costs.wireBytes?.[i] ?? cut.bytes) + FRAME_HEADER_BYTES;
    const networkMs = local
      ? 0
      : link.rttMs +
        (costs.frameOverheadMs ?? 0) +
        ((wireBytes + costs.answerBytes + FRAME_HEADER_BYTES) * 8 * 1000) / link.bitsPerSecond;
    const tailMs = local ? 0 : costs.tailMs[i]!;
    const headMs = costs.headMs[i]!;
    return {
      cut,
      kind: local ? 'local only' : i === 0 ? 'full offload' : 'split',
      headMs,
      wireBytes,
      networkMs,
      tailMs,
      totalMs: headMs + networkMs + tailMs,
    };
  });
  const best = rows.reduce((b, r) => (r.totalMs <= b.totalMs ? r : b));
  return { rows, best };
}

/** "5mbit", "500kbit", "1gbit", "2.5mbps" or a plain number of bits per second. */
export function parseBandwidth(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(k|m|g)?(bit|bps|bit\/s)?$/i.exec(text.trim());
  if (!m) throw new TinyedgeError('TE601', `--bandwidth '${text}' is not a rate like 5mbit, 500kbit or 1gbit`);
  const scale = { k: 1e3, m: 1e6, g: 1e9 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1;
  const bits = Number(m[1]) * scale;
  if (!(bits > 0)) throw new TinyedgeError('TE601', `--bandwidth '${text}' must be above zero`);
  return bits;
}

/** "40ms", "0.2s" or a plain number of milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/i.exec(text.trim());
  if (!m) throw new TinyedgeError('TE601', `${flag} '${text}' is not a duration like 40ms or 0.2s`);
  return Number(m[1]) * (m[2]?.toLowerCase() === 's' ? 1000 : 1);
}
