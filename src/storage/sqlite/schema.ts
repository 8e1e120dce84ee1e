import type { Database } from './driver.js';

/**
 * The kine-like log. One row per write; `id` is the global revision. The newest row of a name is
 * that key's state: a live value, or a deletion (`deleted = 1`, `value` = the value just before
 * the delete, `prev_revision` = its modRevision). `create_revision` is the revision of the row
 * that created the key (a create row carries its own id); `prev_revision` is the id of the row
 * this one supersedes (0 for the first write of a name).
 */
const ddl = `
CREATE TABLE IF NOT EXISTS log (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  name            TEXT    NOT NULL,
  created         INTEGER NOT NULL,
  deleted         INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision   INTEGER NOT NULL,
  value           BLOB    NOT NULL
);
CREATE INDEX IF NOT EXISTS log_name_id ON log (name, id);
CREATE INDEX IF NOT EXISTS log_prev_revision ON log (prev_revision);
CREATE TABLE IF NOT EXISTS meta (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

export type Synchronous = 'full' | 'normal';

/**
 * Opens the log: WAL journal, one exclusive owner, the schema.
 *
 * Durability: `synchronous = FULL` by default. In WAL mode NORMAL already survives `kill -9` (a
 * commit is in the OS page cache before better-sqlite3 returns), but an OS crash or power loss
 * may then roll back the last acknowledged commits. FULL fsyncs the WAL on every commit, the same
 * promise etcd makes (it fsyncs before acknowledging); measured here it costs ~0.2 ms per commit.
 * NORMAL stays available for tests and benchmarks that want the difference.
 *
 * `locking_mode = EXCLUSIVE`: one process owns the file (a second server on the same data dir
 * fails on open instead of forking the revision sequence), and WAL then needs no shared memory.
 */
export function prepareDatabase(db: Database, synchronous: Synchronous): void {
  db.pragma('locking_mode = EXCLUSIVE');
  const mode = db.pragma('journal_mode = WAL');
  if (mode !== 'wal' && mode !== 'memory') throw new Error(`sqlite: could not enable WAL (journal_mode is ${String(mode)})`);
  db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.exec(ddl);
}
