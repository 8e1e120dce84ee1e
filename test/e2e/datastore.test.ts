/**
 * The datastore is the only truth: `kill -9` of the server during a stream of writes loses no
 * acknowledged write, and two servers on one real etcd with one token serve each other's writes
 * and watches, the survivor carrying on when the other dies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { configMaps } from '../../src/api/resources/index.js';
import type { Kube } from '../../src/api/types.js';
import { restClient } from '../../src/client/rest-client.js';
import { restConfigFromKubeconfig } from '../../src/client/kubeconfig.js';
import { startK8ts } from '../fixtures/k8ts-process.js';
import { startEtcd } from '../fixtures/etcd.js';

async function clientFor(kubeconfig: string) {
  return restClient({ ...await restConfigFromKubeconfig(kubeconfig), timeoutMs: 5000 });
}

const cm = (name: string): Kube<ConfigMap> => ({ metadata: { name, namespace: 'default' }, data: { n: name } });

test('kill -9 during a stream of writes loses no acknowledged write (SQLite)', async () => {
  const first = await startK8ts(['--disable-agent']);
  const acknowledged: string[] = [];
  try {
    const client = await clientFor(first.kubeconfig);
    let stop = false;
    const writers = [0, 1, 2, 3].map(async (w) => {
      for (let i = 0; !stop; i++) {
        const name = `w${w}-${i}`;
        try {
          await client.create(configMaps, cm(name));
          acknowledged.push(name);
        } catch {
          return; // the server is gone: this write was never acknowledged
        }
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    await first.kill();
    stop = true;
    await Promise.all(writers);
    client.close();
    assert.ok(acknowledged.length > 50, `only ${acknowledged.length} writes before the kill`);

    const second = await startK8ts(['--disable-agent'], { dataDir: first.dataDir, port: first.port });
    try {
      const again = await clientFor(second.kubeconfig);
      const list = await again.list(configMaps, { namespace: 'default' });
      const present = new Set(list.items.map((i) => i.metadata.name));
      const lost = acknowledged.filter((n) => !present.has(n));
      assert.deepEqual(lost, [], `acknowledged writes lost after kill -9: ${lost.length}`);
      again.close();
    } finally {
      await second.stop();
    }
  } finally {
    await first.cleanup();
  }
});

test('two servers on one etcd with one token share writes and watches; one survives the other', async () => {
  const etcd = await startEtcd();
  const a = await startK8ts(['--disable-agent', '--datastore-endpoint', etcd.endpoints, '--token', 'ha-secret']);
  try {
    const b = await startK8ts(['--disable-agent', '--datastore-endpoint', etcd.endpoints, '--token', 'ha-secret']);
    try {
      const ca = await clientFor(a.kubeconfig);
      const cb = await clientFor(b.kubeconfig);
      // Same CA: A's kubeconfig works against B too.
      const caAgainstB = await clientFor(a.kubeconfig.replace(a.dataDir, b.dataDir));
      await caAgainstB.list(configMaps, { namespace: 'default' });
      caAgainstB.close();

      const list = await cb.list(configMaps, { namespace: 'default' });
      const abort = new AbortController();
      const seen: string[] = [];
      const watching = (async () => {
        for await (const e of cb.watch(configMaps, { namespace: 'default', resourceVersion: list.metadata.resourceVersion }, abort.signal)) {
          seen.push(`${e.type} ${e.object.metadata.name}`);
          if (seen.length === 2) abort.abort();
        }
      })();
      await ca.create(configMaps, cm('from-a'));
      const got = await cb.get(configMaps, 'default', 'from-a');
      assert.equal(got.data?.n, 'from-a');
      await ca.delete(configMaps, 'default', 'from-a');
      await watching;
      assert.deepEqual(seen, ['ADDED from-a', 'DELETED from-a']);

      await a.kill();
      await cb.create(configMaps, cm('after-a-died'));
      assert.equal((await cb.get(configMaps, 'default', 'after-a-died')).data?.n, 'after-a-died');
      ca.close();
      cb.close();
    } finally {
      await b.stop();
      await b.cleanup();
    }
  } finally {
    await a.stop();
    await a.cleanup();
    await etcd.stop();
  }
});

test('a wrong token cannot join a cluster on the same etcd', async () => {
  const etcd = await startEtcd();
  const a = await startK8ts(['--disable-agent', '--datastore-endpoint', etcd.endpoints, '--token', 'right']);
  try {
    await assert.rejects(startK8ts(['--disable-agent', '--datastore-endpoint', etcd.endpoints, '--token', 'wrong']), /token/);
  } finally {
    await a.stop();
    await a.cleanup();
    await etcd.stop();
  }
});
