/**
 * A bounded memo table in two generations. A hit in the older generation moves the entry into
 * the current one; when the current one is full it becomes the older one and the previous older
 * one is dropped. So entries still in use stay, entries met once leave after two generations, and
 * the table never holds more than 2 × `generationSize` entries (no cliff where everything is
 * forgotten at once).
 */
export class GenerationalMap<K, V> {
  #current = new Map<K, V>();
  #older = new Map<K, V>();

  constructor(readonly generationSize: number) {}

  /** Entries in both generations. */
  get size(): number { return this.#current.size + this.#older.size; }

  get(key: K): V | undefined {
    const v = this.#current.get(key);
    if (v !== undefined) return v;
    const old = this.#older.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: K, value: V): void {
    this.#current.set(key, value);
    if (this.#current.size >= this.generationSize) {
      this.#older = this.#current;
      this.#current = new Map();
    }
  }
}
