import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClient } from '../client/testing/fake-client.js';
import { sharedInformerFactory } from '../client/informer.js';
import { services } from '../api/resources/core/services.js';
import { endpointSlices } from '../api/resources/discovery/endpoint-slices.js';
import { silentLogger } from '../base/log.js';
import { sleep } from '../base/async.js';
import { ensureHostGuards } from '../network/host-guards.js';
import { ensureSysctls } from '../network/sysctl.js';
import { canCreateNetns, createTestNode, curlIn } from '../network/testing/netns.js';
import type { TestNode } from '../network/testing/netns.js';
import { proxier } from './proxier.js';
import type { Proxier, SyncInfo } from './proxier.js';
import { cleanupProxyRules } from './cleanup.js';
import { testEndpoint as ep, testService as svc, testSlice as slice } from './testing.js';

// Everything below happens inside network namespaces this test creates: the host's tables,
// routes and links are never touched.
const usable = await canCreateNetns();
let net: TestNode | undefined;
const stop = new AbortController();
const client = new FakeClient();
const syncs: SyncInfo[] = [];
let runs: Promise<void>[] = [];
let p: Proxier | undefined;

async function waitFor(what: string, pred: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

before(async () => {
  if (!usable) return;
  net = await createTestNode({ pods: 2 });
  await ensureSysctls(net.exec, { routeLocalnet: true });
  await ensureHostGuards({ clusterCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16', localServiceIPs: ['10.43.0.10'] }, net.exec);
  await net.serve(net.pods[0]!, 8080, 'pod1');
  await net.serve(net.pods[1]!, 8080, 'pod2');
  const informers = sharedInformerFactory({ client });
  p = proxier({
    informers, exec: net.exec, log: silentLogger, minSyncMs: 10,
    node: { nodeName: 'node-a', nodeIPs: [net.nodeIP], clusterCidr: '10.42.0.0/16', nodeLocalServiceIPs: ['10.43.0.10'] },
    onSync: (info) => syncs.push(info),
  });
  await client.create(services, svc('default', 'web', { clusterIP: '10.43.0.20' }));
  await client.create(endpointSlices, slice('default', 'web', net.pods.map((pod) => ep(pod.ip))));
  await client.create(services, svc('default', 'np', { type: 'NodePort', clusterIP: '10.43.0.21', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 31000 }] }));
  await client.create(endpointSlices, slice('default', 'np', [ep(net.pods[1]!.ip)]));
  await client.create(services, svc('default', 'lb', { type: 'LoadBalancer', clusterIP: '10.43.0.22', ports: [{ name: 'http', port: 8084, protocol: 'TCP', nodePort: 30084 }] }, { loadBalancer: { ingress: [{ ip: net.nodeIP }] } }));
  await client.create(endpointSlices, slice('default', 'lb', [ep(net.pods[0]!.ip)]));
  await client.create(services, svc('default', 'empty', { clusterIP: '10.43.0.23' }));
  runs = [informers.run(stop.signal), p.run(stop.signal)];
  await waitFor('first sync', () => syncs.length > 0);
});

after(async () => {
  stop.abort();
  await Promise.all(runs);
  await net?.destroy();
});

async function answers(exec: TestNode['exec'], url: string, n: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const body = await curlIn(exec, url);
    seen.set(body, (seen.get(body) ?? 0) + 1);
  }
  return seen;
}

test('a ClusterIP answers from the node and load-balances over both endpoints', { skip: !usable && 'needs root to create network namespaces' }, async () => {
  const seen = await answers(net!.exec, 'http://10.43.0.20/', 30);
  assert.deepEqual([...seen.keys()].sort(), ['pod1', 'pod2'], JSON.stringify([...seen]));
});

test('a ClusterIP answers from a pod, including hairpin traffic back to the same pod', { skip: !usable && 'needs root to create network namespaces' }, async () => {
  const seen = await answers(net!.execIn(net!.pods[0]!.netns), 'http://10.43.0.20/', 30);
  assert.deepEqual([...seen.keys()].sort(), ['pod1', 'pod2'], JSON.stringify([...seen]));
});

