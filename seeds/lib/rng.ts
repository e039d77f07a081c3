/**
 * Seeded random numbers for the dataset generator (xoroshiro128+ from pure-rand).
 * Same seed → same sequence on every machine, so a seed names a dataset.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';

export class Rng {
  private readonly gen;
  constructor(seed: number) {
    this.gen = xoroshiro128plus(seed);
  }
  /** Uniform in [0, 1). */
  next(): number {
    return uniformFloat64(this.gen);
  }
  /** Uniform in [a, b). */
  range(a: number, b: number): number {
    return a + (b - a) * this.next();
  }
  /** Integer in [a, b]. */
  int(a: number, b: number): number {
    return a + Math.floor(this.next() * (b - a + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Log-uniform in [a, b): small values as likely per factor as large ones. */
  logRange(a: number, b: number): number {
    return Math.exp(this.range(Math.log(a), Math.log(b)));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Picks by weight: `weighted([['工业', 5], ['仓储', 1]])`. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1]![0];
  }
  /** A child generator whose sequence does not depend on how much of this one is used later. */
  fork(salt: number): Rng {
    return new Rng((Math.floor(this.next() * 0x7fffffff) ^ salt) >>> 0);
  }
}
