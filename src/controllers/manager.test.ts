import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controllerManager, enabledControllers } from './manager.js';
import { FakeClient } from '../client/testing/fake-client.js';
import { deployments, namespaces, pods, replicaSets, serviceAccounts, leases } from '../api/resources/index.js';
import { FakeClock } from '../base/clock.js';
import { silentLogger } from '../base/log.js';

test('--controllers selection', () => {
  assert.deepEqual(enabledControllers(['*', '-deployment'], ['deployment', 'replicaset']), ['replicaset']);
  assert.deepEqual(enabledControllers(['deployment'], ['deployment', 'replicaset']), ['deployment']);
  assert.throws(() => controllerManager({ client: new FakeClient(), clock: new FakeClock(), log: silentLogger, controllers: ['nope'] }), /not in the list of known controllers/);
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('end to end on a fake API: a Deployment becomes a ReplicaSet and pods; namespaces get default ServiceAccounts', async () => {
  const client = new FakeClient();
  await client.create(namespaces, { metadata: { name: 'default' } });
  await client.create(deployments, {
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }, progressDeadlineSeconds: 600, revisionHistoryLimit: 10, strategy: { type: 'RollingUpdate' } },
  });
  const m = controllerManager({ client, clock: { now: () => Date.now() }, log: silentLogger, leaderElect: true, leaseDurationMs: 15000, renewDeadlineMs: 10000, retryPeriodMs: 2000, identity: 'me' });
  const ac = new AbortController();
  const running = m.run(ac.signal);
  await until(() => client.all(pods).length === 3);
  assert.equal(client.all(replicaSets).length, 1);
  await until(() => client.all(serviceAccounts).length === 1);
  assert.equal(m.isLeader(), true);
  assert.equal(client.peek(leases, 'kube-system', 'kube-controller-manager')?.spec?.holderIdentity, 'me');
  ac.abort();
  await running;
});
