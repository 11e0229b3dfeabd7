/**
 * @fileoverview The C project of a split-offload device: head and tail compiled from one graph as two models with
 * their own prefixes (`head_*`, `tail_*`) and arenas, the offload client (runtime/c/offload), and a runner that
 * answers each input file by running the head and offloading the cut tensor, or running the tail here when the
 * server does not answer. For full offload (no head) the input itself is the cut tensor. Hosted targets only (the
 * client needs POSIX sockets).
 */

import { TinyedgeError } from '../../errors.ts';
import { type Graph, tensorOf } from '../../ir/graph.ts';
import type { Quantization } from '../../ir/tensor.ts';
import { planMemory } from '../../plan/plan-memory.ts';
import { type Cut, splitAt } from '../../plan/split/cut-candidates.ts';
import { modelHash } from '../../plan/split/model-hash.ts';
import { comment, doubleLiteral } from './c-literals.ts';
import { emitC } from './emit-c.ts';
import { familiesOf, kernelLayoutsOf } from './kernel-table.ts';
import { type CBuild, kernelSources, makefile, runtimeFiles } from './project.ts';
import { cScratchQuery } from './render-nodes.ts';

/** The offload client's sources, copied under tinyedge/offload/. */
export const OFFLOAD_SOURCES = ['wire_frame', 'entropy_codec', 'te_offload'].flatMap((f) => [
  `tinyedge/offload/${f}.h`,
  `tinyedge/offload/${f}.c`,
]);

/** What the runner's client config needs to know about the cut (from the graph, as the server checks it). */
function cutConfig(g: Graph, cut: Cut): string[] {
  const t = tensorOf(g, cut.tensor);
  const q = t.quant as Quantization;
  const hash = modelHash(g);
  const shape = [0, 1, 2, 3].map((i) => t.shape[i] ?? 1);
  return [
    ...Array.from({ length: 8 }, (_, i) => `  config.model_hash[${i}] = 0x${hash.slice(2 * i, 2 * i + 2)};`),
    `  config.cut_id = ${cut.id};`,
    `  config.element_type = ${t.dtype === 'int16' ? 'TE_ELEMENT_INT16' : 'TE_ELEMENT_INT8'};`,
    `  config.rank = ${t.shape.length};`,
    ...shape.map((d, i) => `  config.shape[${i}] = ${d};`),
    `  config.scale = (float)${doubleLiteral(q.scale[0]!)};`,
    `  config.zero_point = ${q.zeroPoint[0]};`,
  ];
}

/** The on-device prefilter (runtime/offload/prefilter.ts's, in C): a classifier of the model's input; frames whose
 * dequantized score for `wantedClass` is below `threshold` are answered "nothing" before the head. */
export interface SplitPrefilter {
  graph: Graph;
  wantedClass: number;
  threshold: number;
}

/**
 * The least output code that keeps a frame: the prefilter compares codes, never floats, and this is the first code
 * whose score as the TypeScript prefilter computes it (float32 of scale · (q − zero point)) reaches the threshold.
 */
export function prefilterMinCode(p: SplitPrefilter): number {
  const t = tensorOf(p.graph, p.graph.outputs[0]!);
  const q = t.quant as Quantization;
  const [lo, hi] = t.dtype === 'int16' ? [-32768, 32767] : [-128, 127];
  for (let code = lo; code <= hi; code++)
    if (Math.fround(q.scale[0]! * (code - q.zeroPoint[0]!)) >= p.threshold) return code;
  return hi + 1;
}

