/**
 * @fileoverview The one file that imports binaryen: a module with MVP + SIMD128 features, data segments and one
 * linear memory, and a function builder whose helpers read like the C kernels (locals, for-loops, int8 loads,
 * i64 products), so kernel generators stay short. binaryen pitfalls handled here: features must be set before
 * SIMD validates, validate() returns 0/1, and memory limits are declared once for both sides.
 */
import binaryen from 'binaryen';

/** A binaryen expression. */
export type Expr = number;

/** The internal name of the module's one memory; loads and stores name it, since it is declared only at the end. */
export const MEMORY = '0';

/**
 * binaryen passes run on every module. Not -O3: on a MobileNetV2-sized module its inlining of the shared
 * requantization helper takes minutes and the result runs slower in V8 (measured: 540 s, 131 ms vs 1 s, 78 ms).
 * merge-similar-functions first: layers of one structure (same window, tile tails and load offsets) differ only in
 * constants (addresses, sizes), so it keeps one function per structure with those constants as parameters and a
 * small thunk per layer; it halved the default model's code and cut human:handtrack's from 189 KB to 65 KB at the
 * same speed (per-layer medians in Node).
 */
const OPTIMIZE_PASSES = [
  'merge-similar-functions',
  'simplify-locals',
  'vacuum',
  'merge-blocks',
  'remove-unused-brs',
  'coalesce-locals',
] as const;

/** Value types of parameters and results. */
export type ValueType = 'i32' | 'v128';
const TYPES: Record<ValueType, number> = { i32: binaryen.i32, v128: binaryen.v128 };

/** A typed local of the function being built. */
export interface Local {
  get(): Expr;
  set(value: Expr): Expr;
}

/** A tuple of `N` locals, to destructure. */
export type Locals<N extends number, T extends Local[] = []> = T['length'] extends N ? T : Locals<N, [...T, Local]>;

/** Builds one function body: locals, integer arithmetic, memory access, loops. */
export class FunctionBuilder {
  private readonly vars: number[] = [];
  private labels = 0;

  constructor(
    /** The module this function belongs to (for shared helpers). */
    readonly module: WasmModule,
    private readonly params: readonly ValueType[] = [],
  ) {
    this.m = module.m;
  }

  readonly m: binaryen.Module;

  private local(type: number): Local {
    const index = this.params.length + this.vars.length;
    this.vars.push(type);
    return { get: () => this.m.local.get(index, type), set: (v: Expr) => this.m.local.set(index, v) };
  }

  /** An i32 local. */
  i32(): Local {
    return this.local(binaryen.i32);
  }

  /** `n` i32 locals, created in order. */
  i32s<N extends number>(n: N): Locals<N> {
    return Array.from({ length: n }, () => this.i32()) as Locals<N>;
  }

  /** An i64 local. */
  i64(): Local {
    return this.local(binaryen.i64);
  }

  /** A v128 local. */
  v128(): Local {
    return this.local(binaryen.v128);
  }

  /** The parameter at `index` (its declared type). */
  param(index: number): Expr {
    const type = this.params[index];
    if (type === undefined) throw new Error(`internal: the function has no parameter ${index}`);
    return this.m.local.get(index, TYPES[type]);
  }

  /** The declared types of the locals made so far. */
  varTypes(): number[] {
    return [...this.vars];
  }

  /** i32 constant. */
  c(v: number): Expr {
    return this.m.i32.const(v | 0);
  }

  add(a: Expr, b: Expr): Expr {
    return this.m.i32.add(a, b);
  }
  sub(a: Expr, b: Expr): Expr {
    return this.m.i32.sub(a, b);
  }
  mul(a: Expr, b: Expr): Expr {
    return this.m.i32.mul(a, b);
  }
  and(a: Expr, b: Expr): Expr {
    return this.m.i32.and(a, b);
  }
  shl(a: Expr, b: Expr): Expr {
    return this.m.i32.shl(a, b);
  }
  shrS(a: Expr, b: Expr): Expr {
    return this.m.i32.shr_s(a, b);
  }
  shrU(a: Expr, b: Expr): Expr {
    return this.m.i32.shr_u(a, b);
  }
  /** Count of leading zero bits (32 for 0). */
  clz(a: Expr): Expr {
    return this.m.i32.clz(a);
  }
  divS(a: Expr, b: Expr): Expr {
    return this.m.i32.div_s(a, b);
  }
  eq(a: Expr, b: Expr): Expr {
    return this.m.i32.eq(a, b);
  }
  ltS(a: Expr, b: Expr): Expr {
    return this.m.i32.lt_s(a, b);
  }
  gtS(a: Expr, b: Expr): Expr {
    return this.m.i32.gt_s(a, b);
  }
  geS(a: Expr, b: Expr): Expr {
    return this.m.i32.ge_s(a, b);
  }
  /** cond ? a : b (both evaluated). */
  select(cond: Expr, a: Expr, b: Expr): Expr {
    return this.m.select(cond, a, b);
  }
  /** max(lo, min(hi, x)) with constant bounds. */
  clamp(x: Expr, lo: number, hi: number, tmp: Local): Expr {
    return this.m.block(
      null,
      [
        tmp.set(x),
        tmp.set(this.select(this.ltS(tmp.get(), this.c(lo)), this.c(lo), tmp.get())),
        this.select(this.gtS(tmp.get(), this.c(hi)), this.c(hi), tmp.get()),
      ],
      binaryen.i32,
    );
  }

