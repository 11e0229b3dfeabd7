/** @fileoverview Requantization in WebAssembly: TFLite's MultiplyByQuantizedMultiplier as one shared function, and the per-channel store. */
import { Expr, FunctionBuilder, Local, WasmModule } from './binaryen.ts';

/** The shared requantization helper: mbqm(x, m, left, right), TFLite's double rounding, as te_mbqm in C. */
export function addRequantizeHelper(module: WasmModule): void {
  module.fnI32('mbqm', 4, (f) => {
    const ab = f.i64();
    const high = f.i32();
    const mask = f.i32();
    const i64 = f.i64ops;
    return [
      ab.set(f.mul64(f.shl(f.param(0), f.param(2)), f.param(1))),
      high.set(
        f.m.i32.wrap(i64.div_s(i64.add(ab.get(), f.m.select(i64.ge_s(ab.get(), i64.const(0n)), i64.const(BigInt(1 << 30)), i64.const(BigInt(1 - (1 << 30))))), i64.const(2147483648n))),
      ),
      mask.set(f.sub(f.shl(f.c(1), f.param(3)), f.c(1))),
      f.add(f.shrS(high.get(), f.param(3)), f.gtS(f.and(high.get(), mask.get()), f.add(f.shrS(mask.get(), f.c(1)), f.ltS(high.get(), f.c(0))))),
    ];
  });
}

/** clamp(mbqm(acc, channel c's constants) + out_offset) stored as int8 at `dst`. */
export function storeRequantized(f: FunctionBuilder, dst: Expr, acc: Expr, table: number, channel: Expr, p: { outputOffset: number; actMin: number; actMax: number }, tmp: Local): Expr {
  // The channel expression is used once: its table address goes through `tmp`, then tmp is reused by clamp.
  const q = f.then([tmp.set(f.add(f.c(table), f.mul(channel, f.c(12))))], f.callI32('mbqm', [acc, f.load32(tmp.get()), f.load32(tmp.get(), 4), f.load32(tmp.get(), 8)]));
  return f.store8(dst, f.clamp(f.add(q, f.c(p.outputOffset)), p.actMin, p.actMax, tmp));
}

