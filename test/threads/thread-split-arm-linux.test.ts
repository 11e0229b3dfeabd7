/**
 * The thread pool on the Arm Linux targets under qemu-aarch64 (static builds with -pthread; qemu's user mode runs
 * the threads): the split kernel cases with each target's NEON/SDOT kernels on 1 to 8 threads, and the default model
 * and builder:mobilenet_v2_0.35_96 compiled for 4 threads on 1, 2 and 4, equal to the int8 reference.
 */
import { MCU_MODEL } from '../../models/registry.ts';
import { describeModelOnThreads, describeSplitCasesOn } from '../support/thread-split-cases.ts';

const TARGETS = ['rpi4-aarch64', 'rpi5-aarch64', 'android-arm64'];

describeSplitCasesOn(TARGETS);
describeModelOnThreads(TARGETS);
describeModelOnThreads(TARGETS, MCU_MODEL);