  /** Signed int8 at ptr + offset. */
  load8(ptr: Expr, offset = 0): Expr {
    return this.m.i32.load8_s(offset, 1, ptr, MEMORY);
  }
  /** int32 at ptr + offset. */
  load32(ptr: Expr, offset = 0): Expr {
    return this.m.i32.load(offset, 1, ptr, MEMORY);
  }
  store8(ptr: Expr, value: Expr, offset = 0): Expr {
    return this.m.i32.store8(offset, 1, ptr, value, MEMORY);
  }
  /** Signed int16 at ptr + offset. */
  load16(ptr: Expr, offset = 0): Expr {
    return this.m.i32.load16_s(offset, 2, ptr, MEMORY);
  }
  store16(ptr: Expr, value: Expr, offset = 0): Expr {
    return this.m.i32.store16(offset, 2, ptr, value, MEMORY);
  }
  /** int64 at ptr + offset. */
  load64(ptr: Expr, offset = 0): Expr {
    return this.m.i64.load(offset, 8, ptr, MEMORY);
  }
  /** Copies `size` bytes from `src` to `dest` (memory.copy; the ranges may overlap). */
  copy(dest: Expr, src: Expr, size: Expr): Expr {
    return this.m.memory.copy(dest, src, size, MEMORY, MEMORY);
  }
  /** Sets `size` bytes at `dest` to the low byte of `value` (memory.fill). */
  fill(dest: Expr, value: Expr, size: Expr): Expr {
    return this.m.memory.fill(dest, value, size, MEMORY);
  }
  store32(ptr: Expr, value: Expr, offset = 0): Expr {
    return this.m.i32.store(offset, 1, ptr, value, MEMORY);
  }

  /** for (i = from; i < to; i += step) { body } — `to` is evaluated every iteration. */
  for(i: Local, from: Expr, to: Expr, body: Expr[], step = 1): Expr {
    const id = `L${this.labels++}`;
    return this.m.block(null, [
      i.set(from),
      this.m.block(`${id}_out`, [
        this.m.loop(
          `${id}_loop`,
          this.m.block(null, [
            this.m.br(`${id}_out`, this.geS(i.get(), to)),
            ...body,
            i.set(this.add(i.get(), this.c(step))),
            this.m.br(`${id}_loop`),
          ]),
        ),
      ]),
    ]);
  }

  /** if (cond) { then } else { otherwise } */
  if(cond: Expr, then: Expr[], otherwise?: Expr[]): Expr {
    return this.m.if(cond, this.m.block(null, then), otherwise ? this.m.block(null, otherwise) : undefined);
  }

  /** Runs `stmts`, then yields the i32 `value`. */
  thenValue(stmts: Expr[], value: Expr): Expr {
    return this.m.block(null, [...stmts, value], binaryen.i32);
  }

  /** A statement list. */
  block(body: Expr[]): Expr {
    return this.m.block(null, body);
  }

  /** Calls a function of the module that returns nothing. */
  call(name: string, args: Expr[]): Expr {
    return this.m.call(name, args, binaryen.none);
  }

  /** Calls a function of the module that returns an i32. */
  callI32(name: string, args: Expr[]): Expr {
    return this.m.call(name, args, binaryen.i32);
  }

  /** Calls a function of the module that returns a v128. */
  callV128(name: string, args: Expr[]): Expr {
    return this.m.call(name, args, binaryen.v128);
  }

  /** (i64) a · (i64) b. */
  mul64(a: Expr, b: Expr): Expr {
    return this.m.i64.mul(this.m.i64.extend_s(a), this.m.i64.extend_s(b));
  }
  /** i64 helpers for requantization. */
  get i64ops() {
    return this.m.i64;
  }

  /** 16 bytes at ptr + offset. */
  loadV128(ptr: Expr, offset = 0): Expr {
    return this.m.v128.load(offset, 1, ptr, MEMORY);
  }

  /** Stores 16 bytes at ptr + offset. */
  storeV128(ptr: Expr, value: Expr, offset = 0): Expr {
    return this.m.v128.store(offset, 1, ptr, value, MEMORY);
  }

  /** The 4 bytes at ptr + offset repeated in all four i32 lanes. */
  load32Splat(ptr: Expr, offset = 0): Expr {
    return this.m.v128.load32_splat(offset, 1, ptr, MEMORY);
  }

  /** 8 int8 at ptr + offset, sign-extended to i16x8. */
  load8x8(ptr: Expr, offset = 0): Expr {
    return this.m.v128.load8x8_s(offset, 1, ptr, MEMORY);
  }

