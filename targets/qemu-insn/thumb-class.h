/*
 * Sorts one Thumb-2 instruction (M profile: ARMv7E-M and ARMv8.1-M with Helium) into a cost class, from its
 * encoding as qemu hands it to the plugin (little-endian halfwords). The classes follow the rows of Arm's timing
 * tables (targets/qemu-insn/cycle-costs.ts prices them per core); the decoding follows the ARMv7-M and ARMv8-M
 * Architecture Reference Manuals' Thumb encoding tables, only as far as the cost class needs.
 */
#ifndef TINYEDGE_THUMB_CLASS_H
#define TINYEDGE_THUMB_CLASS_H

#include <stddef.h>
#include <stdint.h>

/* Instruction classes (each executed instruction counts in exactly one), then extras. */
enum {
  CLASS_ALU,             /* data processing, moves, compares, shifts, bit fields, extends, IT, hints */
  CLASS_DSP,             /* SIMD within a register and saturation: SXTB16, SADD16, QADD, SSAT, SEL, PKHBT… */
  CLASS_MUL,             /* multiplies and multiply-accumulates: MUL, MLA, SMULL, SMLABB, SMLAD, SMMULR, USAD8… */
  CLASS_DIV,             /* SDIV, UDIV */
  CLASS_LOAD,            /* load single (LDR, LDRB, LDRSH…) after anything but a load/store single */
  CLASS_LOAD_PIPELINED,  /* load single right after a load/store single: its address phase overlaps */
  CLASS_STORE,           /* store single */
  CLASS_LDSTM,           /* LDM, STM, PUSH, POP, LDRD, STRD (registers counted in an extra) */
  CLASS_BRANCH,          /* B, BL, BX, BLX, TBB, TBH, LDR/MOV/ADD to PC: always taken */
  CLASS_COND_BRANCH,     /* B<cond>, CBZ, CBNZ */
  CLASS_LOOP,            /* low-overhead loops: LE, LETP, WLS, WLSTP */
  CLASS_FP,              /* scalar floating point (coprocessors 10 and 11) */
  CLASS_FP_LDST,         /* VLDR, VSTR, VLDM, VSTM, VPUSH, VPOP of S/D registers */
  CLASS_MVE,             /* Helium vector data processing (4 beats each) */
  CLASS_MVE_LDST,        /* Helium vector loads and stores (4 beats each) */
  N_CLASSES,
  COUNTER_LDSTM_REGISTERS = N_CLASSES, /* registers moved by CLASS_LDSTM */
  COUNTER_COND_FALLTHROUGH,            /* CLASS_COND_BRANCH not taken */
  COUNTER_LOOP_FALLTHROUGH,            /* CLASS_LOOP not taken (LE at the loop's end, WLS entering the loop) */
  N_COUNTERS
};

static const char *const COUNTER_NAMES[N_COUNTERS] = {
    "alu",    "dsp",         "mul",  "div", "load",  "load-pipelined", "store",    "ldstm",
    "branch", "cond-branch", "loop", "fp",  "fp-ldst", "mve",          "mve-ldst", "ldstm-registers",
    "cond-branch-fallthrough", "loop-fallthrough"};

/* An instruction's class and, for CLASS_LDSTM, how many registers it moves. */
struct thumb_class {
  int counter;
  unsigned registers;
};

static unsigned popcount16(unsigned v) {
  unsigned n = 0;
  for (v &= 0xffff; v; v &= v - 1) n++;
  return n;
}

static int is_ldst_single(int counter) {
  return counter == CLASS_LOAD || counter == CLASS_LOAD_PIPELINED || counter == CLASS_STORE;
}

/* A load, pipelined when it follows a load or store single in the same block. */
static struct thumb_class load_after(int previous) {
  struct thumb_class c = {is_ldst_single(previous) ? CLASS_LOAD_PIPELINED : CLASS_LOAD, 0};
  return c;
}

static struct thumb_class class_of(int counter, unsigned registers) {
  struct thumb_class c = {counter, registers};
  return c;
}

static struct thumb_class thumb16(unsigned h, int previous) {
  if ((h & 0xffc0) == 0x4340) return class_of(CLASS_MUL, 0); /* MULS */
  if ((h & 0xff00) == 0x4700) return class_of(CLASS_BRANCH, 0); /* BX, BLX */
  if ((h & 0xfd00) == 0x4400 && (((h >> 4) & 8) | (h & 7)) == 15) return class_of(CLASS_BRANCH, 0); /* ADD/MOV PC */
  if ((h & 0xf800) == 0x4800) return load_after(previous); /* LDR literal */
  if ((h & 0xf000) == 0x5000) return ((h >> 9) & 7) < 3 ? class_of(CLASS_STORE, 0) : load_after(previous);
  if ((h & 0xe000) == 0x6000 || (h & 0xe000) == 0x8000) /* LDR/STR (B, H) immediate, SP-relative */
    return (h & 0x0800) ? load_after(previous) : class_of(CLASS_STORE, 0);
  if ((h & 0xf600) == 0xb400) return class_of(CLASS_LDSTM, popcount16(h & 0xff) + ((h >> 8) & 1)); /* PUSH, POP */
  if ((h & 0xf500) == 0xb100) return class_of(CLASS_COND_BRANCH, 0); /* CBZ, CBNZ */
  if ((h & 0xf000) == 0xc000) return class_of(CLASS_LDSTM, popcount16(h & 0xff)); /* LDM, STM */
  if ((h & 0xf000) == 0xd000) /* B<cond>; UDF and SVC are the two missing conditions */
    return class_of(((h >> 8) & 0xe) == 0xe ? CLASS_ALU : CLASS_COND_BRANCH, 0);
  if ((h & 0xf800) == 0xe000) return class_of(CLASS_BRANCH, 0);
  return class_of(CLASS_ALU, 0);
}

