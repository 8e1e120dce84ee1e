import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdServer } from '../../../test/fixtures/etcd.js';
import { collect, runStoreConformance } from '../conformance.test.js';
import { CompactedError } from '../store.js';
import { openEtcdStore, parseEndpoints } from './etcd-store.js';

const enc = new TextEncoder();

let etcd: EtcdServer | undefined;
before(async () => { etcd = await startEtcd(); });
after(async () => { await etcd?.stop(); });

const server = () => {
  if (!etcd) throw new Error('etcd did not start');
  return etcd;
};

runStoreConformance('etcd', async () => {
  const store = openEtcdStore({ endpoints: server().endpoints });
  return { store, cleanup: () => store.close() };
});

describe('etcd store', () => {
  it('parses endpoint lists', () => {
    assert.deepEqual(parseEndpoints('http://127.0.0.1:2379,http://127.0.0.1:22379'), ['http://127.0.0.1:2379', 'http://127.0.0.1:22379']);
    assert.deepEqual(parseEndpoints('https://a:1,b:2'), ['https://a:1', 'https://b:2']);
    assert.throws(() => parseEndpoints(''), /no endpoints/);
    assert.throws(() => parseEndpoints('unix:///x'), /unsupported/);
  });

  it('a watch fails (not hangs) when etcd goes away, and a new one resumes after restart without gaps', async () => {
    const store = openEtcdStore({ endpoints: server().endpoints, dialTimeoutMs: 1000 });
    try {
      const a = await store.create('/restart/a', enc.encode('1'));
      const ac = new AbortController();
      const it = store.watch('/restart/', a.modRevision, ac.signal)[Symbol.asyncIterator]();
      const failed = assert.rejects(it.next());
      await server().restart({ hard: true });
      await failed;
      ac.abort();
      let b;
      for (let i = 0; ; i++) {   // the client reconnects on its own; allow it a few tries
        try { b = await store.create('/restart/b', enc.encode('2')); break; } catch (err) { if (i > 50) throw err; await new Promise((r) => setTimeout(r, 100)); }
      }
      const evs = await collect(store, '/restart/', a.modRevision, (e) => e.length >= 1);
      assert.equal(evs[0]!.revision, b.modRevision);
      assert.equal((await store.get('/restart/a'))!.modRevision, a.modRevision, 'acknowledged write survived kill -9 of etcd');
    } finally {
      await store.close();
    }
  });

  it('reports the compacted revision on a list at a compacted revision', async () => {
    const store = openEtcdStore({ endpoints: server().endpoints });
    try {
      const a = await store.create('/compact-hint/a', enc.encode('1'));
      const b = await store.update('/compact-hint/a', enc.encode('2'), a.modRevision);
      await store.compact(b.modRevision);
      await assert.rejects(store.list('/compact-hint/', { revision: a.modRevision }), (e: unknown) => e instanceof CompactedError && e.compacted >= b.modRevision);
    } finally {
      await store.close();
    }
  });
});
