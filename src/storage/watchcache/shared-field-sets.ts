/**
 * One copy of each distinct `metadata.managedFields[].fieldsV1` among the watch cache's objects.
 *
 * A fieldsV1 tree is most of a typical object's decoded size (a Running pod: ~4.7 KB of its
 * ~9 KB), and it is the same for every object one client made from one template: every pod of a
 * ReplicaSet, every pod the scheduler bound, every node's kubelet status. Cached objects are
 * read-only (shared by every watcher and informer), so equal trees can be one object. Each tree
 * is keyed by its JSON text and held weakly: a shape no cached object uses any more is collected,
 * and its entry is swept when the table has doubled since the last sweep. The shared trees are
 * frozen, so a writer that broke the read-only rule would fail loudly instead of changing the
 * fields of other objects.
 *
 * Cost: one JSON.stringify per entry per decoded version, and, for shapes used by one object
 * only, the text kept as the key (smaller than the decoded tree it sits beside).
 */
export class SharedFieldSets {
  readonly #byText = new Map<string, WeakRef<object>>();
  #sweepAt: number;

  constructor(private readonly minSweep = 1024) {
    this.#sweepAt = minSweep;
  }

  /** Distinct shapes in the table (live or not yet swept). */
  get size(): number { return this.#byText.size; }

  /** Replaces each fieldsV1 of `object` by the shared equal one, or makes it the shared one. */
  share(object: unknown): void {
    const entries = (object as { metadata?: { managedFields?: unknown } } | null)?.metadata?.managedFields;
    if (!Array.isArray(entries)) return;
    for (const entry of entries as unknown[]) {
      if (entry === null || typeof entry !== 'object' || Object.isFrozen(entry)) continue;
      const e = entry as { fieldsV1?: unknown };
      const fields = e.fieldsV1;
      if (fields === null || typeof fields !== 'object') continue;
      const text = JSON.stringify(fields);
      const shared = this.#byText.get(text)?.deref();
      if (shared) {
        e.fieldsV1 = shared;
        continue;
      }
      this.#byText.set(text, new WeakRef(deepFreeze(fields)));
      if (this.#byText.size >= this.#sweepAt) this.#sweep();
    }
  }

  #sweep(): void {
    for (const [text, ref] of this.#byText) if (ref.deref() === undefined) this.#byText.delete(text);
    this.#sweepAt = Math.max(this.minSweep, this.#byText.size * 2);
  }
}

function deepFreeze<T extends object>(v: T): T {
  Object.freeze(v);
  for (const x of Object.values(v)) if (x !== null && typeof x === 'object' && !Object.isFrozen(x)) deepFreeze(x as object);
  return v;
}
