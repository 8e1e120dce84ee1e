/**
 * Test child for the kill -9 durability test (sqlite.test.ts): writes to the store at argv[2],
 * with the driver named in argv[3] (default: this Node's), hosted in a worker when argv[4] is
 * `worker`, forever and prints `ack <key> <revision> <value>` after each write resolves. Stdout is a pipe,
 * which Node writes synchronously on Linux, so a printed ack is in the pipe before the next write.
 */
import { sqliteDriverNames, type SqliteDriverName } from './driver.js';
import { openSqliteStore } from './sqlite-store.js';
import { openSqliteStoreInWorker } from './worker-store.js';

const [path, driver, where] = process.argv.slice(2);
if (!path) throw new Error('usage: durability-writer <db-path> [node:sqlite|better-sqlite3] [worker]');
if (driver !== undefined && !sqliteDriverNames.includes(driver as SqliteDriverName)) throw new Error(`durability-writer: unknown driver ${driver}`);
const options = { path, ...(driver ? { driver: driver as SqliteDriverName } : {}) };
const store = where === 'worker' ? await openSqliteStoreInWorker(options) : openSqliteStore(options);
const enc = new TextEncoder();
for (let i = 0; ; i++) {
  const key = `/durability/k${i % 50}`;
  const value = `v${i}`;
  const cur = await store.get(key);
  const kv = cur ? await store.update(key, enc.encode(value), cur.modRevision) : await store.create(key, enc.encode(value));
  process.stdout.write(`ack ${key} ${kv.modRevision} ${value}\n`);
}
