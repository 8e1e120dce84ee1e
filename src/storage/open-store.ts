import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from './store.js';
import { openSqliteStoreInWorker } from './sqlite/worker-store.js';

/**
 * The datastore a server runs on, from its `--datastore-endpoint`: empty → the embedded SQLite
 * log at `<dataDir>/state.db`; `http(s)://host:port[,host:port…]` → etcd v3 (checked reachable
 * before returning, so a wrong endpoint fails at startup, not at the first request).
 */
export async function openStore(endpoint: string, dataDir: string): Promise<Store> {
  const trimmed = endpoint.trim();
  if (trimmed === '') {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    return openSqliteStoreInWorker({ path: join(dataDir, 'state.db') });
  }
  if (/^https?:\/\//i.test(trimmed)) {
    // Loaded only when asked for: the etcd client (gRPC) costs ~150 ms and ~25 MiB at startup.
    const { openEtcdStore } = await import('./etcd/etcd-store.js');
    const store = openEtcdStore({ endpoints: trimmed });
    try {
      await store.currentRevision();
    } catch (err) {
      await store.close();
      throw new Error(`datastore: cannot reach etcd at ${trimmed}`, { cause: err });
    }
    return store;
  }
  throw new Error(`datastore: unsupported endpoint ${JSON.stringify(endpoint)} (empty for the embedded SQLite store, or http(s)://host:port[,host:port] for etcd)`);
}
