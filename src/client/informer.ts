import type { ResourceDefinition } from '../api/resource.js';
import type { KubeObject, Status } from '../api/types.js';
import { StatusError, isGone } from '../api/errors.js';
import { sleep, isAbort, deferred } from '../base/async.js';
import type { Logger } from '../base/log.js';
import { silentLogger } from '../base/log.js';
import type { Client } from './types.js';
import type { Key } from './work-queue.js';
import { keyOf } from './object-key.js';

export interface DeleteInfo {
  /** True when the delete was inferred from a relist: `obj` is the last state the cache saw. */
  finalStateUnknown: boolean;
}

/** A read-only view of one resource: list then watch into a cache, with change handlers. */
export interface Informer<T extends KubeObject = KubeObject> {
  readonly resource: ResourceDefinition<T>;
  /** The cached object by `namespace/name` (or `name`). Objects are frozen: copy before editing. */
  get(key: Key): T | undefined;
  /** Cached objects, of one namespace when given. */
  list(namespace?: string): T[];
  /** Adds a named index; the function returns the index values of an object. */
  addIndex(name: string, fn: (obj: T) => readonly string[]): void;
  byIndex(name: string, value: string): T[];
  onAdd(fn: (obj: T) => void): void;
  /** Also called on resync with `old === obj`. */
  onUpdate(fn: (old: T, obj: T) => void): void;
  onDelete(fn: (obj: T, info: DeleteInfo) => void): void;
  /** Any add, update, resync or delete: the level-triggered handler most controllers want. */
  onChange(fn: (obj: T) => void): void;
  hasSynced(): boolean;
  /** Resolves once the first list has filled the cache; rejects when `signal` aborts first. */
  waitForSync(signal: AbortSignal): Promise<void>;
}

