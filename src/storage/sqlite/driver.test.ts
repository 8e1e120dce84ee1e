import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultSqliteDriver, openDatabase, sqliteDriverNames, sqliteDriverUnavailable,
  type Database, type SqliteDriverName,
} from './driver.js';

describe('defaultSqliteDriver', () => {
  const on = (node: string) => defaultSqliteDriver({ ...process.versions, node });
  it('node:sqlite from Node 22.5, better-sqlite3 before', () => {
    assert.equal(on('20.20.2'), 'better-sqlite3');
    assert.equal(on('22.4.1'), 'better-sqlite3');
    assert.equal(on('22.5.0'), 'node:sqlite');
    assert.equal(on('22.13.0'), 'node:sqlite');
    assert.equal(on('23.0.0'), 'node:sqlite');
    assert.equal(on('24.21.0'), 'node:sqlite');
  });
});

for (const driver of sqliteDriverNames) {
  const unavailable = sqliteDriverUnavailable(driver);
  describe(`sqlite driver (${driver})`, { skip: unavailable ?? false }, () => driverSuite(driver));
}

function withDb(driver: SqliteDriverName, fn: (db: Database) => void): void {
  const db = openDatabase(':memory:', { driver });
  try {
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, v BLOB)');
    fn(db);
  } finally {
    db.close();
  }
}

