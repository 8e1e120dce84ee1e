import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '../../base/index.js';
import { startEtcd, type EtcdServer } from '../../../test/fixtures/etcd.js';
import { openEtcdStore } from '../etcd/etcd-store.js';
import { openSqliteStore } from '../sqlite/sqlite-store.js';
import { CompactedError, type KeyValue, type ListOptions, type Store, type StoreEvent } from '../store.js';
import { WatchCache, type CacheEvent } from './watch-cache.js';

interface Obj { metadata: { name: string; resourceVersion: string }; data: string }
const enc = new TextEncoder();
const dec = new TextDecoder();
const obj = (name: string, data: string) => enc.encode(JSON.stringify({ metadata: { name }, data }));
const decode = (kv: KeyValue): Obj => {
  const o = JSON.parse(dec.decode(kv.value)) as Obj;
  o.metadata.resourceVersion = String(kv.modRevision);
  return o;
};

/** Starts a cache over `store`; `stop()` aborts it and waits for `run` to return. */
async function startCache(store: Store, opts: Partial<ConstructorParameters<typeof WatchCache<Obj>>[0]> = {}) {
  const ac = new AbortController();
  const cache = new WatchCache<Obj>({ store, prefix: '/registry/', decode, backoff: { initialMs: 10, maxMs: 50 }, ...opts });
  const running = cache.run(ac.signal);
  await cache.ready;
  return { cache, async stop() { ac.abort(); await running; } };
}

