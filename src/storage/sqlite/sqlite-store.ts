import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import {
  CompactedError, KeyExistsError, KeyNotFoundError, RevisionMismatchError,
  type KeyValue, type ListOptions, type ListResult, type Store, type StoreEvent,
} from '../store.js';
import { prefixEnd } from '../key-range.js';
import { openDatabase, type Database as Db, type SqliteDriverName, type Statement } from './driver.js';
import { asBuffer } from './bytes.js';
import { Notifier } from './notifier.js';
import { followLog, type LogSource } from './follow-log.js';
import { prepareDatabase, type Synchronous } from './schema.js';

export interface SqliteStoreOptions {
  /** Database file; `:memory:` for a throwaway store. */
  path: string;
  /**
   * 'full' (default): an acknowledged write survives power loss; 'normal': only process crashes
   * (see prepareDatabase). For a file, 'full' commits with SQLite's NORMAL and then fdatasyncs
   * the WAL on the thread pool before acknowledging (see #flush): same promise, and the event
   * loop does not stand still for every fsync.
   */
  synchronous?: Synchronous;
  /**
   * With 'full' on a file: fsync on libuv's thread pool (default), or inside the commit
   * (false: SQLite's own FULL), for a store whose thread has nothing else to do meanwhile.
   */
  syncOnThreadPool?: boolean;
  /** Rows a replaying watch reads per step (default 1000). */
  replayPageSize?: number;
  /** Events a live watcher may have queued before it falls back to reading the table (default 10000). */
  maxQueuedEvents?: number;
  /**
   * The SQLite driver (default: node:sqlite on Node >= 22.5, else better-sqlite3; see driver.ts).
   * Both read and write the same file format; tests run the store on each.
   */
  driver?: SqliteDriverName;
}

interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: Buffer;
}
interface EventRow extends Row { prev_value: Buffer | null; prev_create_revision: number | null }

const columns = 'id, name, created, deleted, create_revision, prev_revision, value';
const prefixed = (t: string) => columns.split(', ').map((c) => `${t}.${c}`).join(', ');
const newestPerName = `
  SELECT name, MAX(id) AS id FROM log
  WHERE name >= :prefix AND (:after IS NULL OR name > :after) AND (:hi IS NULL OR name < :hi)
    AND substr(name, 1, length(:prefix)) = :prefix AND id <= :rev
  GROUP BY name`;
interface ListParams { after: string | null; hi: string | null; prefix: string; rev: number; limit: number }
const compactedKey = 'compact_revision';
/** Rows removed per compaction transaction, so a big compaction does not stall the event loop. */
const compactStep = 5000;

/** Opens (or creates) a store; an existing file resumes at its last revision. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}

/**
 * The embedded datastore: a kine-like MVCC log in one SQLite table (see schema.ts). Both SQLite
 * drivers are synchronous, so every read, and every batch of writes with the notification of
 * its watchers, runs to completion inside one JavaScript turn: nothing interleaves with it.
 */
