/**
 * @fileoverview The cycle costs of each instruction class per Cortex-M core, with their sources: the data behind
 * `tinyedge bench`'s cycle estimate (cycle-estimate.ts computes it). Each core is a few issue resources (the
 * single-issue M4 has one; the M7 pairs instructions; the M55 runs Helium beats beside scalar issue); a class uses
 * some cycles of some resources, and the estimate is the busiest resource's total. Every figure assumes
 * zero-wait-state memory (TCM-like: no flash wait states, no cache misses, no bus contention), no interlocks
 * between dependent instructions, and a taken branch's refill as stated per core: the estimate is a rough model,
 * printed beside the exact instruction count, never instead of it.
 */

/** The counters the plugin reports (targets/qemu-insn/thumb-class.h): instruction classes, then extras. */
export const INSTRUCTION_CLASSES = [
  'alu',
  'dsp',
  'mul',
  'div',
  'load',
  'load-pipelined',
  'store',
  'ldstm',
  'branch',
  'cond-branch',
  'loop',
  'fp',
  'fp-ldst',
  'mve',
  'mve-ldst',
] as const;

/** Counters beside the classes: registers moved by ldstm, and conditional branches that fell through. */
export const EXTRA_COUNTERS = ['ldstm-registers', 'cond-branch-fallthrough', 'loop-fallthrough'] as const;

/** One counter of the plugin. */
export type Counter = (typeof INSTRUCTION_CLASSES)[number] | (typeof EXTRA_COUNTERS)[number];

/** What one counted event costs: cycles on each resource it occupies, and where that figure comes from. */
export interface CounterCost {
  cycles: Record<string, number>;
  source: string;
}

/** One core's table. */
export interface CoreCycleCosts {
  core: string;
  sources: string[];
  /** The resources and how many of them issue per cycle is implied by the cycles each class takes. */
  resources: string[];
  costs: Record<Counter, CounterCost>;
  /** The fewest and most cycles the table can give one instruction (for sanity checks on an estimate). */
  cpi: { min: number; max: number };
}

/** Said wherever the estimate is printed. */
export const CYCLE_ESTIMATE_NOTE = 'estimated, zero-wait-state memory';

const M4_TRM = 'Cortex-M4 TRM (Arm DDI 0439), 3.3 Processor instruction timings';
const NOT_IN_ISA = 'not in this ISA (never executed); priced as one cycle';

/** Cortex-M4: single issue, 3-stage pipeline; P (pipeline refill) taken as 2, its usual value from zero-wait memory. */
const CORTEX_M4: CoreCycleCosts = {
  core: 'cortex-m4',
  sources: [M4_TRM],
  resources: ['issue'],
  costs: {
    alu: { cycles: { issue: 1 }, source: `${M4_TRM}: data operations, bit fields, extends, IT: 1` },
    dsp: { cycles: { issue: 1 }, source: `${M4_TRM}: parallel add/sub, saturate, pack, SXTB16, SEL: 1` },
    mul: { cycles: { issue: 1 }, source: `${M4_TRM}: MUL, MLA, SMULL, SMLAL, SMLAxy, SMLAD, SMMUL(R): 1` },
    div: { cycles: { issue: 7 }, source: `${M4_TRM}: SDIV, UDIV 2–12 by operands; taken as 7` },
    load: { cycles: { issue: 2 }, source: `${M4_TRM}: LDR 2` },
    'load-pipelined': {
      cycles: { issue: 1 },
      source: `${M4_TRM}: a load right after a load/store single pipelines its address phase: 1`,
    },
    store: { cycles: { issue: 1 }, source: `${M4_TRM}: STR 1 through the write buffer (its data phase overlaps)` },
    ldstm: { cycles: { issue: 1 }, source: `${M4_TRM}: LDM/STM/PUSH/POP/LDRD/STRD 1+N (this is the 1)` },
    'ldstm-registers': { cycles: { issue: 1 }, source: `${M4_TRM}: LDM/STM 1+N (this is the N)` },
    branch: { cycles: { issue: 3 }, source: `${M4_TRM}: B, BL, BX, TBB 1+P, P = 2` },
    'cond-branch': { cycles: { issue: 3 }, source: `${M4_TRM}: B<cond>, CBZ taken 1+P, P = 2` },
    'cond-branch-fallthrough': { cycles: { issue: -2 }, source: `${M4_TRM}: not taken 1 (gives back P)` },
    loop: { cycles: { issue: 3 }, source: NOT_IN_ISA },
    'loop-fallthrough': { cycles: { issue: -2 }, source: NOT_IN_ISA },
    fp: { cycles: { issue: 1 }, source: `${M4_TRM}, FPU: VADD, VMUL, VMOV 1 (VMLA 3, VDIV 14 priced as 1)` },
    'fp-ldst': { cycles: { issue: 2 }, source: `${M4_TRM}, FPU: VLDR, VSTR 2` },
    mve: { cycles: { issue: 1 }, source: NOT_IN_ISA },
    'mve-ldst': { cycles: { issue: 1 }, source: NOT_IN_ISA },
  },
  cpi: { min: 1, max: 17 },
};

const M7_QUINAPALUS = 'quinapalus.com/cm7cycles.html (measured on an STM32H730: Arm publishes no M7 timing table)';
const M7_TRM = 'Cortex-M7 TRM (Arm DDI 0489), 1.2 Features: dual-issue 6-stage superscalar, branch predictor';

