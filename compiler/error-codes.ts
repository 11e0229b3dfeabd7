/**
 * @fileoverview Every code a user-facing error carries, as data: the code, the stage it belongs to and a short title.
 * The error line shows the code (`tinyedge: error: … [TE104]`) so users can search it; docs/errors.md is rendered
 * from this table (tools/docs/errors-page.ts) and a test keeps the two equal. One code per kind of problem, grouped by
 * the stage of the pipeline: TE1xx load, TE2xx quantize, TE3xx plan, TE4xx backends, TE5xx targets (build, run),
 * TE6xx the user's input (flags, tensors, images, audio), TE7xx output files, TE8xx offload, TE9xx tinyedge itself.
 */

/** The stage of the pipeline (or the part of tinyedge) a code belongs to. */
export type ErrorStage =
  | 'load'
  | 'quantize'
  | 'plan'
  | 'backend'
  | 'target'
  | 'input'
  | 'output'
  | 'offload'
  | 'tinyedge';

/** The first digit of a code and the stage it names. */
export const ERROR_STAGES: Readonly<Record<ErrorStage, string>> = {
  load: 'TE1xx: reading a model (names, files, formats, importers)',
  quantize: 'TE2xx: quantization (calibration, quantization parameters, what the integer kernels can run)',
  plan: 'TE3xx: planning (memory budgets, split offload)',
  backend: 'TE4xx: code generation (C and WebAssembly backends, exporters, detector and audio stages)',
  target: 'TE5xx: targets (toolchains, builds, compiled folders, runs)',
  input: "TE6xx: the user's input (flags, tensor files, images, audio clips, which model fits which command)",
  output: 'TE7xx: output files and folders',
  offload: 'TE8xx: the offload server',
  tinyedge: 'TE9xx: tinyedge itself (missing parts of the installation, internal errors)',
};

/** Every error code: its stage and a title that says what kind of problem it is. */
export const ERROR_CODES = {
  TE101: { stage: 'load', title: 'cannot read the model file (missing, a folder, or not a regular file)' },
  TE102: { stage: 'load', title: 'unknown model format (not a TF.js model.json, .tflite, .onnx or tinyedge artifact)' },
  TE103: { stage: 'load', title: 'unknown model name, or builder parameters out of range' },
  TE104: { stage: 'load', title: 'the file is not a model of its format (not JSON, wrong identifier, no graph)' },
  TE105: { stage: 'load', title: 'not a valid tinyedge artifact' },
  TE106: { stage: 'load', title: 'corrupt model structure (indexes, names or references that point nowhere)' },
  TE107: { stage: 'load', title: 'inconsistent graph (shapes that disagree, inputs never computed, an unknown op)' },
  TE108: { stage: 'load', title: 'weights do not match their description (sizes, types, shards, non-finite values)' },
  TE109: { stage: 'load', title: 'operator not supported by the frontend' },
  TE110: { stage: 'load', title: "an operator's attributes, inputs or form are not supported or malformed" },
  TE111: {
    stage: 'load',
    title: 'model feature not supported (schema or opset version, several inputs, unknown dimensions, sparse tensors)',
  },
  TE112: {
    stage: 'load',
    title: 'tensor type not supported (tinyedge imports float models and full-integer int8 or 16×8 ones)',
  },
  TE113: { stage: 'load', title: 'detector post-processing in the graph not recognized' },
  TE114: { stage: 'load', title: '--outputs or a model output names nothing the graph computes' },
  TE201: { stage: 'quantize', title: 'op cannot be quantized (no int8 or 16×8 kernel, weights not constant)' },
  TE202: {
    stage: 'quantize',
    title: 'invalid quantization parameters (scales, zero points, per-channel axes, bias types)',
  },
  TE203: {
    stage: 'quantize',
    title: 'quantization the integer kernels cannot run (multipliers, softmax β, output scales)',
  },
  TE204: { stage: 'quantize', title: 'calibration did not reach a tensor' },
  TE205: { stage: 'quantize', title: 'the model is already quantized' },
  TE206: { stage: 'quantize', title: 'the model is float where a quantized one is needed (quantize it first)' },
  TE207: { stage: 'quantize', title: 'calibration data missing (no folder, no images, no clips)' },
  TE208: {
    stage: 'quantize',
    title: '--precision auto: no per-layer precision meets the budgets (flash, RAM, instructions, minimum SQNR)',
  },
  TE301: { stage: 'plan', title: "over the target's memory budget (RAM or flash)" },
  TE302: { stage: 'plan', title: 'the model cannot be split for offload at that cut' },
  TE303: { stage: 'plan', title: 'the model cannot run in patches with that grid and split layer' },
  TE401: { stage: 'backend', title: 'the backend has no kernel for this op, dtype or rank' },
  TE402: { stage: 'backend', title: 'the model cannot be exported to that format' },
  TE403: { stage: 'backend', title: "detector post-processing does not fit the model's outputs or anchors" },
  TE404: { stage: 'backend', title: 'the audio front end (CWT) cannot be computed exactly with these settings' },
  TE501: { stage: 'target', title: 'unknown target, or a kernel folder the target names does not exist' },
  TE502: { stage: 'target', title: 'the target cannot do what was asked (no C toolchain, no sockets, not under qemu)' },
  TE503: { stage: 'target', title: 'a build or tool command failed or is not installed' },
  TE504: { stage: 'target', title: 'not a folder written by `tinyedge compile`, or its files are malformed' },
  TE505: { stage: 'target', title: "the model's float32 values overflow" },
  TE601: { stage: 'input', title: 'malformed flag value (numbers, sizes, rates, durations, addresses, file kinds)' },
  TE602: { stage: 'input', title: 'flags missing, unknown or given together that exclude each other' },
  TE603: { stage: 'input', title: "the input tensor does not fit the model's input (size, type, values)" },
  TE604: { stage: 'input', title: 'the image cannot be decoded or does not fit the model' },
  TE605: { stage: 'input', title: 'the audio clip is not 16-bit PCM mono of the right rate and length' },
  TE606: {
    stage: 'input',
    title: 'the model does not fit this command or flag (audio vs image, detector, split side, precision)',
  },
  TE701: { stage: 'output', title: "refusing to write into this folder (not empty, not tinyedge's, or needs --force)" },
  TE702: { stage: 'output', title: 'refusing to overwrite this file (exists, is a folder, or is an input)' },
  TE703: { stage: 'output', title: 'cannot write the output' },
  TE704: { stage: 'output', title: 'the file system refused an operation on a path' },
  TE801: { stage: 'offload', title: 'cannot listen on the address (in use, needs privileges, not this machine)' },
  TE802: { stage: 'offload', title: 'the TLS certificate, key or token is not usable' },
  TE901: { stage: 'tinyedge', title: 'a part of tinyedge or an optional package is not built or installed' },
  TE999: { stage: 'tinyedge', title: 'internal error: a bug in tinyedge (run with --debug and please report it)' },
} as const satisfies Record<`TE${number}`, { stage: ErrorStage; title: string }>;

/** A code of the table: a code missing from it does not compile. */
export type ErrorCode = keyof typeof ERROR_CODES;
