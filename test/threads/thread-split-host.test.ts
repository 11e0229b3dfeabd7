/**
 * The thread pool on the host: kernel cases compiled for 8 threads run on 1 to 8 equal the int8 reference, and so
 * does the default model compiled for 4 threads on 1, 2 and 4 (the same bytes on every count).
 */
import { describeModelOnThreads, describeSplitCasesOn } from '../support/thread-split-cases.ts';

describeSplitCasesOn(['host']);
describeModelOnThreads(['host']);
