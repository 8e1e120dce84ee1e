import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, freePort } from '../../test/fixtures/etcd.js';
import { EtcdStore } from './etcd/etcd-store.js';
import { openStore } from './open-store.js';
import { WorkerSqliteStore } from './sqlite/worker-store.js';

describe('openStore', () => {
  it('empty endpoint: SQLite at <dataDir>/state.db, resumed on reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-open-'));
    try {
      const dataDir = join(dir, 'data');
      const store = await openStore('', dataDir);
      assert.ok(store instanceof WorkerSqliteStore);
      const kv = await store.create('/x', new Uint8Array([1]));
      await store.close();
      assert.ok(existsSync(join(dataDir, 'state.db')));
      const again = await openStore('', dataDir);
      assert.equal(await again.currentRevision(), kv.modRevision);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('http endpoints: etcd', async () => {
    const etcd = await startEtcd();
    try {
      const port = await freePort();   // nothing listens there: the list still works through the live member
      const store = await openStore(`${etcd.endpoints},http://127.0.0.1:${port}`, '/nonexistent');
      assert.ok(store instanceof EtcdStore);
      const kv = await store.create('/open-store/x', new Uint8Array([1]));
      assert.equal((await store.get('/open-store/x'))?.modRevision, kv.modRevision);
      await store.close();
    } finally {
      await etcd.stop();
    }
  });

  it('rejects unreachable etcd and unknown schemes', async () => {
    const port = await freePort();
    await assert.rejects(openStore(`http://127.0.0.1:${port}`, '/nonexistent'), /cannot reach etcd/);
    await assert.rejects(openStore('mysql://x', '/nonexistent'), /unsupported endpoint/);
  });
});