function checkPrefilter(g: Graph, p: SplitPrefilter): void {
  const [x, px] = [tensorOf(g, g.inputs[0]!), tensorOf(p.graph, p.graph.inputs[0]!)];
  const same =
    x.dtype === px.dtype && x.shape.join() === px.shape.join() && JSON.stringify(x.quant) === JSON.stringify(px.quant);
  if (!same)
    throw new TinyedgeError(
      'TE302',
      `the prefilter must read the model's input as it is (${x.dtype} ${x.shape.join('×')}, the same quantization)`,
      { file: p.graph.source },
    );
  const classes = tensorOf(p.graph, p.graph.outputs[0]!).shape.at(-1) ?? 0;
  if (!(p.wantedClass >= 0 && p.wantedClass < classes))
    throw new TinyedgeError('TE302', `the prefilter has ${classes} classes; class ${p.wantedClass} is not one`, {
      file: p.graph.source,
    });
}

/** How the runner turns an input into the cut tensor: through the head model, or (full offload) not at all. */
const CUT_FROM_INPUT = {
  head: {
    declare: '#include "head.h"',
    input: '(void *)head_input(NULL)',
    inputBytes: 'HEAD_INPUT_BYTES',
    runHead: '    head_run(NULL);\n',
    cut: '(const uint8_t *)head_output(NULL)',
  },
  none: {
    declare: `${comment('Full offload: the input is the cut tensor.')}\nstatic uint8_t input[TAIL_INPUT_BYTES];`,
    input: 'input',
    inputBytes: 'TAIL_INPUT_BYTES',
    runHead: '',
    cut: 'input',
  },
};

/**
 * The runner: `runner [--token=T] HOST PORT raw|entropy TIMEOUT_MS GAP_MS OUTPUT INPUT...` answers each input file
 * (the model's input bytes), GAP_MS apart, writes the answers one after another to OUTPUT and prints who answered
 * each frame as JSON. With a prefilter, a dropped frame is `{"by": "prefilter", "score": CODE}` and writes no answer.
 */
function offloadRunner(g: Graph, cut: Cut, hasHead: boolean, prefilter?: SplitPrefilter): string {
  const h = CUT_FROM_INPUT[hasHead ? 'head' : 'none'];
  const outputType =
    tensorOf(prefilter?.graph ?? g, (prefilter?.graph ?? g).outputs[0]!).dtype === 'int16' ? 'int16_t' : 'int8_t';
  const judge = prefilter
    ? `    memcpy(prefilter_input(NULL), ${h.input}, ${h.inputBytes});
    prefilter_run(NULL);
    score = ((const ${outputType} *)prefilter_output(NULL))[${prefilter.wantedClass}];
    if (score < ${prefilterMinCode(prefilter)}) {
      printf("%s{\\"by\\": \\"prefilter\\", \\"score\\": %d}", i > first ? ", " : "", score);
      fflush(stdout);
      if (i + 1 < argc) pause_ms(gap);
      continue;
    }
`
    : '';
  return `${comment(`Generated by tinyedge: split offload of ${g.source} at cut ${cut.id} ('${cut.tensor}').`)}
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tail.h"
${prefilter ? '#include "prefilter.h"\n' : ''}#include "tinyedge/offload/te_offload.h"
${h.declare}

static uint8_t send_buffer[TE_OFFLOAD_SEND_BYTES(TAIL_INPUT_BYTES)];
static uint8_t receive_buffer[TE_OFFLOAD_RECEIVE_BYTES(TAIL_OUTPUT_BYTES)];
static uint8_t answer[TAIL_OUTPUT_BYTES];
static te_offload client;

static void local_tail(const uint8_t *cut, uint8_t *out, void *user) {
  (void)user;
  memcpy(tail_input(NULL), cut, TAIL_INPUT_BYTES);
  tail_run(NULL);
  memcpy(out, tail_output(NULL), TAIL_OUTPUT_BYTES);
}

static void pause_ms(long ms) {
  struct timespec t;
  t.tv_sec = ms / 1000;
  t.tv_nsec = (ms % 1000) * 1000000L;
  nanosleep(&t, NULL);
}

int main(int argc, char **argv) {
  te_offload_config config;
  FILE *out;
  int i, first${prefilter ? ', score' : ''};
  long gap;
  memset(&config, 0, sizeof config);
  if (argc > 1 && strncmp(argv[1], "--token=", 8) == 0) {
    config.token = argv[1] + 8;
    argv++;
    argc--;
  }
  if (argc < 8) {
    fprintf(stderr, "usage: runner [--token=T] HOST PORT raw|entropy TIMEOUT_MS GAP_MS OUTPUT INPUT...\\n");
    return 2;
  }
  config.host = argv[1];
  config.port = (uint16_t)atoi(argv[2]);
  config.codec = strcmp(argv[3], "entropy") == 0 ? TE_CODEC_ENTROPY : TE_CODEC_RAW;
  config.answer_timeout_ms = atoi(argv[4]);
  config.connect_timeout_ms = config.answer_timeout_ms;
  config.backoff_min_ms = 20;
  config.backoff_max_ms = 2000;
${cutConfig(g, cut).join('\n')}
  config.cut_bytes = TAIL_INPUT_BYTES;
  config.answer_bytes = TAIL_OUTPUT_BYTES;
  config.local_tail = local_tail;
  config.send_buffer = send_buffer;
  config.receive_buffer = receive_buffer;
  te_offload_init(&client, &config);
  gap = atol(argv[5]);
  out = fopen(argv[6], "wb");
  if (!out) return 2;
  printf("{\\"frames\\": [");
  for (first = i = 7; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    te_offload_outcome by;
    if (!f || fread(${h.input}, 1, ${h.inputBytes}, f) != ${h.inputBytes}) {
      fprintf(stderr, "%s: cannot read %d input bytes\\n", argv[i], ${h.inputBytes});
      return 2;
    }
    fclose(f);
${judge}${h.runHead}    by = te_offload_infer(&client, ${h.cut}, answer);
    if (fwrite(answer, 1, TAIL_OUTPUT_BYTES, out) != TAIL_OUTPUT_BYTES) return 2;
    printf("%s{\\"by\\": \\"%s\\", \\"refusal\\": \\"%s\\"}", i > first ? ", " : "", te_offload_outcome_name(by), client.refusal);
    fflush(stdout);
    if (i + 1 < argc) pause_ms(gap);
  }
  printf("]}\\n");
  te_offload_close(&client);
  return fclose(out) == 0 ? 0 : 2;
}
`;
}

