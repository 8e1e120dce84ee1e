import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { FakeClient } from '../client/testing/fake-client.js';
import { nodes, pods } from '../api/resources/core/index.js';
import { leases } from '../api/resources/coordination/index.js';
import { silentLogger } from '../base/log.js';
import { systemClock } from '../base/clock.js';
import { cidrContains, parseCidr } from '../network/cidr.js';
import { simulate, simulatedDurationAnnotation } from './simulator.js';
import { PodIpAllocator, nodeInternalIP } from './addresses.js';
import { parseDuration } from './pod-status.js';

async function until<T>(what: string, fn: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const pod = (name: string, nodeName: string, extra: Partial<Pod['spec']> = {}, annotations?: Record<string, string>): Pod => ({
  metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
  spec: { nodeName, containers: [{ name: 'app', image: 'nginx:1.27' }], ...extra },
  status: { phase: 'Pending', qosClass: 'BestEffort' },
});

test('registers nodes with leases and plays their kubelets', async () => {
  const client = new FakeClient();
  client.seed(nodes, { metadata: { name: 'other' }, spec: {}, status: {} } as never);
  const ac = new AbortController();
  const sim = simulate({ client, log: silentLogger, clock: systemClock }, { nodes: 2, namePrefix: 'sim-', cpu: '32', memory: '256Gi', pods: 110, podCidrFromNode: false, concurrency: 4 });
  const running = sim.run(ac.signal);
  try {
    const n0 = await until('node', () => client.peek(nodes, '', 'sim-0'));
    assert.equal(n0.metadata.labels?.['k8ts.io/simulated'], 'true');
    assert.equal(n0.metadata.labels?.['kubernetes.io/hostname'], 'sim-0');
    assert.equal(n0.status?.allocatable?.cpu, '32');
    assert.equal(n0.status?.allocatable?.pods, '110');
    assert.equal(n0.status?.nodeInfo?.kubeletVersion, 'v1.33.1');
    assert.equal(n0.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal(n0.status?.addresses?.[0]?.address, nodeInternalIP(0));
    const lease = await until('lease', () => client.peek(leases, 'kube-node-lease', 'sim-1'));
    assert.equal(lease.spec?.holderIdentity, 'sim-1');
    assert.equal(lease.spec?.leaseDurationSeconds, 40);
    assert.match(lease.spec?.renewTime ?? '', /\.\d{6}Z$/);

    await client.create(pods, pod('web', 'sim-0') as never);
    await client.create(pods, pod('job', 'sim-1', { restartPolicy: 'Never' }, { [simulatedDurationAnnotation]: '200ms' }) as never);
    await client.create(pods, pod('elsewhere', 'other') as never);
    const web = await until('running', () => { const p = client.peek(pods, 'default', 'web'); return p?.status?.phase === 'Running' ? p : undefined; });
    assert.ok(cidrContains(parseCidr('10.42.0.0/16'), web.status!.podIP!));
    assert.equal(web.status?.hostIP, nodeInternalIP(0));
    assert.deepEqual(web.status?.conditions?.filter((c) => c.status === 'True').map((c) => c.type).sort(),
      ['ContainersReady', 'Initialized', 'PodReadyToStartContainers', 'PodScheduled', 'Ready']);
    const cs = web.status?.containerStatuses?.[0];
    assert.equal(cs?.ready, true);
    assert.equal(cs?.restartCount, 0);
    assert.ok(cs?.state?.running?.startedAt);
    assert.match(cs?.containerID ?? '', /^kwok:\/\//);
    assert.equal(web.status?.qosClass, 'BestEffort');

    const job = await until('job done', () => { const p = client.peek(pods, 'default', 'job'); return p?.status?.phase === 'Succeeded' ? p : undefined; });
    assert.equal(job.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
    assert.equal(job.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 0);

    // Graceful deletion of a bound pod: the kubelet finishes it with grace 0.
    await client.delete(pods, 'default', 'web');
    await until('web gone', () => !client.peek(pods, 'default', 'web') || undefined);
    assert.ok(client.actions.some((a) => a.verb === 'delete' && a.name === 'web' && a.options?.gracePeriodSeconds === 0));
    assert.equal(client.peek(pods, 'default', 'elsewhere')?.status?.phase, 'Pending');
  } finally {
    ac.abort();
    await running;
  }
});

test('pod IPs are unique per node and reused after release', () => {
  const a = PodIpAllocator.ofCidr('10.42.3.0/24');
  assert.equal(a.allocate('ns/a'), '10.42.3.2');
  assert.equal(a.allocate('ns/b'), '10.42.3.3');
  assert.equal(a.allocate('ns/a'), '10.42.3.2');
  a.release('ns/a');
  assert.equal(a.allocate('ns/c'), '10.42.3.2');
});

test('parses Go-style durations', () => {
  assert.equal(parseDuration('1s'), 1000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('soon'), undefined);
});
