export * from './sqlite-store.js';
export { openSqliteStoreInWorker, WorkerSqliteStore } from './worker-store.js';
export type { Synchronous } from './schema.js';
export { defaultSqliteDriver, sqliteDriverNames, sqliteDriverUnavailable, type SqliteDriverName } from './driver.js';