  /** Stores lane `lane` of a v128 seen as `width`-byte lanes at ptr + offset. */
  storeLane(width: 1 | 2 | 4 | 8, ptr: Expr, value: Expr, lane: number, offset = 0): Expr {
    const store = {
      1: this.m.v128.store8_lane,
      2: this.m.v128.store16_lane,
      4: this.m.v128.store32_lane,
      8: this.m.v128.store64_lane,
    }[width];
    return store(offset, 1, lane, ptr, value, MEMORY);
  }

  /** An i32x4 constant with `v` in every lane. */
  i32x4Const(v: number): Expr {
    return this.m.v128.const(new Uint8Array(new Int32Array(4).fill(v).buffer));
  }

  /** An i64x2 constant with `v` in both lanes. */
  i64x2Const(v: bigint): Expr {
    return this.m.v128.const(new Uint8Array(new BigInt64Array(2).fill(v).buffer));
  }

  /** Runs `stmts`, then yields the v128 `value`. */
  thenV128(stmts: Expr[], value: Expr): Expr {
    return this.m.block(null, [...stmts, value], binaryen.v128);
  }

  /** SIMD: the module's v128 instruction groups. */
  get simd() {
    return { v128: this.m.v128, i8x16: this.m.i8x16, i16x8: this.m.i16x8, i32x4: this.m.i32x4, i64x2: this.m.i64x2 };
  }
}

/**
 * A WebAssembly module under construction: one memory of `pages` 64 KiB pages, data segments, functions, exports.
 * `shared`: the memory is imported (env.memory) shared, for threads, with the atomics feature on.
 */
export class WasmModule {
  readonly m = new binaryen.Module();
  private readonly segments: { offset: number; data: Uint8Array }[] = [];
  private readonly helpers = new Set<string>();

  constructor(private readonly shared = false) {
    this.m.setFeatures(
      binaryen.Features.MVP |
        binaryen.Features.SIMD128 |
        binaryen.Features.BulkMemory |
        binaryen.Features.BulkMemoryOpt |
        binaryen.Features.SignExt |
        (shared ? binaryen.Features.Atomics : 0),
    );
  }

  /** Places constant bytes at a fixed address. */
  data(offset: number, bytes: Uint8Array): void {
    this.segments.push({ offset, data: bytes });
  }

  /** Adds a function of `params` i32 parameters and no result, built by `build`. */
  fn(name: string, params: number, build: (f: FunctionBuilder) => Expr[]): void {
    this.fnTyped(name, new Array<ValueType>(params).fill('i32'), 'none', build);
  }

  /** Adds a function of `params` i32 parameters returning an i32. */
  fnI32(name: string, params: number, build: (f: FunctionBuilder) => Expr[]): void {
    this.fnTyped(name, new Array<ValueType>(params).fill('i32'), 'i32', build);
  }

  /** Adds a function with typed parameters and result; the body's last expression is the result. */
  fnTyped(name: string, params: ValueType[], result: ValueType | 'none', build: (f: FunctionBuilder) => Expr[]): void {
    const f = new FunctionBuilder(this, params);
    const resultType = result === 'none' ? binaryen.none : TYPES[result];
    const body = this.m.block(null, build(f), resultType);
    this.m.addFunction(name, binaryen.createType(params.map((t) => TYPES[t])), resultType, f.varTypes(), body);
  }

  /** Adds the function `name` unless it exists: shared helpers built on first use. */
  helper(name: string, params: ValueType[], result: ValueType | 'none', build: (f: FunctionBuilder) => Expr[]): void {
    if (this.helpers.has(name)) return;
    this.helpers.add(name);
    this.fnTyped(name, params, result, build);
  }

  /** Exports a function under a name. */
  exportFn(name: string, as = name): void {
    this.m.addFunctionExport(name, as);
  }

  /** Makes the function `name` the module's start function, run once at instantiation. */
  start(name: string): void {
    this.m.setStart(this.m.getFunction(name));
  }

  /** Adds a constant i32 global exported as a getter function (addresses the loader reads). */
  exportConstant(name: string, value: number): void {
    this.m.addFunction(name, binaryen.none, binaryen.i32, [], this.m.i32.const(value));
    this.m.addFunctionExport(name, name);
  }

  /** Validates, optimizes (OPTIMIZE_PASSES) and serializes; `pages` of memory (at most too: a shared memory never grows), exported as "memory". */
  emit(pages: number): Uint8Array {
    this.m.setMemory(
      pages,
      pages,
      'memory',
      this.segments.map((s) => ({ offset: this.m.i32.const(s.offset), data: s.data, passive: false })),
      this.shared,
      false,
      MEMORY,
    );
    if (this.shared) this.m.addMemoryImport(MEMORY, 'env', 'memory', true);
    if (!this.m.validate()) throw new Error('internal: the generated WebAssembly module does not validate');
    this.m.runPasses([...OPTIMIZE_PASSES]);
    const bytes = this.m.emitBinary();
    this.m.dispose();
    return bytes;
  }
}
