/**
 * Keys in order, for chunked lists served from memory: binary search to a prefix or a
 * continuation key, then walk. Inserting or removing shifts the array (fast at 10^5 keys);
 * updates of existing keys do not touch it.
 */
export class SortedKeys {
  #keys: string[] = [];

  get size(): number { return this.#keys.length; }

  /** Index of the first key >= `key` (or > `key` when `exclusive`). */
  lowerBound(key: string, exclusive = false): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.#keys[mid]!;
      if (k < key || (exclusive && k === key)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(key: string): void {
    const i = this.lowerBound(key);
    if (this.#keys[i] !== key) this.#keys.splice(i, 0, key);
  }

  remove(key: string): void {
    const i = this.lowerBound(key);
    if (this.#keys[i] === key) this.#keys.splice(i, 1);
  }

  /** Replaces every key at once (`keys` need not be sorted). */
  reset(keys: Iterable<string>): void {
    this.#keys = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  at(i: number): string | undefined { return this.#keys[i]; }
}
