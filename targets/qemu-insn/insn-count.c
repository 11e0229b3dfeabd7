/*
 * tinyedge's qemu TCG plugin: counts the guest instructions a program executes, and records the running count at
 * each layer marker the generated code emits with -DTE_LAYER_MARKERS (`hint #100` on AArch64, `dbg #1` on Thumb-2:
 * both execute as no-ops), so the instructions of layer k are marks[k+1] − marks[k]. Counts repeat exactly for the
 * same command line. Written against qemu's plugin API v1 (qemu 7.2); targets/qemu-insn/build.ts compiles it with
 * the qemu-plugin.h of Debian's qemu source package. Argument: out=FILE, where it writes
 * {"instructions": N, "marks": [..]} at exit.
 *
 * On a 32-bit Arm guest (Thumb-2, M profile) it also sorts every executed instruction into a class by decoding
 * its encoding at translation time (thumb-class.h), and counts a few extras: the registers moved by load/store
 * multiple and how many conditional branches fell through. The class counts sum to the exact instruction count;
 * targets/qemu-insn/cycle-estimate.ts turns them into a cycle estimate. Then the file also holds "classes" and
 * "extras" (names), "counters" (totals, classes then extras) and "counterMarks" (the counters at each mark).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <qemu-plugin.h>

#include "thumb-class.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_MARKS 4096

static uint64_t executed;
static uint64_t marks[MAX_MARKS];
static size_t mark_count;
static char out_path[4096];
static int classify; /* a 32-bit Arm guest: Thumb-2 classes are decoded */

static uint64_t counters[N_COUNTERS];
static uint64_t counter_marks[MAX_MARKS][N_COUNTERS];
/* Where the last conditional branch would fall through to (Thumb addresses are even, so 0 means none), and which
 * counter a fall-through adds to. */
static uint64_t pending_fallthrough;
static int pending_counter;

static const uint8_t A64_MARK[4] = {0x9f, 0x2c, 0x03, 0xd5}; /* hint #100 */
static const uint8_t T32_MARK[4] = {0xaf, 0xf3, 0xf1, 0x80}; /* dbg #1 */

static void on_mark(unsigned int vcpu, void *udata) {
  (void)vcpu;
  (void)udata;
  if (mark_count < MAX_MARKS) {
    memcpy(counter_marks[mark_count], counters, sizeof counters);
    marks[mark_count++] = executed;
  }
}

/* A translation block starts executing: if the previous block ended in a conditional branch and this block starts
 * at that branch's fall-through address, the branch was not taken. udata packs the block's start address (high 32
 * bits), its own fall-through address if it ends in a conditional branch, and the counter for that (low bit). */
static void on_block(unsigned int vcpu, void *udata) {
  uint64_t packed = (uint64_t)(uintptr_t)udata;
  (void)vcpu;
  if (pending_fallthrough && (packed >> 32) == pending_fallthrough) counters[pending_counter]++;
  pending_fallthrough = packed & 0xfffffffeu;
  pending_counter = (packed & 1) ? COUNTER_LOOP_FALLTHROUGH : COUNTER_COND_FALLTHROUGH;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  size_t i, n = qemu_plugin_tb_n_insns(tb);
  int previous = -1;
  uint64_t fallthrough = 0;
  (void)id;
  for (i = 0; i < n; i++) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    size_t size = qemu_plugin_insn_size(insn);
    const uint8_t *bytes = qemu_plugin_insn_data(insn);
    qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &executed, 1);
    /* At least 4: QEMU 7.2 reports a Thumb-2 insn 6 bytes before a page's end as 6 bytes long (it counts the
     * halfword it peeked at to see whether the next insn crosses the page), so a marker there has size 6. */
    if (size >= 4 && (!memcmp(bytes, A64_MARK, 4) || !memcmp(bytes, T32_MARK, 4)))
      qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark, QEMU_PLUGIN_CB_NO_REGS, NULL);
    if (classify) {
      struct thumb_class c = thumb_classify(bytes, size, previous);
      qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &counters[c.counter], 1);
      if (c.registers)
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                   &counters[COUNTER_LDSTM_REGISTERS], c.registers);
      fallthrough = 0;
      if (c.counter == CLASS_COND_BRANCH || c.counter == CLASS_LOOP)
        fallthrough = (qemu_plugin_insn_vaddr(insn) + size) | (c.counter == CLASS_LOOP);
      previous = c.counter;
    }
  }
  if (classify)
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block, QEMU_PLUGIN_CB_NO_REGS,
                                         (void *)(uintptr_t)((qemu_plugin_tb_vaddr(tb) << 32) | fallthrough));
}

static void write_counters(FILE *f, const uint64_t *values) {
  int k;
  fprintf(f, "[");
  for (k = 0; k < N_COUNTERS; k++) fprintf(f, "%s%" PRIu64, k ? ", " : "", values[k]);
  fprintf(f, "]");
}

static void on_exit(qemu_plugin_id_t id, void *udata) {
  FILE *f = fopen(out_path, "w");
  size_t i;
  int k;
  (void)id;
  (void)udata;
  if (!f) {
    qemu_plugin_outs("insn-count: cannot write the out= file\n");
    return;
  }
  fprintf(f, "{\"instructions\": %" PRIu64 ", \"marks\": [", executed);
  for (i = 0; i < mark_count; i++) fprintf(f, "%s%" PRIu64, i ? ", " : "", marks[i]);
  fprintf(f, "]");
  if (classify) {
    fprintf(f, ",\n \"classes\": [");
    for (k = 0; k < N_CLASSES; k++) fprintf(f, "%s\"%s\"", k ? ", " : "", COUNTER_NAMES[k]);
    fprintf(f, "],\n \"extras\": [");
    for (k = N_CLASSES; k < N_COUNTERS; k++) fprintf(f, "%s\"%s\"", k > N_CLASSES ? ", " : "", COUNTER_NAMES[k]);
    fprintf(f, "],\n \"counters\": ");
    write_counters(f, counters);
    fprintf(f, ",\n \"counterMarks\": [");
    for (i = 0; i < mark_count; i++) {
      fprintf(f, "%s", i ? ", " : "");
      write_counters(f, counter_marks[i]);
    }
    fprintf(f, "]");
  }
  fprintf(f, "}\n");
  fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
  int i;
  for (i = 0; i < argc; i++) {
    if (!strncmp(argv[i], "out=", 4)) {
      strncpy(out_path, argv[i] + 4, sizeof out_path - 1);
    }
  }
  if (!out_path[0]) {
    qemu_plugin_outs("insn-count: give out=FILE\n");
    return -1;
  }
  classify = !strcmp(info->target_name, "arm");
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_exit, NULL);
  return 0;
}
