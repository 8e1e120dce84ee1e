import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClient } from '../client/testing/fake-client.js';
import { sharedInformerFactory } from '../client/informer.js';
import { workQueue } from '../client/work-queue.js';
import { services } from '../api/resources/core/services.js';
import { nodes } from '../api/resources/core/nodes.js';
import { silentLogger } from '../base/log.js';
import { boundedFrequencyRunner } from './bounded-frequency-runner.js';
import { lbIngress, serviceLbController } from './service-lb.js';
import { testService as svc } from './testing.js';
import type { NodeObject } from '../api/resources/core/nodes.js';

const node = (name: string, ip: string, ready = 'True', labels: Record<string, string> = {}): NodeObject => ({
  metadata: { name, labels },
  status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }], conditions: [{ type: 'Ready', status: ready }] },
});

test('ingress is the Ready nodes\' InternalIPs, or the labelled ones when any node is labelled', () => {
  assert.deepEqual(lbIngress([node('b', '192.168.1.11'), node('a', '192.168.1.10'), node('c', '192.168.1.12', 'False')]), [{ ip: '192.168.1.10' }, { ip: '192.168.1.11' }]);
  assert.deepEqual(lbIngress([node('a', '192.168.1.10'), node('b', '192.168.1.11', 'True', { 'svccontroller.k3s.cattle.io/enablelb': 'true' })]), [{ ip: '192.168.1.11' }]);
});

test('the controller writes status.loadBalancer.ingress, leaves a port clash pending, and clears it when the type changes', async () => {
  const client = new FakeClient();
  await client.create(nodes, node('a', '192.168.1.10'));
  await client.create(services, svc('default', 'dino', { type: 'LoadBalancer', clusterIP: '10.43.0.30', ports: [{ port: 8084, protocol: 'TCP', nodePort: 30084 }] }));
  await client.create(services, { ...svc('default', 'late', { type: 'LoadBalancer', clusterIP: '10.43.0.31', ports: [{ port: 8084, protocol: 'TCP', nodePort: 30085 }] }), metadata: { name: 'late', namespace: 'default', creationTimestamp: '2025-02-01T00:00:00Z' } });
  const informers = sharedInformerFactory({ client });
  const ctl = serviceLbController({ informers, client, queue: workQueue(), log: silentLogger });
  const stop = new AbortController();
  const running = informers.run(stop.signal);
  await informers.waitForSync(stop.signal);
  await ctl.sync('default/dino', stop.signal);
  await ctl.sync('default/late', stop.signal);
  assert.deepEqual(client.peek(services, 'default', 'dino')!.status?.loadBalancer, { ingress: [{ ip: '192.168.1.10' }] });
  assert.equal(client.peek(services, 'default', 'late')!.status?.loadBalancer?.ingress, undefined, 'port 8084 is taken: pending');
  const writes = client.actions.length;
  await new Promise((r) => setImmediate(r));
  await ctl.sync('default/dino', stop.signal);
  assert.equal(client.actions.length, writes, 'no write when nothing changed');
  const cur = client.peek(services, 'default', 'dino')!;
  await client.update(services, { ...cur, spec: { ...cur.spec, type: 'ClusterIP', ports: [{ port: 8084, protocol: 'TCP' }] } });
  await new Promise((r) => setTimeout(r, 20));
  await ctl.sync('default/dino', stop.signal);
  assert.deepEqual(client.peek(services, 'default', 'dino')!.status?.loadBalancer, {});
  stop.abort();
  await running;
});

test('the bounded-frequency runner coalesces triggers, runs a burst, then waits minInterval', async () => {
  const times: number[] = [];
  const runner = boundedFrequencyRunner({ fn: async () => { times.push(performance.now()); }, minIntervalMs: 100, maxIntervalMs: 60_000, burst: 2, log: silentLogger });
  const stop = new AbortController();
  const done = runner.run(stop.signal);
  runner.trigger(); runner.trigger(); runner.trigger();
  await new Promise((r) => setTimeout(r, 20));
  runner.trigger();
  await new Promise((r) => setTimeout(r, 20));
  runner.trigger();
  await new Promise((r) => setTimeout(r, 250));
  stop.abort();
  await done;
  assert.equal(times.length, 3, `three coalesced runs: ${times.map((t) => (t - times[0]!).toFixed(0)).join(',')}`);
  assert.ok(times[2]! - times[1]! >= 60, 'the third run waited for a token');
});
