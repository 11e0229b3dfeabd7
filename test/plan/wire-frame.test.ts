/**
 * The split planner's frame header size (compiler/plan/split/wire-frame.ts) is the runtime's: the TS wire protocol's
 * and the C client's. The planner may not import the runtime, so this test is what keeps the three equal.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES as PLANNED } from '../../compiler/plan/split/wire-frame.ts';
import { FRAME_HEADER_BYTES as WIRE } from '../../runtime/offload/wire-protocol.ts';

describe('the frame header the planner counts', () => {
  it('is the TS wire protocol’s and the C client’s', () => {
    const c = readFileSync(new URL('../../runtime/c/offload/wire_frame.h', import.meta.url), 'utf8').match(
      /#define TE_FRAME_HEADER_BYTES (\d+)/,
    );
    expect(PLANNED).toBe(WIRE);
    expect(Number(c?.[1])).toBe(PLANNED);
  });
});
