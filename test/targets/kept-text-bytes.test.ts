import { describe, expect, it } from 'vitest';
import { keptTextBytes } from '../../targets/toolchain.ts';

// A GNU ld map cut down to its shapes: discarded sections first (not counted), then kept input sections with the
// name on their line or on the one before, fill, symbols, and sections of other files and of RAM.
const MAP = `Discarded input sections

 .text.te_conv2d_s8
                0x00000000      0x6cc k/conv2d.o

Memory Configuration

Linker script and memory map

LOAD model.o
.text           0x00000000     0x2000
 .text          0x00000000       0x40 main.o
 .text.model_run
                0x00000040      0x120 model.o
                0x00000040                model_run
 *fill*         0x00000160        0x4 
 .text.te_row_pair_groups_k8_loop
                0x00000164      0x23a k/conv2d.o
.rodata         0x00002000      0x100
 .rodata.table  0x00002000       0x10 k/conv2d.o
.data           0x21000000        0x8
 .data.x        0x21000000        0x8 k/conv2d.o
`;

describe('keptTextBytes', () => {
  it('sums the text and read-only data the link kept of the given objects only', () => {
    expect(keptTextBytes(MAP, new Set(['model.o', 'k/conv2d.o']))).toBe(0x120 + 0x23a + 0x10);
    expect(keptTextBytes(MAP, new Set(['main.o']))).toBe(0x40);
  });
});
