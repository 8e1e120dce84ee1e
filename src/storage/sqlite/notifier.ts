import type { StoreEvent } from '../store.js';

/**
 * The in-process "something was committed" signal of the SQLite store: after each commit the
 * store publishes the new events, and every live watcher whose prefix matches gets them queued.
 * A watcher that falls too far behind is marked overflowed and its queue dropped; it then goes
 * back to reading the log table from its last revision (so memory stays bounded and nothing is lost).
 */
export class Notifier {
  readonly #subs = new Set<Subscription>();
  readonly #listeners = new Set<(events: readonly StoreEvent[]) => void>();

  subscribe(prefix: string, maxQueued: number): Subscription {
    const sub = new Subscription(prefix, maxQueued, () => this.#subs.delete(sub));
    this.#subs.add(sub);
    return sub;
  }

  /** Calls `fn` with every published batch, synchronously (returns the unsubscribe). */
  listen(fn: (events: readonly StoreEvent[]) => void): () => void {
    this.#listeners.add(fn);
    return () => { this.#listeners.delete(fn); };
  }

  publish(events: readonly StoreEvent[]): void {
    for (const fn of this.#listeners) fn(events);
    for (const sub of this.#subs) sub.push(events);
  }

  /** Ends every subscription with `err` (the store is closing). */
  fail(err: Error): void {
    for (const sub of [...this.#subs]) sub.fail(err);
  }

  get size(): number { return this.#subs.size; }
}

export type Delivery = { events: StoreEvent[] } | { overflowed: true };

export class Subscription {
  #queue: StoreEvent[] = [];
  #overflowed = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(readonly prefix: string, private readonly maxQueued: number, private readonly onClose: () => void) {}

  push(events: readonly StoreEvent[]): void {
    if (this.#overflowed || this.#error) return;
    for (const ev of events) if (ev.key.startsWith(this.prefix)) this.#queue.push(ev);
    if (this.#queue.length > this.maxQueued) {
      this.#overflowed = true;
      this.#queue = [];
    }
    this.#poke();
  }

  fail(err: Error): void {
    this.#error = err;
    this.close();
    this.#poke();
  }

  /** The next batch of events (waits for one), or `overflowed`. Rejects when `signal` aborts. */
  async next(signal: AbortSignal): Promise<Delivery> {
    for (;;) {
      if (this.#error) throw this.#error;
      if (this.#overflowed) return { overflowed: true };
      if (this.#queue.length > 0) {
        const events = this.#queue;
        this.#queue = [];
        return { events };
      }
      signal.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => { this.#wake = undefined; reject(signal.reason); };
        this.#wake = () => { signal.removeEventListener('abort', onAbort); this.#wake = undefined; resolve(); };
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  close(): void { this.onClose(); }

  #poke(): void { this.#wake?.(); }
}