export interface InformerOptions {
  client: Client;
  log?: Logger;
  /** Every `resyncMs`, handlers get an update for each cached object. 0 = never (default). */
  resyncMs?: number;
  /** Reconnect backoff: first and maximum delay. Defaults 1 s → 30 s. */
  backoffMs?: { initial: number; max: number };
  /** Delay function, replaceable in tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** One shared informer per resource per process. */
export interface SharedInformerFactory {
  for<T extends KubeObject>(res: ResourceDefinition<T>): Informer<T>;
  /** Informers created so far. */
  started(): readonly Informer[];
  /** Runs every informer (also those made later) until `signal` aborts; resolves when all have stopped. */
  run(signal: AbortSignal): Promise<void>;
  waitForSync(signal: AbortSignal): Promise<void>;
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const none: readonly string[] = [];

/** The informer machinery without its loop, so that tests and the factory can drive it. */
export interface InformerInternals<T extends KubeObject> extends Informer<T> {
  run(signal: AbortSignal): Promise<void>;
  /** Replaces the whole cache with a list's items (relist). */
  replace(items: readonly T[]): void;
  /** Applies one watch event's object. */
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void;
  resync(): void;
}

export function createInformer<T extends KubeObject>(res: ResourceDefinition<T>, opts: InformerOptions): InformerInternals<T> {
  const log = (opts.log ?? silentLogger).child({ informer: res.group ? `${res.plural}.${res.group}` : res.plural });
  const delay = opts.sleep ?? sleep;
  const initialBackoff = opts.backoffMs?.initial ?? 1000;
  const maxBackoff = opts.backoffMs?.max ?? 30_000;
  const items = new Map<Key, T>();
  const byNamespace = new Map<string, Map<Key, T>>();
  const indexes = new Map<string, { fn: (obj: T) => readonly string[]; values: Map<string, Set<Key>> }>();
  const addHandlers: ((obj: T) => void)[] = [];
  const updateHandlers: ((old: T, obj: T) => void)[] = [];
  const deleteHandlers: ((obj: T, info: DeleteInfo) => void)[] = [];
  const synced = deferred<void>();
  let isSynced = false;

  // Handlers are called without a closure per call: informers run them for every event.
  function failed(what: string, err: unknown): void {
    log.error('event handler failed', { event: what, err });
  }

  function index(key: Key, obj: T | undefined, old: T | undefined): void {
    const ns = (obj ?? old)!.metadata.namespace ?? '';
    if (obj) {
      let m = byNamespace.get(ns);
      if (!m) byNamespace.set(ns, (m = new Map()));
      m.set(key, obj);
    } else {
      const m = byNamespace.get(ns);
      m?.delete(key);
      if (m && m.size === 0) byNamespace.delete(ns);
    }
    for (const idx of indexes.values()) {
      const before = old ? idx.fn(old) : none;
      const after = obj ? idx.fn(obj) : none;
      if (before.length === after.length && before.every((v, i) => v === after[i])) continue; // most updates
      for (const v of before) { const s = idx.values.get(v); s?.delete(key); if (s?.size === 0) idx.values.delete(v); }
      for (const v of after) { let s = idx.values.get(v); if (!s) idx.values.set(v, (s = new Set())); s.add(key); }
    }
  }

  function put(obj: T): void {
    deepFreeze(obj);
    const key = keyOf(obj);
    const old = items.get(key);
    items.set(key, obj);
    index(key, obj, old);
    if (old) {
      for (const h of updateHandlers) try { h(old, obj); } catch (err) { failed('update', err); }
    } else {
      for (const h of addHandlers) try { h(obj); } catch (err) { failed('add', err); }
    }
  }

  function remove(obj: T, finalStateUnknown: boolean): void {
    const key = keyOf(obj);
    const old = items.get(key);
    items.delete(key);
    if (old) index(key, undefined, old);
    const last = deepFreeze(finalStateUnknown ? old ?? obj : obj);
    const info = { finalStateUnknown };
    for (const h of deleteHandlers) try { h(last, info); } catch (err) { failed('delete', err); }
  }

  const informer: InformerInternals<T> = {
    resource: res,
    get: (key) => items.get(key),
    list(namespace) {
      if (namespace === undefined || namespace === '') return [...items.values()];
      return [...(byNamespace.get(namespace)?.values() ?? [])];
    },
    addIndex(name, fn) {
      const values = new Map<string, Set<Key>>();
      indexes.set(name, { fn, values });
      for (const [key, obj] of items) for (const v of fn(obj)) { let s = values.get(v); if (!s) values.set(v, (s = new Set())); s.add(key); }
    },
    byIndex(name, value) {
      const idx = indexes.get(name);
      if (!idx) throw new Error(`informer for ${res.plural} has no index ${name}`);
      return [...(idx.values.get(value) ?? [])].map((k) => items.get(k)!).filter((o) => o !== undefined);
    },
    onAdd: (fn) => { addHandlers.push(fn); },
    onUpdate: (fn) => { updateHandlers.push(fn); },
    onDelete: (fn) => { deleteHandlers.push(fn); },
    onChange(fn) {
      addHandlers.push(fn);
      updateHandlers.push((_old, obj) => fn(obj));
      deleteHandlers.push((obj) => fn(obj));
    },
    hasSynced: () => isSynced,
    async waitForSync(signal) {
      if (isSynced) return;
      if (signal.aborted) throw signal.reason;
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        void synced.promise.then(() => { signal.removeEventListener('abort', onAbort); resolve(); });
      });
    },
    replace(list) {
      const seen = new Set<Key>();
      for (const obj of list) {
        const key = keyOf(obj);
        seen.add(key);
        const old = items.get(key);
        if (!old || old.metadata.resourceVersion !== obj.metadata.resourceVersion) put(obj);
      }
      for (const [key, old] of [...items]) if (!seen.has(key)) remove(old, true);
      if (!isSynced) { isSynced = true; synced.resolve(); }
    },
    apply(type, obj) {
      if (type === 'DELETED') remove(obj, false);
      else put(obj);
    },
    resync() {
      for (const obj of [...items.values()]) for (const h of updateHandlers) try { h(obj, obj); } catch (err) { failed('resync', err); }
    },
    async run(signal) {
      const resyncing = opts.resyncMs ? resyncLoop(opts.resyncMs, signal) : undefined;
      try {
        await listAndWatch(signal);
      } finally {
        await resyncing;
      }
    },
  };