test('a NodePort answers on the node address from outside, from the node itself and on 127.0.0.1', { skip: !usable && 'needs root to create network namespaces' }, async () => {
  assert.equal(await curlIn(net!.execIn(net!.client), `http://${net!.nodeIP}:31000/`), 'pod2');
  assert.equal(await curlIn(net!.exec, `http://${net!.nodeIP}:31000/`), 'pod2');
  assert.equal(await curlIn(net!.exec, 'http://127.0.0.1:31000/'), 'pod2');
});

test('a LoadBalancer answers on its ingress IP (the node address) on the service port', { skip: !usable && 'needs root to create network namespaces' }, async () => {
  assert.equal(await curlIn(net!.execIn(net!.client), `http://${net!.nodeIP}:8084/`), 'pod1');
  assert.equal(await curlIn(net!.execIn(net!.client), `http://${net!.nodeIP}:30084/`), 'pod1');
});

test('a Service without endpoints is rejected at once (connection refused, not a timeout)', { skip: !usable && 'needs root to create network namespaces' }, async () => {
  const started = Date.now();
  assert.equal(await curlIn(net!.exec, 'http://10.43.0.23/'), 'ERR 7');
  assert.equal(await curlIn(net!.execIn(net!.pods[0]!.netns), 'http://10.43.0.23/'), 'ERR 7');
  assert.ok(Date.now() - started < 1500);
});

test('whenDrained: an endpoint is drained once the rules stop picking it as ready in every Service', { skip: !usable && 'needs root to create network namespaces' }, async () => {
  const stopWaiting = new AbortController();
  const pod2 = net!.pods[1]!.ip;
  const terminating = { ready: false, serving: true, terminating: true };
  const webSlice = client.peek(endpointSlices, 'default', 'web-abcde')!;
  const npSlice = client.peek(endpointSlices, 'default', 'np-abcde')!;
  const synced = async (change: () => Promise<unknown>) => {
    const n = syncs.length;
    await change();
    await waitFor('a sync', () => syncs.length > n);
  };
  try {
    await p!.whenDrained(['10.42.0.99'], stopWaiting.signal);   // in no Service: at once
    let drained = false;
    const waiting = p!.whenDrained([pod2], stopWaiting.signal).then(() => { drained = true; });
    // Terminating in web (pod1 is ready there), but still a ready endpoint of np.
    await synced(() => client.update(endpointSlices, { ...webSlice, endpoints: [ep(net!.pods[0]!.ip), ep(pod2, 'node-a', terminating)] }));
    await sleep(200);
    assert.equal(drained, false, 'still routed as ready by another Service');
    assert.deepEqual([...(await answers(net!.exec, 'http://10.43.0.20/', 15)).keys()], ['pod1'], 'no new connection through web');
    // In np it is the last endpoint: kept as the terminating fallback, which counts as drained.
    await client.update(endpointSlices, { ...npSlice, endpoints: [ep(pod2, 'node-a', terminating)] });
    await waitFor('the drain', () => drained, 3000);
    await waiting;
    assert.equal(await curlIn(net!.execIn(net!.client), `http://${net!.nodeIP}:31000/`), 'pod2', 'the fallback still answers');
    // Ready again everywhere: a new wait stays pending until its signal aborts.
    await synced(() => client.update(endpointSlices, { ...client.peek(endpointSlices, 'default', 'web-abcde')!, endpoints: net!.pods.map((pod) => ep(pod.ip)) }));
    await synced(() => client.update(endpointSlices, { ...client.peek(endpointSlices, 'default', 'np-abcde')!, endpoints: [ep(pod2)] }));
    const aborted = p!.whenDrained([pod2], stopWaiting.signal);
    stopWaiting.abort(new Error('stop waiting'));
    await assert.rejects(aborted, /stop waiting/);
    assert.deepEqual([...(await answers(net!.exec, 'http://10.43.0.20/', 20)).keys()].sort(), ['pod1', 'pod2']);
  } finally {
    stopWaiting.abort();
  }
});

