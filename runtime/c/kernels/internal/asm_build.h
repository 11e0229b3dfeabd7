#ifndef TINYEDGE_ASM_BUILD_H
#define TINYEDGE_ASM_BUILD_H
/*
 * Included first by every Arm kernel with inline assembly. At -O0 (what IDEs' Debug configurations use) gcc keeps a
 * frame pointer and every local in memory, which leaves the asm blocks too few registers ("impossible constraints"),
 * and inlines nothing, so always_inline helpers compile for minutes. Such a build compiles these kernels as -O2
 * instead: the results are the same bit for bit, and the user's own files keep the flags they chose.
 */
#if defined(__GNUC__) && !defined(__clang__) && !defined(__OPTIMIZE__)
#pragma GCC optimize("O2")
#endif
#endif