export class SqliteStore implements Store {
  readonly #db: Db;
  readonly #notifier = new Notifier();
  /** What watches read (see followLog). */
  readonly #source: LogSource;
  #revision: number;
  #compacted: number;
  #closed = false;
  #pending: { apply: () => { result: unknown; event: StoreEvent }; resolve(v: unknown): void; reject(e: unknown): void }[] = [];
  #flushScheduled = false;
  /** The WAL file when writes are made durable off the event loop ('full' on a file). */
  readonly #walPath: string | undefined;
  #walFd: number | undefined;
  /** Committed batches whose WAL sync has not completed yet (acknowledged in order after it). */
  #unsynced: Committed[] = [];
  #syncing = false;
  readonly #stmt: {
    latest: Statement<[string], Row>;
    insert: Statement<[number, string, number, number, number, number, Buffer]>;
    listAll: Statement<ListParams, Row>;
    listAllSorted: Statement<ListParams, Row>;
    replay: Statement<{ pos: number; lo: string; hi: string | null; prefix: string; limit: number }, EventRow>;
    setMeta: Statement<[string, number]>;
    compactSuperseded: Statement<[number, number]>;
    compactDeletions: Statement<[number, number]>;
  };

  constructor(options: SqliteStoreOptions) {
    this.#source = {
      replay: (prefix, pos, limit) => this.replay(prefix, pos, limit),
      notifier: this.#notifier,
      pageSize: options.replayPageSize ?? 1000,
      maxQueued: options.maxQueuedEvents ?? 10_000,
      assertOpen: () => this.#assertOpen(),
    };
    try {
      // A short busy timeout: the file is held exclusively, so waiting for a lock never helps.
      this.#db = openDatabase(options.path, { busyTimeoutMs: 100, ...(options.driver ? { driver: options.driver } : {}) });
    } catch (err) {
      throw new Error(`sqlite: opening ${options.path}`, { cause: err });
    }
    try {
      const wanted = options.synchronous ?? 'full';
      const offLoop = wanted === 'full' && options.path !== ':memory:' && options.path !== '' && options.syncOnThreadPool !== false;
      prepareDatabase(this.#db, offLoop ? 'normal' : wanted);
      if (offLoop) this.#walPath = `${options.path}-wal`;
    } catch (err) {
      this.#db.close();
      throw new Error(`sqlite: preparing ${options.path} (is another process using it?)`, { cause: err });
    }
    const db = this.#db;
    this.#stmt = {
      latest: db.prepare(`SELECT ${columns} FROM log WHERE name = ? ORDER BY id DESC LIMIT 1`),
      insert: db.prepare('INSERT INTO log (id, name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      // The newest row per name at or below :rev, live ones only, in key order. The GROUP BY walks
      // the (name, id) index as a co-routine, so rows stream out in name order and LIMIT stops the
      // walk early (a chunk costs its own size, not the whole prefix). That order is what SQLite's
      // plan gives, not what SQL promises: list() checks it and falls back to listAllSorted.
      listAll: db.prepare(`SELECT ${prefixed('l')} FROM (${newestPerName}) AS m JOIN log l ON l.id = m.id WHERE l.deleted = 0 LIMIT :limit`),
      listAllSorted: db.prepare(`SELECT ${prefixed('l')} FROM (${newestPerName}) AS m JOIN log l ON l.id = m.id WHERE l.deleted = 0 ORDER BY m.name LIMIT :limit`),
      replay: db.prepare(`
        SELECT l.id, l.name, l.created, l.deleted, l.create_revision, l.prev_revision, l.value,
               p.value AS prev_value, p.create_revision AS prev_create_revision
        FROM log l LEFT JOIN log p ON l.created = 0 AND l.deleted = 0 AND p.id = l.prev_revision
        WHERE l.id > :pos AND l.name >= :lo AND (:hi IS NULL OR l.name < :hi) AND substr(l.name, 1, length(:prefix)) = :prefix
        ORDER BY l.id LIMIT :limit`),
      setMeta: db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
      // Prepared once, like the rest: no statement of the store is left to the garbage collector.
      compactSuperseded: db.prepare('DELETE FROM log WHERE id IN (SELECT prev_revision FROM log WHERE id > ? AND id <= ? AND prev_revision > 0)'),
      compactDeletions: db.prepare('DELETE FROM log WHERE deleted = 1 AND id >= ? AND id < ?'),
    };
    const seq = db.prepare<[], { seq: number }>(`SELECT seq FROM sqlite_sequence WHERE name = 'log'`).get();
    this.#revision = seq?.seq ?? 0;
    const compacted = db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE name = ?').get(compactedKey);
    this.#compacted = compacted?.value ?? 0;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.#assertOpen();
    const row = this.#stmt.latest.get(key);
    return row && !row.deleted ? toKeyValue(row) : undefined;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.#assertOpen();
    const revision = options.revision && options.revision > 0 ? options.revision : this.#revision;
    if (revision > this.#revision) throw new Error(`sqlite: revision ${revision} is in the future (current ${this.#revision})`);
    if (revision < this.#compacted) throw new CompactedError(revision, this.#compacted);
    const limit = options.limit && options.limit > 0 ? options.limit : -1;
    const params: ListParams = { after: options.after ?? null, hi: prefixEnd(prefix) ?? null, prefix, rev: revision, limit: limit < 0 ? -1 : limit + 1 };
    let rows = this.#stmt.listAll.all(params);
    if (!isSortedByName(rows)) rows = this.#stmt.listAllSorted.all(params);
    const more = limit > 0 && rows.length > limit;
    return { kvs: (more ? rows.slice(0, limit) : rows).map(toKeyValue), revision, ...(limit > 0 ? { more } : {}) };
  }

  create(key: string, value: Uint8Array): Promise<KeyValue> {
    const bytes = asBuffer(value);
    return this.#enqueue(() => {
      const cur = this.#stmt.latest.get(key);
      if (cur && !cur.deleted) throw new KeyExistsError(key);
      const id = this.#nextRevision();
      this.#stmt.insert.run(id, key, 1, 0, id, cur?.id ?? 0, bytes);
      const kv: KeyValue = { key, value: bytes, createRevision: id, modRevision: id };
      return { result: kv, event: { type: 'put', key, revision: id, kv } };
    });
  }

  update(key: string, value: Uint8Array, expectedRevision: number): Promise<KeyValue> {
    const bytes = asBuffer(value);
    return this.#enqueue(() => {
      const cur = this.#stmt.latest.get(key);
      if (!cur || cur.deleted) throw new KeyNotFoundError(key);
      const prev = toKeyValue(cur);
      if (cur.id !== expectedRevision) throw new RevisionMismatchError(key, prev);
      const id = this.#nextRevision();
      this.#stmt.insert.run(id, key, 0, 0, cur.create_revision, cur.id, bytes);
      const kv: KeyValue = { key, value: bytes, createRevision: cur.create_revision, modRevision: id };
      return { result: kv, event: { type: 'put', key, revision: id, kv, prev } };
    });
  }

  delete(key: string, expectedRevision?: number): Promise<{ kv: KeyValue; revision: number }> {
    return this.#enqueue(() => {
      const cur = this.#stmt.latest.get(key);
      if (!cur || cur.deleted) throw new KeyNotFoundError(key);
      const kv = toKeyValue(cur);
      if (expectedRevision !== undefined && cur.id !== expectedRevision) throw new RevisionMismatchError(key, kv);
      const id = this.#nextRevision();
      this.#stmt.insert.run(id, key, 0, 1, cur.create_revision, cur.id, cur.value);
      return { result: { kv, revision: id }, event: { type: 'delete', key, revision: id, kv } };
    });
  }

  async currentRevision(): Promise<number> {
    this.#assertOpen();
    return this.#revision;
  }

  /** The revision of the last compaction (0 when never compacted). */
  compactedRevision(): number { return this.#compacted; }

  /**
   * Keeps everything needed to read any revision >= `revision` and to watch from `revision - 1`:
   * removes rows superseded at or before `revision`, and deletion rows older than it. Runs in
   * steps of a few thousand revisions, each its own transaction, yielding in between.
   */
  async compact(revision: number): Promise<void> {
    this.#assertOpen();
    if (revision > this.#revision) throw new Error(`sqlite: cannot compact at future revision ${revision} (current ${this.#revision})`);
    while (this.#compacted < revision) {
      this.#assertOpen();
      const from = this.#compacted;
      const to = Math.min(revision, from + compactStep);
      this.#db.transaction(() => {
        this.#stmt.compactSuperseded.run(from, to);
        this.#stmt.compactDeletions.run(from, to);
        this.#stmt.setMeta.run(compactedKey, to);
      });
      this.#compacted = to;
      if (to < revision) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncIterable<StoreEvent> {
    return followLog(this.#source, prefix, fromRevision, signal);
  }

  /**
   * Events under `prefix` after revision `pos` (at most `limit`), read from the table; what a
   * watch replays before it follows the live events.
   */
  replay(prefix: string, pos: number, limit: number): StoreEvent[] {
    this.#assertOpen();
    if (pos < this.#compacted - 1) throw new CompactedError(pos, this.#compacted);
    return this.#stmt.replay.all({ pos, lo: prefix, hi: prefixEnd(prefix) ?? null, prefix, limit }).map(toEvent);
  }

  /**
   * Calls `fn` with the events of every commit as it is published, before the writes in it are
   * acknowledged (for a store hosted in a worker: see worker-store.ts). Returns the unsubscribe.
   */
  onCommit(fn: (events: readonly StoreEvent[]) => void): () => void {
    return this.#notifier.listen(fn);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#flush();   // writes already accepted are committed, not dropped
    this.#closed = true;
    while (this.#syncing) await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.#unsynced.length > 0) this.#syncWal();
    this.#notifier.fail(new Error('sqlite: store closed'));
    this.#db.close();
    if (this.#walFd !== undefined) closeSync(this.#walFd);
    this.#walFd = undefined;
  }

  /** The SQLite driver this store runs on. */
  get driver(): SqliteDriverName { return this.#db.driver; }

  /** Live watchers (for tests and metrics). */
  watcherCount(): number { return this.#notifier.size; }

  /**
   * Group commit. Writes issued in the same event-loop turn are applied, in order, inside one
   * transaction on the next turn (one fsync for all of them), and each promise settles only after
   * that commit: an acknowledged write is durable. Each write is still atomic on its own: its
   * check and insert run back to back, and a failed check (KeyExists, RevisionMismatch…) rejects
   * that write alone. An SQLite failure rolls the whole batch back and rejects every write in it.
   */
  #enqueue<T>(apply: () => { result: T; event: StoreEvent }): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('sqlite: store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ apply, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    const ops = this.#pending;
    this.#pending = [];
    if (ops.length === 0) return;
    if (this.#closed) {
      for (const op of ops) op.reject(new Error('sqlite: store is closed'));
      return;
    }
    const startRevision = this.#revision;
    const outcomes: ({ ok: true; result: unknown; event: StoreEvent } | { ok: false; error: unknown })[] = [];
    try {
      this.#db.transaction(() => {
        for (const op of ops) {
          try {
            outcomes.push({ ok: true, ...op.apply() });
          } catch (error) {
            if (!isStoreOutcome(error)) throw error;
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (err) {
      this.#revision = startRevision;
      for (const op of ops) op.reject(new Error('sqlite: write failed', { cause: err }));
      return;
    }
    const batch: Committed = { ops, outcomes };
    if (this.#walPath === undefined || !outcomes.some((o) => o.ok)) {
      // Nothing to make durable (or SQLite already did): acknowledge now, after earlier batches.
      if (this.#unsynced.length === 0) settle(batch, this.#notifier);
      else this.#unsynced.push(batch);
      return;
    }
    this.#unsynced.push(batch);
    this.#startSync();
  }

  /**
   * Durability off the event loop: the batch is committed (in the OS page cache, which survives
   * a process crash); one fdatasync of the WAL on libuv's thread pool covers it and every batch
   * committed before the sync began. Only then are their watchers notified and their writes
   * acknowledged, in commit order. Batches committed meanwhile wait for the next sync, so under
   * load one fsync serves ever larger groups.
   */
  #startSync(): void {
    if (this.#syncing || this.#unsynced.length === 0) return;
    const fd = this.#openWal();
    if (fd === undefined) { this.#syncWal(); return; }
    const batches = this.#unsynced;
    this.#unsynced = [];
    this.#syncing = true;
    fdatasync(fd, (err) => {
      this.#syncing = false;
      if (err) {
        this.#syncFailed(batches, err);
      } else {
        for (const b of batches) settle(b, this.#notifier);
      }
      if (!this.#closed) this.#startSync();
    });
  }

  /** The synchronous fallback (closing, or the WAL file could not be opened). */
  #syncWal(): void {
    const batches = this.#unsynced;
    this.#unsynced = [];
    try {
      const fd = this.#openWal();
      // Without the WAL's descriptor, a checkpoint (which syncs the WAL first under NORMAL) does it.
      if (fd !== undefined) fdatasyncSync(fd); else this.#db.pragma('wal_checkpoint(FULL)');
    } catch (err) {
      this.#syncFailed(batches, err);
      return;
    }
    for (const b of batches) settle(b, this.#notifier);
  }

  /**
   * The commits are in SQLite but may not be on disk: their writes fail, and every watcher is
   * ended so that it resumes from the table (where the rows are) instead of missing them.
   */
  #syncFailed(batches: Committed[], err: unknown): void {
    const error = new Error('sqlite: syncing the write-ahead log failed', { cause: err });
    for (const b of batches) for (const op of b.ops) op.reject(error);
    this.#notifier.fail(error);
  }

  #openWal(): number | undefined {
    if (this.#walFd !== undefined || this.#walPath === undefined) return this.#walFd;
    try {
      this.#walFd = openSync(this.#walPath, 'r+');
    } catch {
      return undefined;
    }
    return this.#walFd;
  }

  /** The revision of the write being applied (inside a flush). */
  #nextRevision(): number {
    this.#revision += 1;
    return this.#revision;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('sqlite: store is closed');
  }
}

interface Committed {
  ops: { resolve(v: unknown): void; reject(e: unknown): void }[];
  outcomes: ({ ok: true; result: unknown; event: StoreEvent } | { ok: false; error: unknown })[];
}

/** Publishes a committed batch's events to watchers, then settles its writes. */
function settle(batch: Committed, notifier: Notifier): void {
  const events: StoreEvent[] = [];
  for (const o of batch.outcomes) if (o.ok) events.push(o.event);
  if (events.length > 0) notifier.publish(events);
  batch.ops.forEach((op, i) => {
    const o = batch.outcomes[i]!;
    if (o.ok) op.resolve(o.result);
    else op.reject(o.error);
  });
}

function isSortedByName(rows: readonly Row[]): boolean {
  for (let i = 1; i < rows.length; i++) if (rows[i - 1]!.name >= rows[i]!.name) return false;
  return true;
}

/** The expected, per-write outcomes of a check: they reject one write, not the batch. */
function isStoreOutcome(err: unknown): boolean {
  return err instanceof KeyExistsError || err instanceof KeyNotFoundError || err instanceof RevisionMismatchError;
}

function toKeyValue(row: Row): KeyValue {
  return { key: row.name, value: row.value, createRevision: row.create_revision, modRevision: row.deleted ? row.prev_revision : row.id };
}

function toEvent(row: EventRow): StoreEvent {
  if (row.deleted) {
    return { type: 'delete', key: row.name, revision: row.id, kv: toKeyValue(row) };
  }
  const kv: KeyValue = { key: row.name, value: row.value, createRevision: row.created ? row.id : row.create_revision, modRevision: row.id };
  if (row.created || row.prev_value === null) return { type: 'put', key: row.name, revision: row.id, kv };
  const prev: KeyValue = { key: row.name, value: row.prev_value, createRevision: row.prev_create_revision ?? row.create_revision, modRevision: row.prev_revision };
  return { type: 'put', key: row.name, revision: row.id, kv, prev };
}
