import { openBetterSqlite3 } from './driver-better-sqlite3.js';
import { loadNodeSqlite, openNodeSqlite } from './driver-node-sqlite.js';

/**
 * The SQLite surface the store uses, over two drivers: Node's built-in `node:sqlite`
 * (`DatabaseSync`, Node >= 22.5) and the `better-sqlite3` addon (Node 20). better-sqlite3 12.x
 * aborts the process on Node 24 when a statement is finalised outside a JavaScript context
 * (WiseLibs/better-sqlite3#1515), so it is only the fallback where `node:sqlite` is missing.
 *
 * Both drivers are synchronous and behave the same through this interface: positional (`?`) or
 * named (`:name`, passed as one object with bare keys) parameters, numbers for integers, BLOBs
 * read back as Buffer, BEGIN IMMEDIATE transactions with savepoints when nested.
 */
export type SqliteDriverName = 'node:sqlite' | 'better-sqlite3';

export const sqliteDriverNames: readonly SqliteDriverName[] = ['node:sqlite', 'better-sqlite3'];

/** What may be bound to a parameter. `undefined` is not (node:sqlite rejects it): use null. */
export type SqlValue = null | number | bigint | string | Uint8Array;

export interface RunResult { changes: number | bigint; lastInsertRowid: number | bigint }

/**
 * A prepared statement. `P` is a tuple of positional parameters, or an object whose keys name
 * the `:name` parameters. Give every parameter: better-sqlite3 throws on a missing one where
 * node:sqlite binds NULL. Extra keys are ignored (node:sqlite before 22.15 rejects them).
 */
export interface Statement<P extends readonly unknown[] | object = SqlValue[], R = Record<string, unknown>> {
  run(...params: Args<P>): RunResult;
  get(...params: Args<P>): R | undefined;
  all(...params: Args<P>): R[];
  iterate(...params: Args<P>): IterableIterator<R>;
}
type Args<P> = P extends readonly unknown[] ? P : [P];

export interface Database {
  readonly driver: SqliteDriverName;
  prepare<P extends readonly unknown[] | object = SqlValue[], R = Record<string, unknown>>(sql: string): Statement<P, R>;
  /** Runs one or more statements that return nothing. */
  exec(sql: string): void;
  /** `PRAGMA <setting>`; the first column of the first row it returns, if any. */
  pragma(setting: string): unknown;
  /**
   * Runs `fn` in a transaction and returns its result. Outermost: BEGIN IMMEDIATE (the write
   * lock is taken up front), COMMIT when `fn` returns, ROLLBACK when it throws or the commit
   * fails. Nested: a savepoint, released on return and rolled back to on a throw, so the outer
   * transaction may go on. `fn` must be synchronous.
   */
  transaction<T>(fn: () => T): T;
  readonly inTransaction: boolean;
  close(): void;
}

export interface OpenOptions {
  /** Which driver; default: `defaultSqliteDriver()`. */
  driver?: SqliteDriverName;
  readonly?: boolean;
  /** How long a statement waits for a lock held by another connection (default 0). */
  busyTimeoutMs?: number;
}

/** The lowest-level calls a driver provides; transactions are built on them once, below. */
export interface DriverCore {
  prepare(sql: string): Statement<unknown[], unknown>;
  exec(sql: string): void;
  pragma(setting: string): unknown;
  inTransaction(): boolean;
  close(): void;
}

/**
 * The driver this Node should use: `node:sqlite` from Node 22.5 on (it may still be missing on
 * 22.5–22.12 without --experimental-sqlite; openDatabase then falls back), else better-sqlite3.
 */
export function defaultSqliteDriver(versions: NodeJS.ProcessVersions = process.versions): SqliteDriverName {
  const [major = 0, minor = 0] = versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 5) ? 'node:sqlite' : 'better-sqlite3';
}

/**
 * Why `driver` cannot be used in this process, or undefined when it can (for tests and benches
 * that run every driver). better-sqlite3 is refused on Node >= 24, where it aborts the process
 * (see above), without being loaded.
 */
