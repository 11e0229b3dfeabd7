/**
 * @fileoverview The one fact of the offload wire format the split planner counts: the fixed header each frame
 * carries. The runtime defines the format (runtime/offload/wire-protocol.ts, runtime/c/offload/wire_frame.h) and
 * imports nothing of the compiler, and no compiler stage imports the runtime, so the number is stated here too;
 * test/plan/wire-frame.test.ts keeps the three equal.
 */

/** Bytes of a frame's header, before its payload. */
export const FRAME_HEADER_BYTES = 56;