/** Every file of the device's C project for `g` split at `cut` (anything but local only, which is cProject's). */
export function splitProject(g: Graph, cut: Cut, build: CBuild, prefilter?: SplitPrefilter): Record<string, string> {
  if (build.board)
    throw new TinyedgeError('TE502', `split offload in C needs POSIX sockets; a bare-metal board has none`, {
      file: g.source,
    });
  const { head, tail } = splitAt(g, cut);
  if (tail.nodes.length === 0)
    throw new TinyedgeError('TE302', `cut ${cut.id} leaves nothing to offload: compile the model on its own`, {
      file: g.source,
    });
  const layouts = kernelLayoutsOf(build.kernels);
  if (prefilter) checkPrefilter(g, prefilter);
  const models: Record<string, Graph> = {
    ...(prefilter ? { prefilter: prefilter.graph } : {}),
    ...(head.nodes.length > 0 ? { head } : {}),
    tail,
  };
  const sources = Object.entries(models).map(
    ([prefix, part]) => emitC(part, planMemory(part, cScratchQuery(layouts)), prefix, layouts).files,
  );
  const kernelFiles = kernelSources(build.kernels, [
    ...new Set([...familiesOf(g), ...(prefilter ? familiesOf(prefilter.graph) : [])]),
  ]);
  const offloadC = OFFLOAD_SOURCES.filter((f) => f.endsWith('.c'));
  return {
    ...Object.assign({}, ...sources),
    'main.c': offloadRunner(g, cut, 'head' in models, prefilter),
    Makefile: makefile(Object.keys(models), build, [...kernelFiles, ...offloadC]),
    ...runtimeFiles([...kernelFiles, ...OFFLOAD_SOURCES]),
  };
}
