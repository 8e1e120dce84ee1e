import { createRequire } from 'node:module';
import type { DriverCore, OpenOptions, RunResult, Statement } from './driver.js';

// The slice of node:sqlite (Node >= 22.5) used here; @types/node 20 does not describe it.
interface StatementSync {
  run(...params: unknown[]): RunResult;
  get(...params: unknown[]): Record<string, unknown> | undefined;
  all(...params: unknown[]): Record<string, unknown>[];
  iterate(...params: unknown[]): IterableIterator<Record<string, unknown>>;
  /** Node >= 22.15 / 23.11: extra keys in a named-parameter object are an error unless enabled. */
  setAllowUnknownNamedParameters?(enabled: boolean): void;
}
interface DatabaseSync {
  prepare(sql: string): StatementSync;
  exec(sql: string): void;
  close(): void;
  /** Node >= 22.16 / 24. */
  readonly isTransaction?: boolean;
}
export interface NodeSqlite {
  DatabaseSync: new (path: string, options?: { readOnly?: boolean }) => DatabaseSync;
}

/**
 * Loads `node:sqlite`. Node 22 prints "ExperimentalWarning: SQLite is an experimental feature"
 * when the module is first loaded; that one warning is dropped (k8ts chose the module knowingly),
 * every other warning passes through. Throws ERR_UNKNOWN_BUILTIN_MODULE where it does not exist.
 */
export function loadNodeSqlite(): NodeSqlite {
  const emitWarning = process.emitWarning;
  process.emitWarning = function filtered(this: NodeJS.Process, warning: string | Error, ...rest: unknown[]): void {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const name = typeof warning === 'string' ? type : warning.name;
    const message = typeof warning === 'string' ? warning : warning.message;
    if (name === 'ExperimentalWarning' && message.startsWith('SQLite ')) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return createRequire(import.meta.url)('node:sqlite') as NodeSqlite;
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** Node's built-in SQLite, the driver on Node >= 22.5. */
export function openNodeSqlite(path: string, options: OpenOptions): DriverCore {
  const { DatabaseSync } = loadNodeSqlite();
  const db = new DatabaseSync(path, { readOnly: options.readonly ?? false });
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 0))}`);
  } catch (err) {
    db.close();
    throw err;
  }
  return {
    prepare: (sql) => wrapStatement(db.prepare(sql)),
    exec: (sql) => db.exec(sql),
    pragma: (setting) => {
      const row = db.prepare(`PRAGMA ${setting}`).get();
      return row === undefined ? undefined : Object.values(row)[0];
    },
    // Before Node 22.16 there is no way to ask; "maybe" makes a failed transaction try its ROLLBACK.
    inTransaction: () => db.isTransaction ?? true,
    close: () => db.close(),
  };
}

/** node:sqlite returns BLOBs as plain Uint8Array; the store (and better-sqlite3) use Buffer. */
function wrapStatement(stmt: StatementSync): Statement<unknown[], unknown> {
  stmt.setAllowUnknownNamedParameters?.(true);
  return {
    run: (...params) => stmt.run(...params),
    get: (...params) => {
      const row = stmt.get(...params);
      return row === undefined ? undefined : withBuffers(row);
    },
    all: (...params) => {
      const rows = stmt.all(...params);
      for (const row of rows) withBuffers(row);
      return rows;
    },
    *iterate(...params) {
      for (const row of stmt.iterate(...params)) yield withBuffers(row);
    },
  };
}

function withBuffers(row: Record<string, unknown>): Record<string, unknown> {
  for (const key in row) {
    const v = row[key];
    if (v instanceof Uint8Array && !Buffer.isBuffer(v)) row[key] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  }
  return row;
}