test('endpoint changes reach the rules: a not-ready endpoint stops getting traffic, removing all rejects', { skip: !usable && 'needs root to create network namespaces' }, async () => {
  const s = client.peek(endpointSlices, 'default', 'web-abcde')!;
  const count = syncs.length;
  await client.update(endpointSlices, { ...s, endpoints: [ep(net!.pods[0]!.ip), ep(net!.pods[1]!.ip, 'node-a', { ready: false, serving: false, terminating: true })] });
  await waitFor('a sync', () => syncs.length > count);
  const seen = await answers(net!.exec, 'http://10.43.0.20/', 15);
  assert.deepEqual([...seen.keys()], ['pod1']);
  const partial = syncs.at(-1)!;
  assert.equal(partial.full, false);
  assert.ok(partial.lines < 20, `a partial sync writes only changed chains (${partial.lines} lines)`);
  const count2 = syncs.length;
  await client.delete(endpointSlices, 'default', 'web-abcde');
  await waitFor('a sync', () => syncs.length > count2);
  assert.equal(await curlIn(net!.exec, 'http://10.43.0.20/'), 'ERR 7');
  const { stdout } = await net!.exec('iptables-nft-save', ['-t', 'nat']);
  assert.equal(stdout.match(/^:K8TS-SEP-/gm)?.length, 2, 'stale endpoint chains were deleted (np and lb remain)');
});

test('UDP: conntrack entries to an endpoint that stopped serving are deleted after the sync', { skip: !usable && 'needs root to create network namespaces' }, async () => {
  const [pod1, pod2] = net!.pods;
  const ports = [{ name: 'dns', port: 5353, protocol: 'UDP' as const }];
  const udpSvc = svc('default', 'udp', { clusterIP: '10.43.0.31', ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 }] });
  let n = syncs.length;
  await client.create(services, udpSvc);
  await client.create(endpointSlices, slice('default', 'udp', [ep(pod2!.ip)], ports));
  await waitFor('a sync', () => syncs.length > n);
  const send = () => net!.exec(process.execPath, ['-e', "const s = require('node:dgram').createSocket('udp4'); s.send('x', 53, '10.43.0.31', () => s.close())"]);
  const flowsTo = async () => {
    const { stdout } = await net!.exec('conntrack', ['-L', '-p', 'udp', '--orig-dst', '10.43.0.31']).catch(() => ({ stdout: '' }));
    return stdout;
  };
  await send();
  assert.match(await flowsTo(), new RegExp(`src=${pod2!.ip.replaceAll('.', '\\.')} `), 'a flow DNATed to pod2');
  n = syncs.length;
  await client.update(endpointSlices, { ...client.peek(endpointSlices, 'default', 'udp-abcde')!, endpoints: [ep(pod1!.ip)] });
  await waitFor('a sync', () => syncs.length > n);
  await waitFor('the stale flow deleted', async () => !(await flowsTo()).includes(`src=${pod2!.ip} `), 2000);
  await send();
  assert.match(await flowsTo(), new RegExp(`src=${pod1!.ip.replaceAll('.', '\\.')} `), 'new traffic goes to pod1');
  await client.delete(endpointSlices, 'default', 'udp-abcde');
  await client.delete(services, 'default', 'udp');
});

test('cleanup removes every K8TS chain and jump and nothing else', { skip: !usable && 'needs root to create network namespaces' }, async () => {
  stop.abort();
  await Promise.all(runs);
  await net!.exec('iptables-nft', ['-t', 'nat', '-N', 'SOMEONE-ELSE']);
  assert.ok((await cleanupProxyRules(net!.exec)) > 0);
  const { stdout } = await net!.exec('iptables-nft-save', []);
  assert.doesNotMatch(stdout, /K8TS/);
  assert.match(stdout, /SOMEONE-ELSE/);
  assert.equal(await cleanupProxyRules(net!.exec), 0, 'idempotent');
});