  async function resyncLoop(ms: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try { await delay(ms, signal); } catch (err) { if (isAbort(err, signal) || signal.aborted) return; throw err; }
      if (isSynced) informer.resync();
    }
  }

  async function listAndWatch(signal: AbortSignal): Promise<void> {
    let backoff = initialBackoff;
    const wait = async () => {
      await delay(backoff, signal);
      backoff = Math.min(backoff * 2, maxBackoff);
    };
    while (!signal.aborted) {
      let rv: string;
      try {
        // The informer freezes what it keeps: no copy needed (the in-process client shares the server's).
        const list = await opts.client.list(res, { signal, readOnly: true });
        informer.replace(list.items);
        rv = list.metadata.resourceVersion ?? '';
        backoff = initialBackoff;
      } catch (err) {
        if (signal.aborted) return;
        log.warn('list failed', { err, retryMs: backoff });
        try { await wait(); } catch { return; }
        continue;
      }
      // Watch from the list's resourceVersion until the history is gone (410), then relist.
      while (!signal.aborted) {
        let received = false;
        try {
          for await (const ev of opts.client.watch(res, { resourceVersion: rv, allowWatchBookmarks: true }, signal)) {
            if (ev.type === 'ERROR') throw new StatusError(ev.object as unknown as Status);
            const got = (ev.object.metadata as Mutable<typeof ev.object.metadata>).resourceVersion;
            if (got) rv = got;
            received = true;
            backoff = initialBackoff;
            if (ev.type === 'BOOKMARK') continue;
            informer.apply(ev.type, ev.object);
          }
          if (signal.aborted) return;
          if (!received) await wait(); // a stream that ends at once must not spin
        } catch (err) {
          if (signal.aborted || isAbort(err, signal)) return;
          if (isGone(err)) { log.info('watch expired, relisting', { resourceVersion: rv }); break; }
          log.warn('watch failed', { err, retryMs: backoff });
          try { await wait(); } catch { return; }
        }
      }
    }
  }

  return informer;
}

/** One informer per resource (by group and plural), shared by every controller in the process. */
export function sharedInformerFactory(opts: InformerOptions): SharedInformerFactory {
  const informers = new Map<string, InformerInternals<KubeObject>>();
  const runs: Promise<void>[] = [];
  let running: AbortSignal | undefined;
  const log = opts.log ?? silentLogger;

  function start(inf: InformerInternals<KubeObject>, signal: AbortSignal): void {
    runs.push(inf.run(signal).catch((err: unknown) => {
      if (!isAbort(err, signal)) log.error('informer stopped', { resource: inf.resource.plural, err });
    }));
  }

  return {
    for<T extends KubeObject>(res: ResourceDefinition<T>): Informer<T> {
      const id = `${res.group}/${res.plural}`;
      let inf = informers.get(id);
      if (!inf) {
        inf = createInformer(res as unknown as ResourceDefinition<KubeObject>, opts);
        informers.set(id, inf);
        if (running && !running.aborted) start(inf, running);
      }
      return inf as unknown as Informer<T>;
    },
    started: () => [...informers.values()],
    async run(signal) {
      running = signal;
      for (const inf of informers.values()) start(inf, signal);
      await new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      while (runs.length) await Promise.all(runs.splice(0));
    },
    async waitForSync(signal) {
      await Promise.all([...informers.values()].map((i) => i.waitForSync(signal)));
    },
  };
}