/** Pulls events of a cache watch into an array as they come. */
function follow(cache: WatchCache<Obj>, prefix: string, from: number) {
  const ac = new AbortController();
  const events: CacheEvent<Obj>[] = [];
  let error: unknown;
  const done = (async () => {
    try {
      for await (const e of cache.watch(prefix, from, ac.signal)) events.push(e);
    } catch (err) {
      error = err;
    }
  })();
  return {
    events,
    get error() { return error; },
    async until(pred: (evs: CacheEvent<Obj>[]) => boolean, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (!pred(events)) {
        if (error) throw error;
        if (Date.now() > deadline) assert.fail(`watch ${prefix}: condition not met, have ${events.map((e) => `${e.type} ${e.key}@${e.revision}`).join(', ')}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async stop() { ac.abort(); await done; },
  };
}

describe('WatchCache', () => {
  it('lists existing objects, then serves get and key-ordered chunked lists', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    for (const n of ['c', 'a', 'b', 'd']) await store.create(`/registry/pods/ns1/${n}`, obj(n, n));
    await store.create('/registry/pods/ns2/x', obj('x', 'x'));
    await store.create('/other/y', obj('y', 'y'));
    const { cache, stop } = await startCache(store, { listChunkSize: 2 });   // the first list takes three pages
    try {
      assert.equal(cache.revision(), await store.currentRevision());
      assert.equal(cache.size(), 5);
      assert.equal(cache.get('/registry/pods/ns1/a')?.data, 'a');
      assert.equal(cache.get('/other/y'), undefined, 'outside the prefix');
      const all = cache.list('/registry/pods/');
      assert.deepEqual(all.items.map((o) => o.metadata.name), ['a', 'b', 'c', 'd', 'x']);
      assert.equal(all.nextKey, undefined);
      const page1 = cache.list('/registry/pods/ns1/', { limit: 2 });
      assert.deepEqual(page1.items.map((o) => o.metadata.name), ['a', 'b']);
      assert.equal(page1.nextKey, '/registry/pods/ns1/b');
      const page2 = cache.list('/registry/pods/ns1/', { limit: 2, after: page1.nextKey });
      assert.deepEqual(page2.items.map((o) => o.metadata.name), ['c', 'd']);
      assert.equal(page2.nextKey, undefined, 'no continue when nothing remains');
      const filtered = cache.list('/registry/pods/', { filter: (o) => o.data !== 'b', limit: 3 });
      assert.deepEqual(filtered.items.map((o) => o.metadata.name), ['a', 'c', 'd']);
      assert.equal(filtered.nextKey, '/registry/pods/ns1/d');
      assert.deepEqual(cache.list('/registry/pods/', { filter: (o) => o.data === 'x', limit: 1 }).nextKey, undefined);
      assert.equal(cache.list('/registry/pods/ns1/')!.items[0], cache.get('/registry/pods/ns1/a'), 'objects are shared, not copied');
    } finally {
      await stop();
      await store.close();
    }
  });

  it('follows writes; waitForRevision makes a read after a write consistent', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    const { cache, stop } = await startCache(store);
    try {
      const kv = await store.create('/registry/cm/a', obj('a', '1'));
      await cache.waitForRevision(kv.modRevision);
      assert.equal(cache.get('/registry/cm/a')?.metadata.resourceVersion, String(kv.modRevision));
      const kv2 = await store.update('/registry/cm/a', obj('a', '2'), kv.modRevision);
      await cache.waitForRevision(kv2.modRevision, AbortSignal.timeout(5000));
      assert.equal(cache.get('/registry/cm/a')?.data, '2');
      const del = await store.delete('/registry/cm/a');
      await cache.waitForRevision(del.revision);
      assert.equal(cache.get('/registry/cm/a'), undefined);
      assert.deepEqual(cache.list('/registry/').items, []);
      assert.equal(cache.revision(), del.revision);
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(new Error('gave up waiting')), 50);   // a ref'd timer: AbortSignal.timeout would not keep the loop alive
      await assert.rejects(cache.waitForRevision(del.revision + 10, ac.signal), /gave up/);
      clearTimeout(timer);
    } finally {
      await stop();
      await store.close();
    }
  });

  it('watch: history after a revision, then live, with previous objects and deletion versions', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    const { cache, stop } = await startCache(store);
    try {
      const start = cache.revision();
      const a = await store.create('/registry/cm/ns/a', obj('a', '1'));
      const a2 = await store.update('/registry/cm/ns/a', obj('a', '2'), a.modRevision);
      await store.create('/registry/secrets/ns/s', obj('s', 's'));
      await cache.waitForRevision(await store.currentRevision());
      const w = follow(cache, '/registry/cm/', start);
      try {
        await w.until((e) => e.length >= 2);
        assert.deepEqual(w.events.map((e) => [e.type, e.key, e.revision, e.object.data, e.prev?.data]),
          [['put', '/registry/cm/ns/a', a.modRevision, '1', undefined], ['put', '/registry/cm/ns/a', a2.modRevision, '2', '1']]);
        const d = await store.delete('/registry/cm/ns/a');
        await w.until((e) => e.length >= 3);
        const del = w.events[2]!;
        assert.deepEqual([del.type, del.revision, del.object.data, del.object.metadata.resourceVersion, del.prev?.metadata.resourceVersion],
          ['delete', d.revision, '2', String(d.revision), String(a2.modRevision)]);
        assert.equal(w.events[1]!.object, w.events[2]!.prev, 'prev is the very object the cache held');
      } finally {
        await w.stop();
      }
      // Two watchers share event objects.
      const w1 = follow(cache, '/registry/', start);
      const w2 = follow(cache, '/registry/', start);
      try {
        await w1.until((e) => e.length >= 4);
        await w2.until((e) => e.length >= 4);
        for (let i = 0; i < 4; i++) assert.equal(w1.events[i]!.object, w2.events[i]!.object);
      } finally {
        await w1.stop();
        await w2.stop();
      }
      assert.equal(cache.watcherCount(), 0);
    } finally {
      await stop();
      await store.close();
    }
  });

  it('a revision older than the history is CompactedError with the oldest it can serve', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    const { cache, stop } = await startCache(store, { historySize: 5 });
    try {
      const revs: number[] = [];
      for (let i = 0; i < 12; i++) revs.push((await store.create(`/registry/k/${i}`, obj(String(i), 'x'))).modRevision);
      await cache.waitForRevision(revs.at(-1)!);
      const oldest = revs.at(-6)!;   // five events kept: those after it
      await assert.rejects(async () => { for await (const _ of cache.watch('/registry/', revs[0]!, AbortSignal.timeout(2000))) break; },
        (e: unknown) => e instanceof CompactedError && e.compacted === oldest && e.requested === revs[0]);
      const w = follow(cache, '/registry/', oldest);
      try {
        await w.until((e) => e.length >= 5);
        assert.deepEqual(w.events.map((e) => e.revision), revs.slice(-5));
      } finally {
        await w.stop();
      }
    } finally {
      await stop();
      await store.close();
    }
  });

  it('a slow watcher falls back to the history and still sees every event once', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    const { cache, stop } = await startCache(store, { maxQueuedEvents: 4, historySize: 1000 });
    try {
      const from = cache.revision();
      const ac = new AbortController();
      const seen: number[] = [];
      const reader = (async () => {
        for await (const e of cache.watch('/registry/', from, ac.signal)) {
          seen.push(e.revision);
          await new Promise((r) => setTimeout(r, 1));   // slower than the writer
          if (seen.length === 200) break;
        }
      })();
      const written: number[] = [];
      for (let i = 0; i < 200; i++) written.push((await store.create(`/registry/slow/${i}`, obj(String(i), 'x'))).modRevision);
      await reader;
      ac.abort();
      assert.deepEqual(seen, written);
    } finally {
      await stop();
      await store.close();
    }
  });

  it('relists after the store history was compacted under a broken watch, emitting the differences', async () => {
    const inner = openSqliteStore({ path: ':memory:' });
    const store = new BreakableStore(inner);
    const a = await store.create('/registry/cm/a', obj('a', '1'));
    await store.create('/registry/cm/b', obj('b', '1'));
    const { cache, stop } = await startCache(store, { listChunkSize: 1 });
    const w = follow(cache, '/registry/', cache.revision());
    try {
      const keep = await store.create('/registry/cm/keep', obj('keep', '1'));
      await w.until((e) => e.length >= 1);
      store.cut();   // the cache's store watch fails and cannot come back until heal()
      const a2 = await store.update('/registry/cm/a', obj('a', '2'), a.modRevision);
      await store.delete('/registry/cm/b');
      const c = await store.create('/registry/cm/c', obj('c', '1'));
      await inner.compact(await inner.currentRevision());
      const listRev = await store.currentRevision();
      store.heal();
      await cache.waitForRevision(listRev, AbortSignal.timeout(10_000));
      await w.until((e) => e.length >= 4);
      assert.deepEqual(w.events.map((e) => [e.type, e.key, e.revision]), [
        ['put', '/registry/cm/keep', keep.modRevision],
        ['put', '/registry/cm/a', a2.modRevision],
        ['put', '/registry/cm/c', c.modRevision],
        ['delete', '/registry/cm/b', listRev],
      ]);
      assert.equal(w.events[1]!.prev?.data, '1');
      const inStore = (await inner.list('/registry/')).kvs.map((kv) => [kv.key, decode(kv).data]);
      assert.deepEqual(cache.list('/registry/').items.map((o) => [`/registry/cm/${o.metadata.name}`, o.data]), inStore);
      // And it keeps following afterwards.
      const d = await store.create('/registry/cm/d', obj('d', '1'));
      await w.until((e) => e.at(-1)?.revision === d.modRevision);
      assert.equal(w.events.length, 5);
    } finally {
      await w.stop();
      await stop();
      await inner.close();
    }
  });

  it('stopping the cache ends its watchers and pending waits', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    const { cache, stop } = await startCache(store);
    const w = follow(cache, '/registry/', cache.revision());
    const waiting = cache.waitForRevision(1000);
    await new Promise((r) => setImmediate(r));
    await stop();
    await assert.rejects(waiting, /stopped/);
    await w.stop();
    assert.match(String(w.error), /stopped/);
    await store.close();
  });


  it('hands every decoded object to `seal` before caching it, listed and watched alike', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    await store.create('/registry/pods/ns1/a', obj('a', 'same'));
    // `seal` makes equal data one object, as SharedFieldSets does for managedFields.
    const shared = new Map<string, { v: string }>();
    const seen: string[] = [];
    const seal = (o: Obj) => {
      seen.push(o.metadata.name);
      const box = { v: o.data };
      const one = shared.get(o.data) ?? (shared.set(o.data, box), box);
      (o as unknown as { data: unknown }).data = one;
    };
    const { cache, stop } = await startCache(store, { seal });
    try {
      const w = follow(cache, '/registry/', cache.revision());
      await store.create('/registry/pods/ns1/b', obj('b', 'same'));
      await w.until((evs) => evs.length === 1);
      assert.deepEqual(seen, ['a', 'b']);
      const a = cache.get('/registry/pods/ns1/a')!;
      const b = cache.get('/registry/pods/ns1/b')!;
      assert.equal(a.data, b.data);
      assert.equal(w.events[0]!.object, b);
      await w.stop();
    } finally {
      await stop();
      await store.close();
    }
  });
  describe('over etcd', () => {
    let etcd: EtcdServer | undefined;
    before(async () => { etcd = await startEtcd(); });
    after(async () => { await etcd?.stop(); });

    it('survives an etcd restart (kill -9) without losing or repeating events', async () => {
      const store = openEtcdStore({ endpoints: etcd!.endpoints, dialTimeoutMs: 1000 });
      const messages: string[] = [];
      const record = (msg: string) => { messages.push(msg); };
      const log: Logger = { debug: record, info: record, warn: record, error: record, child: () => log };
      const { cache, stop } = await startCache(store, { log });
      const w = follow(cache, '/registry/', cache.revision());
      try {
        const written: number[] = [];
        for (let i = 0; i < 20; i++) written.push((await store.create(`/registry/e/${i}`, obj(String(i), 'x'))).modRevision);
        await etcd!.restart({ hard: true });
        for (let i = 20; i < 40; i++) {
          for (let attempt = 0; ; attempt++) {   // the client reconnects on its own
            try {
              written.push((await store.create(`/registry/e/${i}`, obj(String(i), 'x'))).modRevision);
              break;
            } catch (err) {
              if (attempt > 100) throw err;
              await new Promise((r) => setTimeout(r, 100));
            }
          }
        }
        await cache.waitForRevision(written.at(-1)!, AbortSignal.timeout(20_000));
        await w.until((e) => e.length >= 40);
        assert.deepEqual(w.events.map((e) => e.revision), written);
        assert.equal(cache.size(), 40);
        assert.ok(messages.includes('watch cache: store watch failed, retrying'), `the store watch broke and resumed: ${messages.join('; ')}`);
      } finally {
        await w.stop();
        await stop();
        await store.close();
      }
    });
  });
});

/** A Store whose watches can be broken (and kept from reconnecting) on demand. */
class BreakableStore implements Store {
  #broken: AbortController | undefined;
  #healed: (() => void) | undefined;
  #healedPromise: Promise<void> | undefined;
  constructor(private readonly inner: Store) {}
  cut(): void {
    this.#broken?.abort(new Error('watch cut'));
    this.#healedPromise = new Promise((r) => { this.#healed = r; });
  }
  heal(): void { this.#healed?.(); this.#healedPromise = undefined; }
  get(key: string) { return this.inner.get(key); }
  list(prefix: string, options?: ListOptions) { return this.inner.list(prefix, options); }
  create(key: string, value: Uint8Array) { return this.inner.create(key, value); }
  update(key: string, value: Uint8Array, rev: number) { return this.inner.update(key, value, rev); }
  delete(key: string, rev?: number) { return this.inner.delete(key, rev); }
  currentRevision() { return this.inner.currentRevision(); }
  compact(rev: number) { return this.inner.compact(rev); }
  close() { return this.inner.close(); }
  async *watch(prefix: string, from: number, signal: AbortSignal): AsyncGenerator<StoreEvent> {
    if (this.#healedPromise) throw new Error('store unreachable');
    const cut = new AbortController();
    this.#broken = cut;
    const both = AbortSignal.any([signal, cut.signal]);
    for await (const ev of this.inner.watch(prefix, from, both)) yield ev;
    if (cut.signal.aborted && !signal.aborted) {
      await this.#healedPromise;
      throw cut.signal.reason;
    }
  }
}
