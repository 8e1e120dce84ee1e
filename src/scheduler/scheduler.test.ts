import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { FakeClient } from '../client/testing/fake-client.js';
import { events, nodes, pods } from '../api/resources/core/index.js';
import { silentLogger } from '../base/log.js';
import { systemClock } from '../base/clock.js';
import { scheduler } from './scheduler.js';
import { numFeasibleNodesToFind } from './schedule-one.js';
import { makeNode, makePod } from './testing/fixtures.js';

const notReady = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' as const };

async function until<T>(what: string, fn: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function withScheduler(client: FakeClient, fn: () => Promise<void>): Promise<void> {
  const ac = new AbortController();
  const s = scheduler({ client, log: silentLogger, clock: systemClock, random: () => 0 }, { initialBackoffMs: 20, maxBackoffMs: 50 });
  const running = s.run(ac.signal);
  try { await fn(); } finally { ac.abort(); await running; }
}

test('binds pods, records Scheduled, and explains a pod that fits nowhere as kube-scheduler does', async () => {
  const client = new FakeClient();
  client.seed(nodes, makeNode('node-1', { cpu: '1' }) as never,
    makeNode('node-2', {}, { taints: [notReady] }) as never, makeNode('node-3', {}, { taints: [notReady] }) as never);
  client.seed(pods, makePod('web-1', { cpu: '500m' }) as never, makePod('big', { cpu: '2' }) as never);
  await withScheduler(client, async () => {
    const bound = await until('web-1 bound', () => client.peek(pods, 'default', 'web-1')?.spec?.nodeName);
    assert.equal(bound, 'node-1');
    const cond = await until('big condition', () => (client.peek(pods, 'default', 'big')?.status?.conditions ?? []).find((c) => c.type === 'PodScheduled'));
    assert.equal(cond.status, 'False');
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.');
    const evs = await until('events', () => { const e = client.all(events) as Event[]; return e.length >= 2 ? e : undefined; });
    const scheduled = evs.find((e) => e.reason === 'Scheduled')!;
    assert.equal(scheduled.message, 'Successfully assigned default/web-1 to node-1');
    assert.equal(scheduled.type, 'Normal');
    assert.equal(scheduled.reportingComponent, 'default-scheduler');
    const failed = evs.find((e) => e.reason === 'FailedScheduling')!;
    assert.equal(failed.type, 'Warning');
    assert.equal(failed.message, cond.message);
    const binding = client.actions.find((a) => a.resource === 'pods/binding')!;
    assert.deepEqual((binding.object as { target: unknown }).target, { apiVersion: 'v1', kind: 'Node', name: 'node-1' });

    // A node that fits appears: the pending pod is retried (NodeAdd) and bound there.
    await client.create(nodes, makeNode('node-4', { cpu: '4' }) as never);
    assert.equal(await until('big bound', () => client.peek(pods, 'default', 'big')?.spec?.nodeName), 'node-4');
  });
});

test('assumed pods count at once: a burst never overcommits a node', async () => {
  const client = new FakeClient();
  client.seed(nodes, makeNode('a', { cpu: '1' }) as never, makeNode('b', { cpu: '1' }) as never);
  const burst = Array.from({ length: 5 }, (_, i) => makePod(`p${i}`, { cpu: '400m' }));
  client.seed(pods, ...(burst as never[]));
  await withScheduler(client, async () => {
    await until('4 bound', () => (client.all(pods) as Pod[]).filter((p) => p.spec?.nodeName).length === 4 || undefined);
    await until('1 unschedulable', () => (client.all(pods) as Pod[]).find((p) => p.status?.conditions?.some((c) => c.reason === 'Unschedulable')));
    const perNode = new Map<string, number>();
    for (const p of client.all(pods) as Pod[]) if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    assert.deepEqual([...perNode.values()], [2, 2]);
    // Deleting a bound pod frees room: the waiting pod is retried (AssignedPodDelete) and bound.
    const victim = (client.all(pods) as Pod[]).find((p) => p.spec?.nodeName)!;
    await client.delete(pods, 'default', victim.metadata!.name!, { gracePeriodSeconds: 0 });
    await until('5th bound', () => (client.all(pods) as Pod[]).filter((p) => p.spec?.nodeName).length === 4 && (client.all(pods) as Pod[]).length === 4 || undefined);
  });
});

test('a failed binding is forgotten and retried', async () => {
  const client = new FakeClient();
  client.seed(nodes, makeNode('a') as never);
  client.seed(pods, makePod('p', { cpu: '1' }) as never);
  client.failNext('create', 'pods/binding', new Error('etcd is away'));
  await withScheduler(client, async () => {
    assert.equal(await until('bound', () => client.peek(pods, 'default', 'p')?.spec?.nodeName), 'a');
    assert.equal(client.actions.filter((a) => a.resource === 'pods/binding').length, 2);
  });
});

test('ignores pods of other schedulers and higher priority pods go first', async () => {
  const client = new FakeClient();
  client.seed(nodes, makeNode('a', { cpu: '1' }) as never);
  client.seed(pods, makePod('other', {}, { schedulerName: 'my-scheduler' }) as never,
    makePod('low', { cpu: '1' }) as never, makePod('high', { cpu: '1' }, { priority: 1000 }) as never);
  await withScheduler(client, async () => {
    assert.equal(await until('high bound', () => client.peek(pods, 'default', 'high')?.spec?.nodeName), 'a');
    await until('low unschedulable', () => client.peek(pods, 'default', 'low')?.status?.conditions?.find((c) => c.reason === 'Unschedulable'));
    assert.equal(client.peek(pods, 'default', 'other')?.spec?.nodeName, undefined);
  });
});

test('preemption evicts lower-priority pods and nominates the node', async () => {
  const client = new FakeClient();
  client.seed(nodes, makeNode('a', { cpu: '1' }) as never);
  client.seed(pods, { ...makePod('low', { cpu: '1' }), spec: { ...makePod('low', { cpu: '1' }).spec!, nodeName: 'a' }, status: { phase: 'Running' } } as never);
  await client.create(pods, makePod('high', { cpu: '1' }, { priority: 100 }) as never);
  await withScheduler(client, async () => {
    const high = await until('nominated', () => { const p = client.peek(pods, 'default', 'high'); return p?.status?.nominatedNodeName ? p : undefined; });
    assert.equal(high.status?.nominatedNodeName, 'a');
    assert.ok(client.actions.some((a) => a.verb === 'delete' && a.name === 'low'));
  });
});

test('numFeasibleNodesToFind follows the adaptive percentage', () => {
  assert.equal(numFeasibleNodesToFind(50), 50);
  assert.equal(numFeasibleNodesToFind(1000), 420);
  assert.equal(numFeasibleNodesToFind(5000), 500);
  assert.equal(numFeasibleNodesToFind(200), 100);
  assert.equal(numFeasibleNodesToFind(1000, 100), 1000);
});
