import type { Clock } from '../base/clock.js';
import type { Key } from './work-queue.js';

/** How long expectations wait for the watch before a sync may act again (upstream's ExpectationsTimeout). */
export const expectationsTimeoutMs = 5 * 60 * 1000;

interface Record { adds: number; deletes: Set<string>; since: number }

/**
 * Controller expectations (controller_utils.go): after issuing creates and deletes, a
 * controller waits to observe them through its informers (or for a timeout) before acting
 * again, so that a stale cache never double-creates or double-deletes. Deletions are
 * tracked by uid, as UIDTrackingControllerExpectations does.
 */
export class Expectations {
  readonly #clock: Clock;
  readonly #records = new Map<Key, Record>();
  constructor(clock: Clock) { this.#clock = clock; }

  /** True when nothing is awaited for `key` (or the wait has expired). */
  satisfied(key: Key): boolean {
    const r = this.#records.get(key);
    if (!r) return true;
    if (r.adds <= 0 && r.deletes.size === 0) return true;
    return this.#clock.now() - r.since > expectationsTimeoutMs;
  }

  /** Sets what the next syncs wait for (replacing earlier expectations). */
  expect(key: Key, adds: number, deleteUids: readonly string[] = []): void {
    this.#records.set(key, { adds, deletes: new Set(deleteUids), since: this.#clock.now() });
  }

  /** A create was observed (informer add) — or a create failed and will never be. */
  creationObserved(key: Key): void {
    const r = this.#records.get(key);
    if (r) r.adds--;
  }

  /** A delete of `uid` was observed — or failed with NotFound. */
  deletionObserved(key: Key, uid: string): void {
    this.#records.get(key)?.deletes.delete(uid);
  }

  /** Lowers expectations for creates that were skipped or failed. */
  lowerCreations(key: Key, n: number): void {
    const r = this.#records.get(key);
    if (r) r.adds -= n;
  }

  pending(key: Key): { adds: number; deletes: number } | undefined {
    const r = this.#records.get(key);
    return r ? { adds: r.adds, deletes: r.deletes.size } : undefined;
  }

  forget(key: Key): void { this.#records.delete(key); }
}
