/**
 * The k first items of a stream under a comparator, without sorting the whole stream:
 * a sorted array of at most k items, each new item placed by binary search. O(n log k).
 *
 * @example
 *   const top = new TopK<number>(3, (a, b) => b - a);
 *   [5, 1, 9, 7, 3].forEach((x) => top.push(x));
 *   top.values(); // [9, 7, 5]
 */
export class TopK<T> {
  private readonly items: T[] = [];

  constructor(
    private readonly k: number,
    private readonly cmp: (a: T, b: T) => number,
  ) {}

  push(x: T): void {
    const { items, k, cmp } = this;
    if (k <= 0) return;
    if (items.length === k && cmp(x, items[k - 1]!) >= 0) return;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(items[mid]!, x) <= 0) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, x);
    if (items.length > k) items.pop();
  }

  /** The last item kept (the first to go), if any. */
  last(): T | undefined {
    return this.items[this.items.length - 1];
  }

  /** Whether k items are kept. */
  full(): boolean {
    return this.items.length >= this.k;
  }

  /** The items kept, first first. */
  values(): T[] {
    return this.items;
  }
}