function driverSuite(driver: SqliteDriverName): void {
  it('opens with the driver asked for', () => withDb(driver, (db) => assert.equal(db.driver, driver)));

  it('binds positional and named parameters the same way; extra named keys are ignored', () => withDb(driver, (db) => {
    const insert = db.prepare<[number, string | null, Uint8Array]>('INSERT INTO t (id, name, v) VALUES (?, ?, ?)');
    assert.deepEqual({ ...insert.run(1, 'a', Buffer.from('x')) }, { changes: 1, lastInsertRowid: 1 });
    insert.run(2, null, new Uint8Array([7]));
    const byName = db.prepare<{ lo: number; hi: number; unused?: string }, { id: number; name: string | null }>(
      'SELECT id, name FROM t WHERE id >= :lo AND id <= :hi ORDER BY id');
    assert.deepEqual(byName.all({ lo: 1, hi: 2, unused: 'x' }).map((r) => [r.id, r.name]), [[1, 'a'], [2, null]]);
    assert.equal(byName.get({ lo: 5, hi: 9 }), undefined);
    assert.equal(typeof byName.get({ lo: 1, hi: 1 })!.id, 'number', 'integers read as numbers');
  }));

  it('reads BLOBs back as Buffers with the exact bytes, empty ones included', () => withDb(driver, (db) => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const insert = db.prepare<[number, Uint8Array]>('INSERT INTO t (id, v) VALUES (?, ?)');
    insert.run(1, all);
    insert.run(2, Buffer.alloc(0));
    insert.run(3, Buffer.from(all.buffer, 10, 5));   // a view into a larger buffer: only its bytes
    const get = db.prepare<[number], { v: Buffer }>('SELECT v FROM t WHERE id = ?');
    const rows = [1, 2, 3].map((id) => get.get(id)!.v);
    for (const v of rows) assert.ok(Buffer.isBuffer(v));
    assert.deepEqual([...rows[0]!], [...all]);
    assert.equal(rows[1]!.length, 0);
    assert.deepEqual([...rows[2]!], [10, 11, 12, 13, 14]);
    const listed = db.prepare<[], { v: Buffer }>('SELECT v FROM t ORDER BY id').all();
    assert.ok(listed.every((r) => Buffer.isBuffer(r.v)));
  }));

  it('iterates rows lazily and stops early', () => withDb(driver, (db) => {
    const insert = db.prepare<[number]>('INSERT INTO t (id) VALUES (?)');
    for (let i = 1; i <= 5; i++) insert.run(i);
    const seen: number[] = [];
    for (const row of db.prepare<[], { id: number }>('SELECT id FROM t ORDER BY id').iterate()) {
      seen.push(row.id);
      if (seen.length === 2) break;
    }
    assert.deepEqual(seen, [1, 2]);
    // The statement is reusable after an early break, and writes are allowed again.
    insert.run(6);
    assert.equal(db.prepare<[], { n: number }>('SELECT count(*) AS n FROM t').get()!.n, 6);
  }));

  it('pragma returns the first value, undefined for a setting that returns nothing', () => withDb(driver, (db) => {
    assert.equal(db.pragma('journal_mode'), 'memory');
    assert.equal(db.pragma('user_version = 7'), undefined);
    assert.equal(db.pragma('user_version'), 7);
  }));

  it('transactions commit on return and roll back on a throw', () => withDb(driver, (db) => {
    const insert = db.prepare<[number]>('INSERT INTO t (id) VALUES (?)');
    const ids = () => db.prepare<[], { id: number }>('SELECT id FROM t ORDER BY id').all().map((r) => r.id);
    assert.equal(db.transaction(() => { insert.run(1); assert.equal(db.inTransaction, true); return 'ok'; }), 'ok');
    assert.equal(db.inTransaction, false);
    assert.throws(() => db.transaction(() => { insert.run(2); throw new Error('boom'); }), /boom/);
    assert.equal(db.inTransaction, false);
    assert.deepEqual(ids(), [1]);
    // A constraint error inside rolls back the writes before it too.
    assert.throws(() => db.transaction(() => { insert.run(3); insert.run(1); }), /UNIQUE|constraint/i);
    assert.deepEqual(ids(), [1]);
  }));

  it('a nested transaction is a savepoint: its throw undoes only its own writes', () => withDb(driver, (db) => {
    const insert = db.prepare<[number]>('INSERT INTO t (id) VALUES (?)');
    db.transaction(() => {
      insert.run(1);
      assert.throws(() => db.transaction(() => { insert.run(2); throw new Error('inner'); }), /inner/);
      assert.equal(db.inTransaction, true, 'the outer transaction goes on');
      db.transaction(() => insert.run(3));
    });
    assert.deepEqual(db.prepare<[], { id: number }>('SELECT id FROM t ORDER BY id').all().map((r) => r.id), [1, 3]);
    // An outer throw undoes the inner, released savepoint too.
    assert.throws(() => db.transaction(() => { db.transaction(() => insert.run(4)); throw new Error('outer'); }), /outer/);
    assert.equal(db.prepare<[], { n: number }>('SELECT count(*) AS n FROM t WHERE id = 4').get()!.n, 0);
  }));

  it('refuses a transaction function that returns a promise, and rolls it back', () => withDb(driver, (db) => {
    const insert = db.prepare<[number]>('INSERT INTO t (id) VALUES (?)');
    assert.throws(() => db.transaction(async () => { insert.run(1); }), /must not return a promise/);
    assert.equal(db.inTransaction, false);
    assert.equal(db.prepare<[], { n: number }>('SELECT count(*) AS n FROM t').get()!.n, 0);
  }));

  it('BEGIN IMMEDIATE takes the write lock up front', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-driver-'));
    const path = join(dir, 'x.db');
    const a = openDatabase(path, { driver });
    const b = openDatabase(path, { driver, busyTimeoutMs: 0 });
    try {
      a.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
      a.transaction(() => {
        // `a` has not written yet; a deferred BEGIN would let `b` write here.
        assert.throws(() => b.exec('INSERT INTO t (id) VALUES (1)'), /locked|busy/i);
      });
      b.exec('INSERT INTO t (id) VALUES (1)');
    } finally {
      b.close();
      a.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a closed database refuses statements', () => {
    const db = openDatabase(':memory:', { driver });
    const stmt = db.prepare<[], { one: number }>('SELECT 1 AS one');
    assert.equal(stmt.get()!.one, 1);
    db.close();
    assert.throws(() => stmt.get());
  });
}
