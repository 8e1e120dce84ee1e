import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { DriverCore, OpenOptions, Statement } from './driver.js';

/**
 * The better-sqlite3 addon (Node 20, where node:sqlite does not exist). Loaded on the first
 * open, never at import: on Node 24 the addon must not be loaded at all (see driver.ts).
 */
export function openBetterSqlite3(path: string, options: OpenOptions): DriverCore {
  const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  const db = new Database(path, { readonly: options.readonly ?? false, timeout: options.busyTimeoutMs ?? 0 });
  return {
    // Its statements already have the interface's shape: run/get/all/iterate, `?` and bare
    // `:name` parameters, BLOBs as Buffer.
    prepare: (sql) => db.prepare(sql) as unknown as Statement<unknown[], unknown>,
    exec: (sql) => { db.exec(sql); },
    pragma: (setting) => db.pragma(setting, { simple: true }),
    inTransaction: () => db.inTransaction,
    close: () => { db.close(); },
  };
}
