import type { EndpointSliceObject } from '../../api/resources/index.js';
import type { Key } from '../../client/work-queue.js';

function olderThan(cached: string | undefined, written: string): boolean {
  if (cached === undefined) return true;
  try { return BigInt(cached) < BigInt(written); } catch { return cached !== written; }
}

/**
 * The endpointSliceTracker: remembers the slices this controller wrote per service, so that a
 * sync on a cache that has not yet seen those writes waits instead of creating duplicates.
 */
export class SliceTracker {
  readonly #written = new Map<Key, Map<string, string | null>>();

  /** A slice written (created or updated) with the resourceVersion the server returned. */
  wrote(service: Key, slice: EndpointSliceObject): void {
    this.#entries(service).set(slice.metadata.name ?? '', slice.metadata.resourceVersion ?? '0');
  }

  deleted(service: Key, name: string): void {
    this.#entries(service).set(name, null);
  }

  /** True while the cache lacks one of our writes; entries the cache has caught up with are dropped. */
  stale(service: Key, cached: readonly EndpointSliceObject[]): boolean {
    const m = this.#written.get(service);
    if (!m) return false;
    const byName = new Map(cached.map((s) => [s.metadata.name ?? '', s]));
    let stale = false;
    for (const [name, rv] of m) {
      const c = byName.get(name);
      const behind = rv === null ? c !== undefined : olderThan(c?.metadata.resourceVersion, rv);
      if (behind) stale = true; else m.delete(name);
    }
    if (m.size === 0) this.#written.delete(service);
    return stale;
  }

  forget(service: Key): void { this.#written.delete(service); }

  #entries(service: Key): Map<string, string | null> {
    let m = this.#written.get(service);
    if (!m) this.#written.set(service, (m = new Map()));
    return m;
  }
}
