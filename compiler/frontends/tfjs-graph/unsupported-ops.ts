/**
 * @fileoverview Why TF ops tinyedge refuses are out of its reach, where the op name alone does not say: detector and
 * pose post-processing (indices and masks computed from the data) and control flow. The importer adds the reason to
 * its refusal, which names the file, node and op.
 */

const DATA_INDICES = 'it picks indices from the computed values (post-processing, not a feed-forward CNN layer)';
const DATA_GATHER = 'it reads at positions computed from the data (post-processing, not a feed-forward CNN layer)';
const DATA_MASK = 'it compares computed values into a mask (post-processing, not a feed-forward CNN layer)';
const CONTROL_FLOW = 'it is control flow (a TF while loop or conditional): tinyedge compiles data-flow graphs only';

/** TF ops tinyedge computes only as a model output: post-processing nothing else reads (ArgMax quantizes, TopKV2 runs in f32). */
export const OUTPUT_ONLY_TF_OPS: ReadonlySet<string> = new Set(['ArgMax', 'TopKV2']);

/** TF op → why tinyedge does not map it. */
export const UNSUPPORTED_TF_OP_REASONS: Readonly<Record<string, string>> = {
  ArgMax: DATA_INDICES,
  ArgMin: DATA_INDICES,
  TopKV2: DATA_INDICES,
  GatherV2: DATA_GATHER,
  GatherNd: DATA_GATHER,
  Equal: DATA_MASK,
  NotEqual: DATA_MASK,
  Greater: DATA_MASK,
  GreaterEqual: DATA_MASK,
  Less: DATA_MASK,
  LessEqual: DATA_MASK,
  Enter: CONTROL_FLOW,
  Exit: CONTROL_FLOW,
  Merge: CONTROL_FLOW,
  Switch: CONTROL_FLOW,
  LoopCond: CONTROL_FLOW,
  NextIteration: CONTROL_FLOW,
  While: CONTROL_FLOW,
  StatelessWhile: CONTROL_FLOW,
  If: CONTROL_FLOW,
  StatelessIf: CONTROL_FLOW,
};
