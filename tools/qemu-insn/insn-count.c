/*
 * tinyedge's qemu TCG plugin: counts the guest instructions a program executes, and records the running count at
 * each layer marker the generated code emits with -DTE_LAYER_MARKERS (`hint #100` on AArch64, `dbg #1` on Thumb-2:
 * both execute as no-ops), so the instructions of layer k are marks[k+1] − marks[k]. Counts repeat exactly for the
 * same command line. Written against qemu's plugin API v1 (qemu 7.2); tools/qemu-insn/build.ts compiles it with
 * the qemu-plugin.h of Debian's qemu source package. Argument: out=FILE, where it writes
 * {"instructions": N, "marks": [..]} at exit.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_MARKS 4096

static uint64_t executed;
static uint64_t marks[MAX_MARKS];
static size_t mark_count;
static char out_path[4096];

static const uint8_t A64_MARK[4] = {0x9f, 0x2c, 0x03, 0xd5}; /* hint #100 */
static const uint8_t T32_MARK[4] = {0xaf, 0xf3, 0xf1, 0x80}; /* dbg #1 */

static void on_mark(unsigned int vcpu, void *udata) {
  (void)vcpu;
  (void)udata;
  if (mark_count < MAX_MARKS) marks[mark_count++] = executed;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  size_t i, n = qemu_plugin_tb_n_insns(tb);
  (void)id;
  for (i = 0; i < n; i++) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &executed, 1);
    if (qemu_plugin_insn_size(insn) == 4) {
      const uint8_t *bytes = qemu_plugin_insn_data(insn);
      if (!memcmp(bytes, A64_MARK, 4) || !memcmp(bytes, T32_MARK, 4)) qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark, QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
  }
}

static void on_exit(qemu_plugin_id_t id, void *udata) {
  FILE *f = fopen(out_path, "w");
  size_t i;
  (void)id;
  (void)udata;
  if (!f) {
    qemu_plugin_outs("insn-count: cannot write the out= file\n");
    return;
  }
  fprintf(f, "{\"instructions\": %" PRIu64 ", \"marks\": [", executed);
  for (i = 0; i < mark_count; i++) fprintf(f, "%s%" PRIu64, i ? ", " : "", marks[i]);
  fprintf(f, "]}\n");
  fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
  int i;
  (void)info;
  for (i = 0; i < argc; i++) {
    if (!strncmp(argv[i], "out=", 4)) {
      strncpy(out_path, argv[i] + 4, sizeof out_path - 1);
    }
  }
  if (!out_path[0]) {
    qemu_plugin_outs("insn-count: give out=FILE\n");
    return -1;
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_exit, NULL);
  return 0;
}
