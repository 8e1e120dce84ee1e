/** A binary heap of keyed items with O(log n) removal and update by key. */
export class KeyedHeap<T> {
  readonly #items: T[] = [];
  readonly #index = new Map<string, number>();
  readonly #key: (t: T) => string;
  readonly #less: (a: T, b: T) => boolean;

  constructor(key: (t: T) => string, less: (a: T, b: T) => boolean) {
    this.#key = key;
    this.#less = less;
  }

  get size(): number { return this.#items.length; }
  has(key: string): boolean { return this.#index.has(key); }
  get(key: string): T | undefined { const i = this.#index.get(key); return i === undefined ? undefined : this.#items[i]; }
  peek(): T | undefined { return this.#items[0]; }
  values(): readonly T[] { return this.#items; }

  /** Adds or replaces the item with the same key. */
  push(item: T): void {
    const k = this.#key(item);
    const at = this.#index.get(k);
    if (at !== undefined) {
      this.#items[at] = item;
      this.#fix(at);
      return;
    }
    this.#items.push(item);
    this.#index.set(k, this.#items.length - 1);
    this.#up(this.#items.length - 1);
  }

  pop(): T | undefined {
    if (this.#items.length === 0) return undefined;
    const top = this.#items[0]!;
    this.#removeAt(0);
    return top;
  }

  delete(key: string): T | undefined {
    const i = this.#index.get(key);
    if (i === undefined) return undefined;
    const item = this.#items[i]!;
    this.#removeAt(i);
    return item;
  }

  #removeAt(i: number): void {
    const last = this.#items.length - 1;
    this.#index.delete(this.#key(this.#items[i]!));
    if (i !== last) {
      this.#items[i] = this.#items[last]!;
      this.#index.set(this.#key(this.#items[i]!), i);
    }
    this.#items.pop();
    if (i < this.#items.length) this.#fix(i);
  }

  #fix(i: number): void {
    if (!this.#up(i)) this.#down(i);
  }

  #swap(a: number, b: number): void {
    const items = this.#items;
    const t = items[a]!; items[a] = items[b]!; items[b] = t;
    this.#index.set(this.#key(items[a]!), a);
    this.#index.set(this.#key(items[b]!), b);
  }

  #up(i: number): boolean {
    let moved = false;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(this.#items[i]!, this.#items[parent]!)) break;
      this.#swap(i, parent);
      i = parent;
      moved = true;
    }
    return moved;
  }

  #down(i: number): void {
    const n = this.#items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.#less(this.#items[l]!, this.#items[m]!)) m = l;
      if (r < n && this.#less(this.#items[r]!, this.#items[m]!)) m = r;
      if (m === i) return;
      this.#swap(i, m);
      i = m;
    }
  }
}