/** Cortex-M7: dual issue (two slots per cycle), one MAC pipe, one load/store pipe; predicted branches. */
const CORTEX_M7: CoreCycleCosts = {
  core: 'cortex-m7',
  sources: [M7_TRM, M7_QUINAPALUS],
  resources: ['issue', 'mac', 'ldst'],
  costs: {
    alu: { cycles: { issue: 0.5 }, source: `${M7_QUINAPALUS}: two ALU instructions pair` },
    dsp: { cycles: { issue: 0.5 }, source: `${M7_QUINAPALUS}: DSP ops pair as the older of two` },
    mul: { cycles: { issue: 0.5, mac: 1 }, source: `${M7_QUINAPALUS}: one MAC pipe, SMLAD 1 per cycle` },
    div: { cycles: { issue: 7 }, source: `${M7_TRM}: iterative divider, 2–12; taken as 7` },
    load: { cycles: { issue: 0.5, ldst: 1 }, source: `${M7_QUINAPALUS}: a load pairs with an ALU op` },
    'load-pipelined': { cycles: { issue: 0.5, ldst: 1 }, source: `${M7_QUINAPALUS}: as load` },
    store: { cycles: { issue: 0.5, ldst: 1 }, source: `${M7_QUINAPALUS}: a store pairs with an ALU op` },
    ldstm: { cycles: { issue: 1, ldst: 1 }, source: `${M7_QUINAPALUS}: LDM issues alone` },
    'ldstm-registers': { cycles: { ldst: 0.5 }, source: `${M7_TRM}: 64-bit data path, two registers a cycle` },
    branch: { cycles: { issue: 1 }, source: `${M7_TRM}: predicted taken branch, target fetched next cycle` },
    'cond-branch': { cycles: { issue: 1 }, source: `${M7_TRM}: as branch, assumed predicted` },
    'cond-branch-fallthrough': { cycles: { issue: -0.5 }, source: `${M7_QUINAPALUS}: not taken pairs` },
    loop: { cycles: { issue: 1 }, source: NOT_IN_ISA },
    'loop-fallthrough': { cycles: { issue: -0.5 }, source: NOT_IN_ISA },
    fp: { cycles: { issue: 0.5 }, source: `${M7_QUINAPALUS}: FP ops pair with integer ops` },
    'fp-ldst': { cycles: { issue: 0.5, ldst: 1 }, source: `${M7_QUINAPALUS}: as load` },
    mve: { cycles: { issue: 1 }, source: NOT_IN_ISA },
    'mve-ldst': { cycles: { issue: 1 }, source: NOT_IN_ISA },
  },
  cpi: { min: 0.5, max: 9 },
};

const M55_SOG = 'Cortex-M55 Software Optimization Guide (Arm 102692): dual-beat MVE, 64-bit vector load/store path';
const M55_TRM = 'Cortex-M55 TRM (Arm 101051): 4-stage in-order scalar pipeline';

/**
 * Cortex-M55: single scalar issue; a 128-bit Helium instruction is 4 beats, two per cycle, and a vector load/store
 * overlaps a vector data-processing instruction (beat-wise overlap), so each vector unit is a resource of its own.
 */
const CORTEX_M55: CoreCycleCosts = {
  core: 'cortex-m55',
  sources: [M55_TRM, M55_SOG],
  resources: ['issue', 'vldst', 'valu'],
  costs: {
    alu: { cycles: { issue: 1 }, source: `${M55_TRM}: data operations 1` },
    dsp: { cycles: { issue: 1 }, source: `${M55_TRM}: DSP operations 1` },
    mul: { cycles: { issue: 1 }, source: `${M55_SOG}: scalar multiplies and MACs 1 per cycle` },
    div: { cycles: { issue: 7 }, source: `${M55_TRM}: iterative divider, 2–12; taken as 7` },
    load: { cycles: { issue: 1 }, source: `${M55_SOG}: scalar loads 1 per cycle (pipelined)` },
    'load-pipelined': { cycles: { issue: 1 }, source: `${M55_SOG}: as load` },
    store: { cycles: { issue: 1 }, source: `${M55_SOG}: scalar stores 1 per cycle` },
    ldstm: { cycles: { issue: 1 }, source: `${M55_SOG}: LDM/STM 1+N/2 over the 64-bit path (this is the 1)` },
    'ldstm-registers': { cycles: { issue: 0.5 }, source: `${M55_SOG}: two registers a cycle` },
    branch: { cycles: { issue: 2 }, source: `${M55_TRM}: taken branch, 1 refill cycle` },
    'cond-branch': { cycles: { issue: 2 }, source: `${M55_TRM}: taken branch, 1 refill cycle` },
    'cond-branch-fallthrough': { cycles: { issue: -1 }, source: `${M55_TRM}: not taken 1` },
    loop: { cycles: { issue: 1 }, source: `${M55_SOG}: LE with the loop cache: no refill` },
    'loop-fallthrough': { cycles: { issue: 0 }, source: `${M55_SOG}: LE at the loop's end: 1` },
    fp: { cycles: { issue: 1 }, source: `${M55_SOG}: scalar FP 1` },
    'fp-ldst': { cycles: { issue: 1 }, source: `${M55_SOG}: VLDR/VSTR of S registers 1` },
    mve: { cycles: { issue: 1, valu: 2 }, source: `${M55_SOG}: 4 beats, 2 per cycle` },
    'mve-ldst': { cycles: { issue: 1, vldst: 2 }, source: `${M55_SOG}: 128 bits over a 64-bit path, 2 cycles` },
  },
  cpi: { min: 1, max: 9 },
};

/** The cores with a table, by target name. */
export const CYCLE_COSTS: Readonly<Record<string, CoreCycleCosts>> = {
  'cortex-m4': CORTEX_M4,
  'cortex-m7': CORTEX_M7,
  'cortex-m55': CORTEX_M55,
};
