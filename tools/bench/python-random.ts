/**
 * @fileoverview Python's `random.Random(seed)` byte stream, as MLPerf Tiny's README draws its seeded inputs
 * (`bytes(r.randrange(256) for _ in range(N))`): the Mersenne Twister MT19937 seeded by init_by_array with the
 * seed's 32-bit words, and randrange(256) as Python computes it (getrandbits(9), drawn again while ≥ 256). So the
 * suite and its tests feed a model exactly the input TFLM's published outputs and figures were computed on.
 */

const N = 624;
const M = 397;

/** MT19937 as CPython's _randommodule.c runs it. */
class MersenneTwister {
  private readonly mt = new Uint32Array(N);
  private index = N + 1;

  constructor(key: readonly number[]) {
    this.initGenrand(19650218);
    const mt = this.mt;
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (mt[i]! ^ Math.imul(prev, 1566083941)) - i;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s;
    for (let i = 1; i < N; i++) mt[i] = Math.imul(1812433253, mt[i - 1]! ^ (mt[i - 1]! >>> 30)) + i;
    this.index = N;
  }

  /** The next 32-bit output. */
  next(): number {
    const mt = this.mt;
    if (this.index >= N) {
      for (let k = 0; k < N; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % N]! & 0x7fffffff);
        mt[k] = mt[(k + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}

/** `n` bytes of `random.Random(seed)` by randrange(256), read as two's-complement int8 (seed a non-negative int32). */
export function pythonRandomInt8(seed: number, n: number): Int8Array {
  const mt = new MersenneTwister([seed]);
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    let r = mt.next() >>> 23; // getrandbits(9): 256's bit length
    while (r >= 256) r = mt.next() >>> 23;
    out[i] = r;
  }
  return out;
}