export function sqliteDriverUnavailable(driver: SqliteDriverName): string | undefined {
  const [major = 0] = process.versions.node.split('.').map(Number);
  if (driver === 'better-sqlite3' && major >= 24) {
    return `better-sqlite3 12.x aborts the process on Node ${process.versions.node} (WiseLibs/better-sqlite3#1515)`;
  }
  try {
    if (driver === 'node:sqlite') loadNodeSqlite();
    else openBetterSqlite3(':memory:', {}).close();
    return undefined;
  } catch (err) {
    return `${driver} cannot be loaded on Node ${process.versions.node}: ${(err as Error).message.split('\n')[0]}`;
  }
}

/**
 * Opens a database with the chosen (or default) driver. A driver's module is loaded only when a
 * database is opened with it, so a process on node:sqlite never loads the better-sqlite3 addon.
 * The load is a `require` at that moment rather than an `import()`: both modules are CommonJS or
 * builtin, and so opening stays synchronous (openSqliteStore and its callers are).
 * With no explicit driver, a `node:sqlite` this Node cannot load falls back to better-sqlite3.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Database {
  const explicit = options.driver;
  const driver = explicit ?? defaultSqliteDriver();
  if (driver === 'better-sqlite3') return withTransactions(driver, openBetterSqlite3(path, options));
  let core: DriverCore;
  try {
    core = openNodeSqlite(path, options);
  } catch (err) {
    if (explicit !== undefined || (err as { code?: unknown } | null)?.code !== 'ERR_UNKNOWN_BUILTIN_MODULE') throw err;
    return withTransactions('better-sqlite3', openBetterSqlite3(path, options));
  }
  return withTransactions(driver, core);
}

const savepoint = 'k8ts_tx';

/** Adds transactions (the same rules for both drivers) to a driver's core. */
function withTransactions(driver: SqliteDriverName, core: DriverCore): Database {
  // Prepared on first use (not before the caller's pragmas), then reused: BEGIN and COMMIT run
  // for every group commit.
  let control: Record<'begin' | 'commit' | 'rollback' | 'save' | 'release' | 'rollbackTo', Statement<unknown[], unknown>> | undefined;
  let depth = 0;
  return {
    driver,
    prepare: <P extends readonly unknown[] | object, R>(sql: string) => core.prepare(sql) as unknown as Statement<P, R>,
    exec: (sql) => core.exec(sql),
    pragma: (setting) => core.pragma(setting),
    get inTransaction() { return depth > 0 && core.inTransaction(); },
    close: () => core.close(),
    transaction<T>(fn: () => T): T {
      control ??= {
        begin: core.prepare('BEGIN IMMEDIATE'),
        commit: core.prepare('COMMIT'),
        rollback: core.prepare('ROLLBACK'),
        save: core.prepare(`SAVEPOINT ${savepoint}`),
        release: core.prepare(`RELEASE ${savepoint}`),
        rollbackTo: core.prepare(`ROLLBACK TO ${savepoint}`),
      };
      const nested = depth > 0 && core.inTransaction();
      const [before, after, undo] = nested
        ? [control.save, control.release, control.rollbackTo]
        : [control.begin, control.commit, control.rollback];
      before.run();
      depth++;
      try {
        const result = fn();
        if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
          throw new TypeError('sqlite: a transaction function must not return a promise');
        }
        after.run();
        return result;
      } catch (err) {
        // SQLite may already have rolled back on its own (SQLITE_FULL, IOERR, BUSY on COMMIT…).
        if (core.inTransaction()) {
          try {
            undo.run();
            if (nested) after.run();
          } catch {
            // Only where the driver cannot tell (node:sqlite before 22.16) is there nothing to
            // undo here; the error that ended the transaction is the one to report.
          }
        }
        throw err;
      } finally {
        depth--;
      }
    },
  };
}
