import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { collect, runStoreConformance } from '../conformance.test.js';
import { CompactedError } from '../store.js';
import { defaultSqliteDriver, openDatabase, sqliteDriverNames, sqliteDriverUnavailable, type SqliteDriverName } from './driver.js';
import { openSqliteStore as openStore, type SqliteStoreOptions } from './sqlite-store.js';
import { openSqliteStoreInWorker } from './worker-store.js';
import type { Store } from '../store.js';

const enc = new TextEncoder();
const text = (v: Uint8Array) => new TextDecoder().decode(v);

function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-sqlite-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Everything below runs once per SQLite driver. A driver this Node cannot run is skipped with the
 * reason (node:sqlite needs Node >= 22.5; better-sqlite3 12.x aborts the process on Node 24).
 */
for (const driver of sqliteDriverNames) {
  const unavailable = sqliteDriverUnavailable(driver);
  if (unavailable) {
    describe(`sqlite store (${driver})`, { skip: unavailable }, () => { /* skipped: see the reason */ });
    continue;
  }
  sqliteSuite(driver);
}

function sqliteSuite(driver: SqliteDriverName): void {
  const openSqliteStore = (options: SqliteStoreOptions) => openStore({ ...options, driver });

  runStoreConformance(`sqlite :memory: (${driver})`, async () => {
    const store = openSqliteStore({ path: ':memory:' });
    return { store, cleanup: () => store.close() };
  });

  // A file-backed store with tiny replay pages and watcher queues, so every watch crosses the
  // replay/live boundary and the overflow fallback many times.
  runStoreConformance(`sqlite file, small pages (${driver})`, async () => {
    const tmp = tempDir();
    const store = openSqliteStore({ path: join(tmp.dir, 'state.db'), replayPageSize: 7, maxQueuedEvents: 3 });
    return { store, cleanup: async () => { await store.close(); tmp.remove(); } };
  });

  // The server's store: the same database on a worker thread (worker-store.ts).
  runStoreConformance(`sqlite in a worker, file, small pages (${driver})`, async () => {
    const tmp = tempDir();
    const store = await openSqliteStoreInWorker({ path: join(tmp.dir, 'state.db'), replayPageSize: 7, maxQueuedEvents: 3, driver });
    return { store, cleanup: async () => { await store.close(); tmp.remove(); } };
  });

  describe(`sqlite store in a worker (${driver})`, () => {
    it('hands watchers the writer\'s own bytes, and the deleted value on a delete', async () => {
      const tmp = tempDir();
      const store = await openSqliteStoreInWorker({ path: join(tmp.dir, 'state.db'), driver });
      try {
        const value = Buffer.from('{"a":1}');
        const watched = collect(store, '/own/', 0, (e) => e.length >= 3);
        const a = await store.create('/own/a', value);
        assert.equal(a.value, value);
        const b = await store.update('/own/a', Buffer.from('{"a":2}'), a.modRevision);
        const d = await store.delete('/own/a');
        assert.equal(text(d.kv.value), '{"a":2}');
        const [c, u, del] = await watched;
        assert.equal(c!.kv.value, value, 'the very object written, not a copy');
        assert.equal(text(u!.prev!.value), '{"a":1}');
        assert.equal(u!.kv.modRevision, b.modRevision);
        assert.equal(del!.type, 'delete');
        assert.equal(text(del!.kv.value), '{"a":2}');
        assert.equal(del!.revision, d.revision);
      } finally {
        await store.close();
        tmp.remove();
      }
    });

    it('refuses a file another store holds, with the reason', async () => {
      const tmp = tempDir();
      const path = join(tmp.dir, 'state.db');
      const first = await openSqliteStoreInWorker({ path, driver });
      try {
        await assert.rejects(openSqliteStoreInWorker({ path, driver }), (err: Error) => /another process|locked/.test(`${err.message} ${(err.cause as Error)?.message}`));
        await first.create('/still/works', enc.encode('1'));
      } finally {
        await first.close();
        tmp.remove();
      }
    });

    it('fails writes after close instead of hanging', async () => {
      const tmp = tempDir();
      const store = await openSqliteStoreInWorker({ path: join(tmp.dir, 'state.db'), driver });
      const pending = store.create('/closing/a', enc.encode('1'));
      await store.close();
      try {
        assert.equal((await pending).key, '/closing/a', 'a write accepted before close is committed');
        await assert.rejects(store.create('/closing/b', enc.encode('2')), /closed/);
      } finally {
        tmp.remove();
      }
    });
  });

  describe(`sqlite store (${driver})`, () => {
    it('runs on the driver asked for', async () => {
      const store = openSqliteStore({ path: ':memory:' });
      try {
        assert.equal(store.driver, driver);
      } finally {
        await store.close();
      }
    });

    for (const [where, open] of [
      ['', async (path: string): Promise<Store> => openSqliteStore({ path, replayPageSize: 5 })],
      [' (in a worker)', async (path: string): Promise<Store> => openSqliteStoreInWorker({ path, replayPageSize: 5, driver })],
    ] as const) it(`writes are acknowledged after their WAL sync, in order; watchers started meanwhile see each revision once${where}`, async () => {
      const tmp = tempDir();
      const store = await open(join(tmp.dir, 'state.db'));
      const ac = new AbortController();
      try {
        const acked: number[] = [];
        const writes: Promise<unknown>[] = [];
        const watches: Promise<number[]>[] = [];
        const follow = async (): Promise<number[]> => {
          const seen: number[] = [];
          for await (const ev of store.watch('/sync/', 0, ac.signal)) {
            seen.push(ev.revision);
            if (seen.length === 200) break;
          }
          return seen;
        };
        for (let i = 0; i < 200; i++) {
          writes.push(store.create(`/sync/k${i}`, enc.encode(String(i))).then((kv) => { acked.push(kv.modRevision); }));
          // Watchers start while earlier batches are committed but not yet synced and published.
          if (i % 40 === 0) {
            await new Promise((r) => setImmediate(r));
            watches.push(follow());
          }
        }
        await Promise.all(writes);
        assert.deepEqual(acked, [...acked].sort((a, b) => a - b), 'acknowledged out of commit order');
        const expected = Array.from({ length: 200 }, (_, i) => acked[0]! + i);
        for (const seen of await Promise.all(watches)) assert.deepEqual(seen, expected);
      } finally {
        ac.abort();
        await store.close();
        tmp.remove();
      }
    });

    it('reopening a file resumes revisions, data and the compaction mark', async () => {
      const tmp = tempDir();
      try {
        const path = join(tmp.dir, 'state.db');
        const first = openSqliteStore({ path });
        const a = await first.create('/r/a', enc.encode('1'));
        const b = await first.create('/r/b', enc.encode('2'));
        await first.delete('/r/b');
        await first.compact(b.modRevision + 1);
        const last = await first.update('/r/a', enc.encode('3'), a.modRevision);
        await first.close();

        const second = openSqliteStore({ path });
        try {
          assert.equal(await second.currentRevision(), last.modRevision);
          assert.equal(second.compactedRevision(), b.modRevision + 1);
          assert.equal(text((await second.get('/r/a'))!.value), '3');
          assert.equal((await second.get('/r/a'))!.createRevision, a.modRevision);
          assert.equal(await second.get('/r/b'), undefined);
          const next = await second.create('/r/c', enc.encode('4'));
          assert.equal(next.modRevision, last.modRevision + 1, 'revisions continue, never reused');
          await assert.rejects(second.list('/r/', { revision: a.modRevision }), CompactedError);
          const evs = await collect(second, '/r/', b.modRevision + 1, (e) => e.length >= 2);
          assert.deepEqual(evs.map((e) => e.revision), [last.modRevision, next.modRevision]);
        } finally {
          await second.close();
        }
      } finally {
        tmp.remove();
      }
    });

    it('compaction removes superseded and deleted rows but never revisions', async () => {
      const tmp = tempDir();
      const path = join(tmp.dir, 'state.db');
      const store = openSqliteStore({ path });
      try {
        for (let i = 0; i < 20; i++) await store.create(`/c/${i}`, enc.encode('x'));
        for (let round = 0; round < 5; round++) {
          for (let i = 0; i < 20; i++) await store.update(`/c/${i}`, enc.encode(`r${round}`), (await store.get(`/c/${i}`))!.modRevision);
        }
        for (let i = 0; i < 10; i++) await store.delete(`/c/${i}`);
        const rev = await store.currentRevision();
        await store.compact(rev);
        await store.close();
        const db = openDatabase(path, { driver, readonly: true });
        try {
          const count = (where: string) => db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM log ${where}`).get()!.n;
          // The 10 live rows, plus the deletion at exactly the compaction revision: a watch from
          // revision - 1 must still see it (the same boundary as etcd's).
          assert.equal(count(''), 11);
          assert.equal(count('WHERE deleted = 1'), 1);
        } finally {
          db.close();
        }
        const reopened = openSqliteStore({ path });
        try {
          assert.equal(await reopened.currentRevision(), rev);
          assert.deepEqual((await reopened.list('/c/')).kvs.map((k) => text(k.value)), Array(10).fill('r4'));
          assert.equal((await reopened.create('/c/new', enc.encode('y'))).modRevision, rev + 1);
        } finally {
          await reopened.close();
        }
      } finally {
        tmp.remove();
      }
    });

    it('a second store cannot open a file in use', async () => {
      const tmp = tempDir();
      const path = join(tmp.dir, 'state.db');
      const store = openSqliteStore({ path });
      try {
        await store.create('/x', enc.encode('1'));
        assert.throws(() => openSqliteStore({ path }), /another process|locked/);
      } finally {
        await store.close();
        tmp.remove();
      }
    });

    it('closing the store ends its live watches with an error', async () => {
      const store = openSqliteStore({ path: ':memory:' });
      const ac = new AbortController();
      const it = store.watch('/', 0, ac.signal)[Symbol.asyncIterator]();
      const pending = it.next();
      await new Promise((r) => setImmediate(r));
      assert.equal(store.watcherCount(), 1);
      await store.close();
      await assert.rejects(pending, /closed/);
      assert.equal(store.watcherCount(), 0);
    });

    it('a finished watch leaves no subscriber behind', async () => {
      const store = openSqliteStore({ path: ':memory:' });
      try {
        await store.create('/w/a', enc.encode('1'));
        await collect(store, '/w/', 0, (e) => e.length >= 1);
        const ac = new AbortController();
        const it = store.watch('/w/', 1, ac.signal)[Symbol.asyncIterator]();
        const pending = it.next();
        await new Promise((r) => setImmediate(r));
        ac.abort();
        assert.deepEqual(await pending, { done: true, value: undefined });
        assert.equal(store.watcherCount(), 0);
      } finally {
        await store.close();
      }
    });

    for (const where of ['', 'worker'] as const) it(`every acknowledged write survives kill -9 of the writing process${where ? ' (store in a worker)' : ''}`, async () => {
      const tmp = tempDir();
      const path = join(tmp.dir, 'state.db');
      const here = fileURLToPath(import.meta.url);
      const writer = join(here, '..', `durability-writer${here.endsWith('.ts') ? '.ts' : '.js'}`);
      const child = spawn(process.execPath, [...process.execArgv.filter((a) => !a.startsWith('--test')), writer, path, driver, ...(where ? [where] : [])], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
      const acked = new Map<string, { revision: number; value: string }>();
      let count = 0;
      let maxRevision = 0;
      try {
        const lines = createInterface({ input: child.stdout! });
        for await (const line of lines) {
          const [tag, key, rev, value] = line.split(' ');
          assert.equal(tag, 'ack', `unexpected output: ${line}`);
          acked.set(key!, { revision: Number(rev), value: value! });
          maxRevision = Math.max(maxRevision, Number(rev));
          if (++count === 1000) child.kill('SIGKILL');
        }
        assert.equal(await exited, 'SIGKILL', `writer should die by SIGKILL (stderr: ${stderr})`);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      try {
        assert.ok(count >= 1000, `saw ${count} acks`);
        const store = openSqliteStore({ path });
        try {
          const current = await store.currentRevision();
          assert.ok(current >= maxRevision, `store revision ${current} >= last acknowledged ${maxRevision}`);
          for (const [key, want] of acked) {
            const kv = await store.get(key);
            assert.ok(kv, `${key} lost`);
            assert.ok(kv.modRevision >= want.revision, `${key}: revision ${kv.modRevision} >= acknowledged ${want.revision}`);
            if (kv.modRevision === want.revision) assert.equal(text(kv.value), want.value);
          }
          const next = await store.create('/durability/after', enc.encode('x'));
          assert.equal(next.modRevision, current + 1);
        } finally {
          await store.close();
        }
      } finally {
        tmp.remove();
      }
    });
  });
}

describe('sqlite drivers', () => {
  const usable = sqliteDriverNames.filter((d) => !sqliteDriverUnavailable(d));
  const [writer, reader] = usable;
  it('a file written by one driver is read by the other', { skip: usable.length < 2 ? `only ${usable.join(', ')} runs on Node ${process.versions.node}` : false }, async () => {
    const tmp = tempDir();
    try {
      const path = join(tmp.dir, 'state.db');
      const first = openStore({ path, driver: writer! });
      const a = await first.create('/x/a', new Uint8Array([0, 1, 255]));
      await first.delete((await first.create('/x/b', enc.encode('b'))).key);
      await first.compact(a.modRevision);
      await first.close();
      const second = openStore({ path, driver: reader! });
      try {
        assert.equal(await second.currentRevision(), a.modRevision + 2);
        assert.equal(second.compactedRevision(), a.modRevision);
        assert.deepEqual([...(await second.get('/x/a'))!.value], [0, 1, 255]);
        assert.equal(await second.get('/x/b'), undefined);
      } finally {
        await second.close();
      }
    } finally {
      tmp.remove();
    }
  });

  it('the default driver is the only one loaded (node:sqlite never loads the better-sqlite3 addon)', async () => {
    const here = fileURLToPath(import.meta.url);
    const store = join(here, '..', `sqlite-store${here.endsWith('.ts') ? '.ts' : '.js'}`);
    const script = `
      import { createRequire } from 'node:module';
      const { openSqliteStore } = await import(${JSON.stringify(pathToFileURL(store).href)});
      const s = openSqliteStore({ path: ':memory:' });
      await s.create('/k', new Uint8Array([1]));
      await s.close();
      const addon = Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('better-sqlite3'));
      process.stdout.write(JSON.stringify({ driver: s.driver, addon }));`;
    const child = spawn(process.execPath, [...process.execArgv.filter((a) => !a.startsWith('--test')), '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, `child failed: ${err}`);
    assert.equal(err, '', 'no warning printed (node:sqlite is experimental on Node 22)');
    const { driver, addon } = JSON.parse(out) as { driver: SqliteDriverName; addon: boolean };
    assert.equal(driver, defaultSqliteDriver());
    assert.equal(addon, driver === 'better-sqlite3');
  });
});
