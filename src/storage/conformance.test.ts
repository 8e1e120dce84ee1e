/**
 * The one behaviour suite every Store backend passes (sqlite/sqlite.test.ts, etcd/etcd.test.ts).
 * Tests never assume a fresh revision counter: each works under its own key prefix and reasons
 * about revisions relative to what it wrote, so a backend may share one server between tests.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompactedError, KeyExistsError, KeyNotFoundError, RevisionMismatchError,
  type KeyValue, type Store, type StoreEvent,
} from './store.js';

export interface OpenedStore { store: Store; cleanup(): Promise<void> }

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string) => enc.encode(s);
const text = (v: Uint8Array) => dec.decode(v);

/** Events of `store.watch` until `done(events)` is true; fails after `ms`. */
export async function collect(
  store: Store, prefix: string, from: number, done: (events: StoreEvent[]) => boolean, ms = 10_000,
): Promise<StoreEvent[]> {
  const ac = new AbortController();
  const events: StoreEvent[] = [];
  const timer = setTimeout(() => ac.abort(new Error('timed out')), ms);
  try {
    if (done(events)) return events;
    for await (const ev of store.watch(prefix, from, ac.signal)) {
      events.push(ev);
      if (done(events)) break;
    }
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  if (!done(events)) {
    assert.fail(`watch ${prefix} from ${from}: got ${events.length} events before the deadline: ${events.map(show).join(', ')}`);
  }
  return events;
}

const show = (e: StoreEvent) => `${e.type} ${e.key}@${e.revision}`;

/** Starts a watch and returns an async pull function plus a stop. */
function tail(store: Store, prefix: string, from: number) {
  const ac = new AbortController();
  const it = store.watch(prefix, from, ac.signal)[Symbol.asyncIterator]();
  return {
    async next(ms = 10_000): Promise<StoreEvent> {
      const timeout = new Promise<never>((_, reject) => {
        const t = setTimeout(() => reject(new Error(`no watch event on ${prefix} within ${ms} ms`)), ms);
        t.unref();
      });
      const r = await Promise.race([it.next(), timeout]);
      if (r.done) throw new Error(`watch on ${prefix} ended`);
      return r.value;
    },
    stop() { ac.abort(); },
    iterator: it,
  };
}

export function runStoreConformance(name: string, open: () => Promise<OpenedStore>): void {
  let counter = 0;
  const prefixFor = (t: string) => `/conformance/${process.pid}-${Date.now().toString(36)}-${counter++}-${t}/`;
  const withStore = (fn: (store: Store, prefix: string) => Promise<void>, title: string) => async () => {
    const { store, cleanup } = await open();
    try {
      await fn(store, prefixFor(title));
    } finally {
      await cleanup();
    }
  };
  const test = (title: string, fn: (store: Store, prefix: string) => Promise<void>) => it(title, withStore(fn, title.replace(/\W+/g, '-')));

  describe(`Store conformance: ${name}`, () => {
    test('create, get, update, delete round-trip with revisions', async (store, p) => {
      const before = await store.currentRevision();
      const a = await store.create(`${p}a`, bytes('one'));
      assert.equal(a.key, `${p}a`);
      assert.equal(text(a.value), 'one');
      assert.ok(a.modRevision > before, 'create gets a new revision');
      assert.equal(a.createRevision, a.modRevision);
      assert.equal(await store.currentRevision(), a.modRevision);

      const got = await store.get(`${p}a`);
      assert.ok(got);
      assert.equal(text(got.value), 'one');
      assert.equal(got.modRevision, a.modRevision);
      assert.equal(got.createRevision, a.createRevision);
      assert.equal(await store.get(`${p}missing`), undefined);

      const b = await store.update(`${p}a`, bytes('two'), a.modRevision);
      assert.equal(text(b.value), 'two');
      assert.equal(b.createRevision, a.createRevision, 'update keeps createRevision');
      assert.equal(b.modRevision, a.modRevision + 1);
      assert.equal((await store.get(`${p}a`))?.modRevision, b.modRevision);

      const d = await store.delete(`${p}a`, b.modRevision);
      assert.equal(text(d.kv.value), 'two', 'delete returns the last value');
      assert.equal(d.kv.modRevision, b.modRevision);
      assert.equal(d.kv.createRevision, a.createRevision);
      assert.equal(d.revision, b.modRevision + 1);
      assert.equal(await store.get(`${p}a`), undefined);
      assert.equal(await store.currentRevision(), d.revision);

      const again = await store.create(`${p}a`, bytes('three'));
      assert.equal(again.createRevision, d.revision + 1, 'a re-created key starts a new life');
      const plain = await store.delete(`${p}a`);
      assert.equal(text(plain.kv.value), 'three');
    });

    test('failed writes raise typed errors and assign no revision', async (store, p) => {
      const a = await store.create(`${p}x`, bytes('v1'));
      const rev = await store.currentRevision();
      await assert.rejects(store.create(`${p}x`, bytes('dup')), (e: unknown) => e instanceof KeyExistsError && e.key === `${p}x`);
      await assert.rejects(store.update(`${p}x`, bytes('stale'), a.modRevision - 1), (e: unknown) => {
        assert.ok(e instanceof RevisionMismatchError);
        assert.equal(e.current.modRevision, a.modRevision);
        assert.equal(text(e.current.value), 'v1');
        return true;
      });
      await assert.rejects(store.update(`${p}nope`, bytes('x'), 1), KeyNotFoundError);
      await assert.rejects(store.delete(`${p}nope`), KeyNotFoundError);
      await assert.rejects(store.delete(`${p}nope`, 5), KeyNotFoundError);
      await assert.rejects(store.delete(`${p}x`, a.modRevision + 1000), (e: unknown) => e instanceof RevisionMismatchError && e.current.modRevision === a.modRevision);
      assert.equal(await store.currentRevision(), rev, 'no revision for failed writes');
      assert.equal(text((await store.get(`${p}x`))!.value), 'v1');
      const d = await store.delete(`${p}x`);
      await assert.rejects(store.update(`${p}x`, bytes('after delete'), a.modRevision), KeyNotFoundError);
      await assert.rejects(store.delete(`${p}x`, d.kv.modRevision), KeyNotFoundError);
    });

    test('every write takes the next global revision, across keys', async (store, p) => {
      const revs: number[] = [];
      for (let i = 0; i < 10; i++) revs.push((await store.create(`${p}k${i}`, bytes(String(i)))).modRevision);
      for (let i = 0; i < 10; i += 2) revs.push((await store.update(`${p}k${i}`, bytes('u'), revs[i]!)).modRevision);
      revs.push((await store.delete(`${p}k1`)).revision);
      for (let i = 1; i < revs.length; i++) assert.equal(revs[i], revs[i - 1]! + 1, `revision ${i} follows ${i - 1}`);
    });

    test('values are opaque bytes, large ones included', async (store, p) => {
      const all = new Uint8Array(256).map((_, i) => i);
      await store.create(`${p}bin`, all);
      assert.deepEqual([...(await store.get(`${p}bin`))!.value], [...all]);
      const empty = await store.create(`${p}empty`, new Uint8Array(0));
      assert.equal((await store.get(`${p}empty`))!.value.length, 0);
      assert.equal(empty.value.length, 0);

      const big = new Uint8Array(1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
      const w = tail(store, p, await store.currentRevision());
      try {
        const kv = await store.create(`${p}big`, big);
        const got = await store.get(`${p}big`);
        assert.equal(got!.value.length, big.length);
        assert.ok(Buffer.from(got!.value).equals(Buffer.from(big)), 'large value round-trips');
        const ev = await w.next();
        assert.equal(ev.revision, kv.modRevision);
        assert.ok(Buffer.from(ev.kv.value).equals(Buffer.from(big)), 'large value in watch');
        const list = await store.list(p);
        assert.ok(list.kvs.some((k) => k.key === `${p}big` && k.value.length === big.length));
      } finally {
        w.stop();
      }
    });

    test('list returns the live keys under a prefix, sorted, at one revision', async (store, p) => {
      for (const k of ['b', 'a', 'c/1', 'c/2', 'd']) await store.create(`${p}${k}`, bytes(k));
      await store.create(`${p.slice(0, -1)}x/outside`, bytes('no'));   // shares the prefix minus its slash
      await store.create(`${p.slice(0, -1)}`, bytes('no'));            // the prefix without its slash
      await store.delete(`${p}d`);
      const res = await store.list(p);
      assert.deepEqual(res.kvs.map((k) => k.key), ['a', 'b', 'c/1', 'c/2'].map((k) => p + k));
      assert.deepEqual(res.kvs.map((k) => text(k.value)), ['a', 'b', 'c/1', 'c/2']);
      assert.equal(res.revision, await store.currentRevision());
      for (const kv of res.kvs) assert.ok(kv.modRevision <= res.revision);
      assert.deepEqual((await store.list(`${p}c/`)).kvs.map((k) => k.key), [`${p}c/1`, `${p}c/2`]);
      assert.deepEqual((await store.list(`${p}zzz/`)).kvs, []);
    });

    test('list at a past revision shows the state of then', async (store, p) => {
      await store.create(`${p.slice(0, -1)}-before`, bytes('outside'));   // so that a.modRevision - 1 > 0 (0 means "newest")
      const a = await store.create(`${p}a`, bytes('a1'));
      const b = await store.create(`${p}b`, bytes('b1'));
      const then = b.modRevision;
      await store.update(`${p}a`, bytes('a2'), a.modRevision);
      await store.delete(`${p}b`);
      await store.create(`${p}c`, bytes('c1'));
      const old = await store.list(p, { revision: then });
      assert.equal(old.revision, then);
      assert.deepEqual(old.kvs.map((k) => [k.key, text(k.value), k.modRevision]), [[`${p}a`, 'a1', a.modRevision], [`${p}b`, 'b1', b.modRevision]]);
      const now = await store.list(p);
      assert.deepEqual(now.kvs.map((k) => [k.key, text(k.value)]), [[`${p}a`, 'a2'], [`${p}c`, 'c1']]);
      const beforeAll = await store.list(p, { revision: a.modRevision - 1 });
      assert.deepEqual(beforeAll.kvs, []);
    });

    test('chunked list with limit and after, consistent at one revision', async (store, p) => {
      for (let i = 0; i < 25; i++) await store.create(`${p}${String(i).padStart(2, '0')}`, bytes(String(i)));
      const first = await store.list(p, { limit: 10 });
      assert.equal(first.kvs.length, 10);
      assert.equal(first.more, true);
      await store.delete(`${p}15`);   // after the first chunk: the chunks still read the old revision
      await store.create(`${p}99`, bytes('late'));
      const keys = first.kvs.map((k) => k.key);
      let after = keys.at(-1)!;
      for (;;) {
        const next = await store.list(p, { limit: 10, after, revision: first.revision });
        assert.equal(next.revision, first.revision);
        keys.push(...next.kvs.map((k) => k.key));
        if (!next.more) break;
        after = next.kvs.at(-1)!.key;
      }
      assert.deepEqual(keys, Array.from({ length: 25 }, (_, i) => `${p}${String(i).padStart(2, '0')}`));
      const exact = await store.list(p, { limit: 26 });
      assert.equal(exact.more, false);
      assert.equal(exact.kvs.length, 25);   // 25 created, one deleted, one added
    });

    test('watch replays history after a revision, then follows live writes', async (store, p) => {
      const start = await store.currentRevision();
      const a = await store.create(`${p}a`, bytes('a1'));
      const a2 = await store.update(`${p}a`, bytes('a2'), a.modRevision);
      const del = await store.delete(`${p}a`);
      const w = tail(store, p, start);
      try {
        const e1 = await w.next();
        assert.deepEqual([e1.type, e1.key, e1.revision, text(e1.kv.value), e1.kv.createRevision, e1.prev], ['put', `${p}a`, a.modRevision, 'a1', a.modRevision, undefined]);
        const e2 = await w.next();
        assert.deepEqual([e2.type, e2.revision, text(e2.kv.value), e2.kv.modRevision], ['put', a2.modRevision, 'a2', a2.modRevision]);
        assert.ok(e2.prev, 'an update carries the previous value');
        assert.deepEqual([text(e2.prev.value), e2.prev.modRevision, e2.prev.createRevision], ['a1', a.modRevision, a.modRevision]);
        const e3 = await w.next();
        assert.deepEqual([e3.type, e3.key, e3.revision, text(e3.kv.value), e3.kv.modRevision, e3.kv.createRevision],
          ['delete', `${p}a`, del.revision, 'a2', a2.modRevision, a.modRevision]);
        // live
        const b = await store.create(`${p}b`, bytes('b1'));
        const e4 = await w.next();
        assert.deepEqual([e4.type, e4.key, e4.revision], ['put', `${p}b`, b.modRevision]);
        const b2 = await store.update(`${p}b`, bytes('b2'), b.modRevision);
        const e5 = await w.next();
        assert.deepEqual([e5.revision, text(e5.kv.value), text(e5.prev!.value)], [b2.modRevision, 'b2', 'b1']);
        const bd = await store.delete(`${p}b`, b2.modRevision);
        const e6 = await w.next();
        assert.deepEqual([e6.type, e6.revision, text(e6.kv.value), e6.kv.modRevision], ['delete', bd.revision, 'b2', b2.modRevision]);
      } finally {
        w.stop();
      }
    });

    test('watch from the current revision sees only later writes', async (store, p) => {
      await store.create(`${p}old`, bytes('x'));
      const now = await store.currentRevision();
      const w = tail(store, p, now);
      try {
        const n = await store.create(`${p}new`, bytes('y'));
        const ev = await w.next();
        assert.equal(ev.key, `${p}new`);
        assert.equal(ev.revision, n.modRevision);
      } finally {
        w.stop();
      }
    });

    test('a watch on a prefix sees only that prefix', async (store, p) => {
      const from = await store.currentRevision();
      await store.create(`${p}one/a`, bytes('1'));
      await store.create(`${p}two/a`, bytes('2'));
      await store.create(`${p}one`, bytes('parent'));
      await store.create(`${p}onex/a`, bytes('sibling'));
      const w = tail(store, `${p}one/`, from);
      try {
        assert.equal((await w.next()).key, `${p}one/a`);
        await store.create(`${p}two/b`, bytes('2'));
        const last = await store.create(`${p}one/b`, bytes('1'));
        const ev = await w.next();
        assert.equal(ev.key, `${p}one/b`);
        assert.equal(ev.revision, last.modRevision);
      } finally {
        w.stop();
      }
    });

    test('no gap and no duplicate between replay and live under concurrent writes', async (store, p) => {
      const from = await store.currentRevision();
      const total = 400;
      const written: number[] = [];
      let stopAt = 0;
      const writer = (async () => {
        for (let i = 0; i < total; i++) {
          const key = `${p}k${i % 37}`;
          const cur = await store.get(key);
          const kv = cur ? await store.update(key, bytes(String(i)), cur.modRevision) : await store.create(key, bytes(String(i)));
          written.push(kv.modRevision);
          if (i % 50 === 0) await new Promise((r) => setImmediate(r));
        }
        stopAt = written.at(-1)!;
      })();
      // Start watching while the writer is mid-way: part replay, part live.
      while (written.length < total / 3) await new Promise((r) => setImmediate(r));
      const events = await collect(store, p, from, (evs) => stopAt > 0 && evs.length > 0 && evs.at(-1)!.revision >= stopAt, 20_000);
      await writer;
      assert.deepEqual(events.map((e) => e.revision), written, 'every write exactly once, in order');
    });

    test('several watchers of one prefix each get the full sequence', async (store, p) => {
      const from = await store.currentRevision();
      const writes = (async () => {
        const out: number[] = [];
        for (let i = 0; i < 60; i++) out.push((await store.create(`${p}${i}`, bytes('v'))).modRevision);
        return out;
      })();
      const watchers = Array.from({ length: 4 }, () => collect(store, p, from, (evs) => evs.length >= 60));
      const [revs, ...results] = await Promise.all([writes, ...watchers]);
      for (const evs of results) assert.deepEqual(evs.map((e) => e.revision), revs);
    });

    test('delete events carry the last value, replayed and live', async (store, p) => {
      const from = await store.currentRevision();
      const a = await store.create(`${p}a`, bytes('first'));
      const a2 = await store.update(`${p}a`, bytes('final'), a.modRevision);
      await store.delete(`${p}a`);
      const replayed = await collect(store, p, from, (evs) => evs.length >= 3);
      assert.equal(replayed[2]!.type, 'delete');
      assert.equal(text(replayed[2]!.kv.value), 'final');
      assert.equal(replayed[2]!.kv.modRevision, a2.modRevision);

      const w = tail(store, p, await store.currentRevision());
      try {
        const b = await store.create(`${p}b`, bytes('b-last'));
        await w.next();
        const d = await store.delete(`${p}b`);
        const ev = await w.next();
        assert.deepEqual([ev.type, ev.revision, text(ev.kv.value), ev.kv.modRevision, ev.kv.createRevision], ['delete', d.revision, 'b-last', b.modRevision, b.modRevision]);
      } finally {
        w.stop();
      }
    });

    test('aborting a watch ends its iteration', async (store, p) => {
      const ac = new AbortController();
      const it = store.watch(p, await store.currentRevision(), ac.signal)[Symbol.asyncIterator]();
      const pending = it.next();
      await new Promise((r) => setTimeout(r, 50));
      ac.abort();
      let timer: NodeJS.Timeout | undefined;
      const r = await Promise.race([
        pending.then((v) => v, (e: unknown) => ({ error: e })),
        new Promise((_, rej) => { timer = setTimeout(() => rej(new Error('watch did not end on abort')), 5000); }),
      ]).finally(() => clearTimeout(timer));
      assert.ok(r && typeof r === 'object' && ('done' in r ? r.done === true : 'error' in r), 'ends (done, or rejects with the abort)');
    });

    test('compaction: history before it is gone (CompactedError), live state and later history stay', async (store, p) => {
      const from = await store.currentRevision();
      const a = await store.create(`${p}a`, bytes('a1'));
      const b = await store.create(`${p}b`, bytes('b1'));
      const a2 = await store.update(`${p}a`, bytes('a2'), a.modRevision);
      await store.delete(`${p}b`);
      const c = await store.create(`${p}c`, bytes('c1'));
      const at = c.modRevision;
      await store.compact(at);
      const a3 = await store.update(`${p}a`, bytes('a3'), a2.modRevision);
      const cd = await store.delete(`${p}c`);

      await assert.rejects(async () => { for await (const _ of store.watch(p, from, AbortSignal.timeout(5000))) break; }, (e: unknown) => {
        assert.ok(e instanceof CompactedError, `expected CompactedError, got ${String(e)}`);
        assert.ok(e.compacted >= at, `compacted ${e.compacted} >= ${at}`);
        return true;
      });
      await assert.rejects(store.list(p, { revision: b.modRevision }), CompactedError);

      const live = await store.list(p);
      assert.deepEqual(live.kvs.map((k) => [k.key, text(k.value)]), [[`${p}a`, 'a3']]);
      const atCompaction = await store.list(p, { revision: at });
      assert.deepEqual(atCompaction.kvs.map((k) => [k.key, text(k.value), k.modRevision]), [[`${p}a`, 'a2', a2.modRevision], [`${p}c`, 'c1', c.modRevision]]);

      const after = await collect(store, p, at, (evs) => evs.length >= 2);
      assert.deepEqual(after.map((e) => [e.type, e.revision]), [['put', a3.modRevision], ['delete', cd.revision]]);
      assert.equal(text(after[0]!.prev!.value), 'a2', 'prev survives compaction');
      assert.equal(text(after[1]!.kv.value), 'c1');

      await store.compact(at);   // again: no-op
      await store.compact(at - 1);   // older: no-op
      await assert.rejects(store.compact((await store.currentRevision()) + 100));
      // Everything still readable after a second, full compaction.
      await store.compact(await store.currentRevision());
      assert.deepEqual((await store.list(p)).kvs.map((k) => [k.key, text(k.value), k.modRevision]), [[`${p}a`, 'a3', a3.modRevision]]);
      assert.equal((await store.get(`${p}a`))!.createRevision, a.modRevision);
      const w = tail(store, p, await store.currentRevision());
      try {
        const n = await store.update(`${p}a`, bytes('a4'), a3.modRevision);
        const ev = await w.next();
        assert.equal(ev.revision, n.modRevision);
        assert.equal(text(ev.prev!.value), 'a3');
      } finally {
        w.stop();
      }
    });

    test('compaction ends a watch that replays from before it', async (store, p) => {
      const from = await store.currentRevision();
      let last: KeyValue | undefined;
      for (let i = 0; i < 30; i++) last = await store.create(`${p}${i}`, bytes('x'));
      for (let i = 0; i < 30; i++) last = await store.update(`${p}${i}`, bytes('y'), (await store.get(`${p}${i}`))!.modRevision);
      await store.compact(last!.modRevision);
      await assert.rejects(collect(store, p, from, (evs) => evs.length >= 60), CompactedError);
    });

    test('concurrent compare-and-swap writers: no lost update', async (store, p) => {
      const key = `${p}counter`;
      await store.create(key, bytes('0'));
      const writers = 8;
      const perWriter = 15;
      await Promise.all(Array.from({ length: writers }, async () => {
        for (let i = 0; i < perWriter; i++) {
          for (;;) {
            const cur = (await store.get(key))!;
            try {
              await store.update(key, bytes(String(Number(text(cur.value)) + 1)), cur.modRevision);
              break;
            } catch (e) {
              if (!(e instanceof RevisionMismatchError)) throw e;
            }
          }
        }
      }));
      assert.equal(text((await store.get(key))!.value), String(writers * perWriter));
    });

    test('concurrent creates of one key: exactly one wins', async (store, p) => {
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.create(`${p}race`, bytes(String(i)))));
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof KeyExistsError);
      const winner = (won[0] as PromiseFulfilledResult<KeyValue>).value;
      assert.equal(text((await store.get(`${p}race`))!.value), text(winner.value));
    });
  });
}
