import { deferred, isAbort, silentLogger, sleep, type Logger } from '../../base/index.js';
import { CompactedError, type KeyValue, type Store, type StoreEvent } from '../store.js';
import { EventHistory } from './event-history.js';
import { SortedKeys } from './sorted-keys.js';

/** One change as the cache saw it. Objects are shared by every reader: never mutate them. */
export interface CacheEvent<T> {
  type: 'put' | 'delete';
  key: string;
  revision: number;
  /** put: the new object. delete: the last state, decoded with modRevision = the deletion's revision. */
  object: T;
  /** The object before this event (put on an existing key, and delete), as the cache held it. */
  prev?: T;
}

export interface CachePage<T> {
  items: T[];
  /** The cache revision the page was read at. */
  revision: number;
  /** The last key returned, when more matching keys remain (for a continue token). */
  nextKey?: string;
}

export interface ListCacheOptions<T> {
  /** Only keys strictly after this one. */
  after?: string;
  /** At most this many items (0 or absent: all). */
  limit?: number;
  /** Only objects for which this is true (counted against `limit` after filtering). */
  filter?: (object: T) => boolean;
}

export interface WatchCacheOptions<T> {
  store: Store;
  /** The one prefix this cache mirrors (the apiserver uses `/registry/`). */
  prefix: string;
  /** Bytes → object. Called once per stored version; the result is shared, never copied. */
  decode: (kv: KeyValue) => T;
  /**
   * Called on each freshly decoded object before it is cached: cached objects are read-only,
   * so this may make parts equal to those of other cached objects one shared object (see
   * SharedFieldSets) and freeze the object, making a writer that breaks the rule fail loudly.
   */
  seal?: (object: T) => void;
  log?: Logger;
  /** Events kept for watchers resuming from the past (default 5000). */
  historySize?: number;
  /** Events a watcher may have queued before it is moved back to the history (default 10000). */
  maxQueuedEvents?: number;
  /** Keys per store list call when (re)listing (default 500). */
  listChunkSize?: number;
  /** Waits between attempts after the store watch breaks (default 100 ms doubling to 5 s). */
  backoff?: { initialMs: number; maxMs: number };
}

interface Entry<T> { object: T; modRevision: number; createRevision: number }

/**
 * The apiserver's watch cache over one prefix of the store: list, then watch from the list's
 * revision; the current objects in memory (get, key-ordered chunked lists), a bounded history of
 * recent events for watchers that resume from a revision, and live fan-out. When the store watch
 * breaks it resumes from the cache revision; when that revision was compacted it relists and
 * emits synthetic events for the differences, so followers neither miss nor repeat a change.
 */
export class WatchCache<T> {
  readonly #store: Store;
  readonly #prefix: string;
  readonly #decode: (kv: KeyValue) => T;
  readonly #seal: ((object: T) => void) | undefined;
  readonly #log: Logger;
  readonly #maxQueued: number;
  readonly #listChunk: number;
  readonly #backoff: { initialMs: number; maxMs: number };
  readonly #objects = new Map<string, Entry<T>>();
  readonly #keys = new SortedKeys();
  readonly #history: EventHistory<CacheEvent<T>>;
  readonly #followers = new Set<Follower<T>>();
  readonly #waiters = new Set<{ revision: number; resolve(): void; reject(err: Error): void }>();
  readonly #ready = deferred<void>();
  #revision = 0;
  #synced = false;
  #stopped: Error | undefined;

  constructor(options: WatchCacheOptions<T>) {
    this.#store = options.store;
    this.#prefix = options.prefix;
    this.#decode = options.decode;
    this.#seal = options.seal;
    this.#log = options.log ?? silentLogger;
    this.#maxQueued = options.maxQueuedEvents ?? 10_000;
    this.#listChunk = options.listChunkSize ?? 500;
    this.#backoff = options.backoff ?? { initialMs: 100, maxMs: 5000 };
    this.#history = new EventHistory(options.historySize ?? 5000, 0);
    // `ready` is awaited by whoever serves requests; a rejection on shutdown must not be "unhandled".
    this.#ready.promise.catch(() => undefined);
  }