/* Coprocessor space: scalar FP is coprocessor 10/11; on ARMv8.1-M everything else there is Helium. */
static struct thumb_class coprocessor(unsigned h, unsigned l) {
  int loadstore = (h & 0xee00) == 0xec00 && (h & 0xffe0) != 0xec40; /* not the two-register moves */
  if ((l & 0x0e00) == 0x0a00 && (h & 0xef00) != 0xef00) return class_of(loadstore ? CLASS_FP_LDST : CLASS_FP, 0);
  return class_of(loadstore ? CLASS_MVE_LDST : CLASS_MVE, 0);
}

/* Branches, low-overhead loops and miscellaneous control (hw2 bit 15 set). */
static struct thumb_class control(unsigned h, unsigned l) {
  if ((l & 0xd001) == 0xc001 && (h & 0xff80) == 0xf000) /* LE, LETP, WLS, WLSTP; DLS, DLSTP, LCTP are set-ups */
    return class_of((l & 0x2000) ? CLASS_ALU : CLASS_LOOP, 0);
  if ((l & 0xd000) == 0x8000) return class_of((h & 0x0380) == 0x0380 ? CLASS_ALU : CLASS_COND_BRANCH, 0);
  if ((l & 0x5000) == 0x1000 || (l & 0x5000) == 0x5000) return class_of(CLASS_BRANCH, 0); /* B.W, BL */
  return class_of(CLASS_ALU, 0); /* MSR, MRS, hints (the dbg #1 layer marker), barriers, VCTP */
}

/* Data processing (register), 0xfa block: SXTB16/UXTB16, parallel add/sub, QADD/SEL are DSP. */
static struct thumb_class data_register(unsigned h, unsigned l) {
  unsigned op1 = (h >> 4) & 0xf;
  if (op1 & 8) {
    if ((l & 0x00c0) == 0x0080 && (op1 & 1)) return class_of(CLASS_ALU, 0); /* REV, RBIT, CLZ */
    return class_of(CLASS_DSP, 0);
  }
  if ((l & 0x0080) && (op1 == 2 || op1 == 3)) return class_of(CLASS_DSP, 0); /* (S|U)XT(A)B16 */
  return class_of(CLASS_ALU, 0);
}

static struct thumb_class thumb32(unsigned h, unsigned l, int previous) {
  if ((h & 0xec00) == 0xec00) return coprocessor(h, l);
  if ((h & 0xfe40) == 0xe800) return class_of(CLASS_LDSTM, popcount16(l)); /* LDM, STM, PUSH.W, POP.W */
  if ((h & 0xfe40) == 0xe840) {
    if ((h & 0xfff0) == 0xe8d0 && (l & 0xffe0) == 0xf000) return class_of(CLASS_BRANCH, 0); /* TBB, TBH */
    if (h & 0x0120) return class_of(CLASS_LDSTM, 2); /* LDRD, STRD */
    return (h & 0x0010) ? load_after(previous) : class_of(CLASS_STORE, 0); /* exclusives */
  }
  if ((h & 0xfe00) == 0xea00) return class_of((h & 0xffe0) == 0xeac0 ? CLASS_DSP : CLASS_ALU, 0); /* PKH is DSP */
  if ((h & 0xf800) == 0xf000) {
    if (l & 0x8000) return control(h, l);
    if ((h & 0x0200) && ((h >> 4) & 0x15) == 0x10) return class_of(CLASS_DSP, 0); /* SSAT, USAT, SSAT16, USAT16 */
    return class_of(CLASS_ALU, 0);
  }
  if ((h & 0xfe00) == 0xf800) {
    if (!(h & 0x0010)) return class_of(CLASS_STORE, 0);
    if ((h & 0xff70) == 0xf850 && (l >> 12) == 0xf) return class_of(CLASS_BRANCH, 0); /* LDR PC */
    return load_after(previous);
  }
  if ((h & 0xff00) == 0xfa00) return data_register(h, l);
  if ((h & 0xff80) == 0xfb80 && (h & 0x0050) == 0x0010 && (l & 0x00f0) == 0x00f0) return class_of(CLASS_DIV, 0);
  if ((h & 0xff00) == 0xfb00) return class_of(CLASS_MUL, 0);
  return class_of(CLASS_ALU, 0);
}

/* The class of the instruction in bytes[0..size), given the class of the one before it in its block (or -1). */
static struct thumb_class thumb_classify(const uint8_t *bytes, size_t size, int previous) {
  unsigned h = bytes[0] | (unsigned)bytes[1] << 8;
  if (size < 4) return thumb16(h, previous);
  return thumb32(h, bytes[2] | (unsigned)bytes[3] << 8, previous);
}

#endif