  /** Resolves once the first list is in memory. Rejects if `run` ends before that. */
  get ready(): Promise<void> { return this.#ready.promise; }

  isReady(): boolean { return this.#synced; }

  /** The revision of the last event (or list) the cache has applied. */
  revision(): number { return this.#revision; }

  /** Objects in the cache. */
  size(): number { return this.#objects.size; }

  get(key: string): T | undefined {
    return this.#objects.get(key)?.object;
  }

  list(prefix: string, options: ListCacheOptions<T> = {}): CachePage<T> {
    const { after, filter } = options;
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
    const items: T[] = [];
    let i = after !== undefined && after >= prefix ? this.#keys.lowerBound(after, true) : this.#keys.lowerBound(prefix);
    let lastKey: string | undefined;
    for (let key = this.#keys.at(i); key !== undefined && key.startsWith(prefix); key = this.#keys.at(++i)) {
      const object = this.#objects.get(key)!.object;
      if (filter && !filter(object)) continue;
      if (items.length === limit) return { items, revision: this.#revision, nextKey: lastKey };
      items.push(object);
      lastKey = key;
    }
    return { items, revision: this.#revision };
  }

  /** Resolves once the cache has applied `revision` (for a consistent read after a write). */
  waitForRevision(revision: number, signal?: AbortSignal): Promise<void> {
    if (this.#revision >= revision) return Promise.resolve();
    if (this.#stopped) return Promise.reject(this.#stopped);
    return new Promise((resolve, reject) => {
      signal?.throwIfAborted();
      const onAbort = () => { this.#waiters.delete(waiter); reject(signal!.reason as Error); };
      const waiter = {
        revision,
        resolve: () => { signal?.removeEventListener('abort', onAbort); resolve(); },
        reject: (err: Error) => { signal?.removeEventListener('abort', onAbort); reject(err); },
      };
      this.#waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Events under `prefix` strictly after `fromRevision`: from the history, then live. Throws
   * CompactedError (with the oldest revision it can serve) when the history no longer reaches back.
   */
  watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncIterable<CacheEvent<T>> {
    return this.#follow(prefix, fromRevision, signal);
  }

  /** Watchers currently following live events. */
  watcherCount(): number { return this.#followers.size; }

  /**
   * Lists, then watches, until `signal` aborts; store failures are retried with backoff (resume
   * from the cache revision, or relist when that was compacted). Followers end when it returns.
   */
  async run(signal: AbortSignal): Promise<void> {
    let delay = this.#backoff.initialMs;
    let needList = true;
    try {
      while (!signal.aborted) {
        try {
          if (needList) {
            await this.#relist();
            needList = false;
          }
          for await (const ev of this.#store.watch(this.#prefix, this.#revision, signal)) {
            this.#apply([ev]);
            delay = this.#backoff.initialMs;
          }
          if (signal.aborted) break;
          throw new Error('store watch ended');
        } catch (err) {
          if (isAbort(err, signal) || signal.aborted) break;
          if (err instanceof CompactedError) {
            this.#log.info('watch cache: store history compacted, relisting', { prefix: this.#prefix, revision: this.#revision, compacted: err.compacted });
            needList = true;
            continue;
          }
          this.#log.warn('watch cache: store watch failed, retrying', { prefix: this.#prefix, revision: this.#revision, err, delayMs: delay });
          await sleep(delay, signal).catch((e: unknown) => { if (!isAbort(e, signal)) throw e; });
          delay = Math.min(delay * 2, this.#backoff.maxMs);
        }
      }
    } finally {
      this.#stop(new Error('watch cache stopped'));
    }
  }

  /** Lists the store and makes the cache equal to it, emitting the differences as events. */
  async #relist(): Promise<void> {
    if (!this.#synced) {
      const revision = await this.#listPages((kv) => {
        const object = this.#tryDecode(kv);
        if (object !== undefined) this.#objects.set(kv.key, { object, modRevision: kv.modRevision, createRevision: kv.createRevision });
      });
      this.#keys.reset(this.#objects.keys());
      this.#history.reset(revision);
      this.#advance(revision);
      this.#synced = true;
      this.#ready.resolve();
      this.#log.info('watch cache: listed', { prefix: this.#prefix, objects: this.#objects.size, revision });
      return;
    }
    // A relist after lost history: every key whose version differs becomes a synthetic put at its
    // modRevision (all after the cache revision), and every vanished key a synthetic delete at the
    // list revision, so followers converge on the store's state.
    const seen = new Set<string>();
    const events: StoreEvent[] = [];
    const revision = await this.#listPages((kv) => {
      seen.add(kv.key);
      const cur = this.#objects.get(kv.key);
      if (!cur || cur.modRevision !== kv.modRevision) events.push({ type: 'put', key: kv.key, revision: kv.modRevision, kv });
    });
    events.sort((a, b) => a.revision - b.revision);
    for (const [key, cur] of this.#objects) {
      if (!seen.has(key)) {
        events.push({ type: 'delete', key, revision, kv: { key, value: new Uint8Array(0), createRevision: cur.createRevision, modRevision: cur.modRevision } });
      }
    }
    this.#log.info('watch cache: relisted', { prefix: this.#prefix, revision, changes: events.length });
    this.#apply(events, { synthetic: true });
    this.#advance(revision);
  }

  /**
   * Reads the whole prefix at one revision in chunks, handing each key to `each` as it comes, so
   * the raw values of every object are never all in memory at once. Returns the revision.
   */
  async #listPages(each: (kv: KeyValue) => void): Promise<number> {
    let page = await this.#store.list(this.#prefix, { limit: this.#listChunk });
    const revision = page.revision;
    for (;;) {
      for (const kv of page.kvs) each(kv);
      if (!page.more || page.kvs.length === 0) return revision;
      page = await this.#store.list(this.#prefix, { limit: this.#listChunk, after: page.kvs.at(-1)!.key, revision });
    }
  }

  #apply(events: readonly StoreEvent[], { synthetic = false } = {}): void {
    const out: CacheEvent<T>[] = [];
    for (const ev of events) {
      const cur = this.#objects.get(ev.key);
      if (ev.type === 'put') {
        const object = this.#tryDecode(ev.kv);
        if (object === undefined) {
          // Undecodable: the key leaves the cache (as a delete) rather than keeping a stale version.
          if (cur) this.#remove(ev.key, cur, ev.revision, out);
          continue;
        }
        this.#objects.set(ev.key, { object, modRevision: ev.kv.modRevision, createRevision: ev.kv.createRevision });
        if (!cur) this.#keys.add(ev.key);
        out.push(cur ? { type: 'put', key: ev.key, revision: ev.revision, object, prev: cur.object } : { type: 'put', key: ev.key, revision: ev.revision, object });
      } else if (cur) {
        this.#remove(ev.key, cur, ev.revision, out, synthetic ? undefined : ev.kv);
      }
    }
    for (const e of out) this.#history.push(e);
    const last = events.at(-1)?.revision;
    if (last !== undefined) this.#advance(last);
    if (out.length > 0) for (const f of this.#followers) f.push(out);
  }

  /**
   * Drops `key`. The delete event's object is the last state with the deletion's revision as its
   * version (Kubernetes sends deleted objects that way), decoded from `last` when the store gave
   * the bytes; a synthetic delete from a relist has none and reuses the cached object.
   */
  #remove(key: string, cur: Entry<T>, revision: number, out: CacheEvent<T>[], last?: KeyValue): void {
    this.#objects.delete(key);
    this.#keys.remove(key);
    const object = (last && this.#tryDecode({ ...last, modRevision: revision })) ?? cur.object;
    out.push({ type: 'delete', key, revision, object, prev: cur.object });
  }

  #advance(revision: number): void {
    if (revision <= this.#revision) return;
    this.#revision = revision;
    for (const w of this.#waiters) {
      if (w.revision <= revision) {
        this.#waiters.delete(w);
        w.resolve();
      }
    }
  }

  #tryDecode(kv: KeyValue): T | undefined {
    try {
      const object = this.#decode(kv);
      this.#seal?.(object);
      return object;
    } catch (err) {
      this.#log.error('watch cache: cannot decode stored value, skipping it', { key: kv.key, revision: kv.modRevision, err });
      return undefined;
    }
  }

  #stop(err: Error): void {
    this.#stopped = err;
    this.#ready.reject(err);
    for (const f of [...this.#followers]) f.fail(err);
    for (const w of [...this.#waiters]) w.reject(err);
    this.#waiters.clear();
  }

  async *#follow(prefix: string, fromRevision: number, signal: AbortSignal): AsyncGenerator<CacheEvent<T>> {
    if (!this.#synced) await this.waitForReady(signal);
    let pos = fromRevision;
    const match = (e: CacheEvent<T>) => e.key.startsWith(prefix);
    while (!signal.aborted) {
      if (this.#stopped) throw this.#stopped;
      if (pos < this.#history.startRevision) throw new CompactedError(pos, this.#history.startRevision);
      // One synchronous step: the history read and the subscription see the same cache state.
      const backlog = this.#history.after(pos, match);
      const follower = new Follower<T>(prefix, this.#maxQueued, () => this.#followers.delete(follower));
      this.#followers.add(follower);
      try {
        for (const e of backlog) {
          if (signal.aborted) return;
          yield e;
          pos = e.revision;
        }
        for (;;) {
          let batch: CacheEvent<T>[] | 'overflowed';
          try {
            batch = await follower.next(signal);
          } catch (err) {
            if (signal.aborted) return;
            throw err;
          }
          if (batch === 'overflowed') break;   // fell behind: continue from the history
          for (const e of batch) {
            if (signal.aborted) return;
            if (e.revision <= fromRevision) continue;   // a resume from a revision the cache had not reached yet
            yield e;
            pos = e.revision;
          }
        }
      } finally {
        follower.close();
      }
    }
  }

  /** Resolves when the first list is in, rejecting on abort or when the cache stops first. */
  async waitForReady(signal?: AbortSignal): Promise<void> {
    if (this.#synced) return;
    if (!signal) return this.ready;
    signal.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.ready.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}

/** One live watcher: a queue of shared events, a wake-up, an overflow mark. */
class Follower<T> {
  #queue: CacheEvent<T>[] = [];
  #overflowed = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(readonly prefix: string, private readonly maxQueued: number, private readonly onClose: () => void) {}

  push(events: readonly CacheEvent<T>[]): void {
    if (this.#overflowed) return;
    for (const e of events) if (e.key.startsWith(this.prefix)) this.#queue.push(e);
    if (this.#queue.length > this.maxQueued) {
      this.#overflowed = true;
      this.#queue = [];
    }
    if (this.#queue.length > 0 || this.#overflowed) this.#wake?.();
  }

  fail(err: Error): void {
    this.#error = err;
    this.close();
    this.#wake?.();
  }

  async next(signal: AbortSignal): Promise<CacheEvent<T>[] | 'overflowed'> {
    for (;;) {
      if (this.#overflowed) return 'overflowed';
      if (this.#queue.length > 0) {
        const out = this.#queue;
        this.#queue = [];
        return out;
      }
      if (this.#error) throw this.#error;
      signal.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => { this.#wake = undefined; reject(signal.reason); };
        this.#wake = () => { this.#wake = undefined; signal.removeEventListener('abort', onAbort); resolve(); };
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  close(): void { this.onClose(); }
}
