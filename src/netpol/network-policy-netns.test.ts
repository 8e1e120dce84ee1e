import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClient } from '../client/testing/fake-client.js';
import { sharedInformerFactory } from '../client/informer.js';
import { namespaces } from '../api/resources/core/namespaces.js';
import { pods } from '../api/resources/core/pods.js';
import { services } from '../api/resources/core/services.js';
import { endpointSlices } from '../api/resources/discovery/endpoint-slices.js';
import { networkPolicies } from '../api/resources/networking/network-policies.js';
import { silentLogger } from '../base/log.js';
import { sleep } from '../base/async.js';
import { ensureSysctls } from '../network/sysctl.js';
import { canCreateNetns, createTestNode, curlIn } from '../network/testing/netns.js';
import type { TestNode } from '../network/testing/netns.js';
import { cleanupProxyRules, proxier } from '../proxy/index.js';
import { testEndpoint as ep, testService as svc, testSlice as slice } from '../proxy/testing.js';
import { networkPolicyController } from './network-policy-controller.js';
import type { NetpolSyncInfo } from './network-policy-controller.js';
import { netpolJumpRule } from './apply.js';
import { testNamespace, testPod, testPolicy } from './testing.js';

// Everything happens inside network namespaces this test creates. Four "pods" share one
// bridge in the node namespace, as the CNI bridge plugin puts them; they stand for pods of
// three Kubernetes namespaces: prod (web, api), dev (client, labelled team=b) and qa (tester).
const usable = await canCreateNetns();
const skip = !usable && 'needs root to create network namespaces';
let net: TestNode | undefined;
const stop = new AbortController();
const client = new FakeClient();
const syncs: NetpolSyncInfo[] = [];
let proxySyncs = 0;
let runs: Promise<void>[] = [];
let controller: ReturnType<typeof networkPolicyController> | undefined;
let bridgeNf: string[] = [];

async function waitFor(what: string, pred: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const ip = (i: number) => net!.pods[i]!.ip;
const from = (i: number) => net!.execIn(net!.pods[i]!.netns);
/** One short connection attempt: the body, or `ERR 28` when the SYN was dropped. */
const get = (exec: TestNode['exec'], url: string) => curlIn(exec, url, 1);

async function synced(): Promise<void> {
  const n = syncs.length;
  await waitFor('a network policy sync', () => syncs.length > n);
}

before(async () => {
  if (!usable) return;
  net = await createTestNode({ pods: 4 });
  try {
    // Bridged pod-to-pod traffic reaches iptables only with bridge-nf-call-iptables (per namespace on this kernel).
    bridgeNf = (await ensureSysctls(net.exec)).missing;
    await net.serve(net.pods[0]!, 8080, 'web');
    await net.serve(net.pods[0]!, 9090, 'web-admin');
    for (const [i, reply] of [[1, 'api'], [2, 'client'], [3, 'tester']] as const) await net.serve(net.pods[i]!, 8080, reply);
    for (const ns of [testNamespace('prod'), testNamespace('dev', { team: 'b' }), testNamespace('qa')]) await client.create(namespaces, ns);
    await client.create(pods, testPod('prod', 'web', ip(0), { app: 'web' }, 'node-a', [{ name: 'http', containerPort: 8080 }]));
    await client.create(pods, testPod('prod', 'api', ip(1), { app: 'api' }));
    await client.create(pods, testPod('dev', 'client', ip(2), { app: 'client' }));
    await client.create(pods, testPod('qa', 'tester', ip(3), { app: 'client' }));
    await client.create(services, svc('prod', 'web', { clusterIP: '10.43.0.30' }));
    await client.create(endpointSlices, slice('prod', 'web', [ep(ip(0))]));
    const informers = sharedInformerFactory({ client });
    const p = proxier({
      informers, exec: net.exec, log: silentLogger, minSyncMs: 10,
      node: { nodeName: 'node-a', nodeIPs: [net.nodeIP], clusterCidr: '10.42.0.0/16' },
      onSync: () => { proxySyncs++; },
    });
    controller = networkPolicyController({ informers, exec: net.exec, nodeName: 'node-a', log: silentLogger, minSyncMs: 10, onSync: (info) => syncs.push(info) });
    runs = [informers.run(stop.signal), p.run(stop.signal)];
    await waitFor('first proxy sync', () => proxySyncs > 0);
    runs.push(controller.run(stop.signal));
    await waitFor('first network policy sync', () => syncs.length > 0);
  } catch (err) {
    stop.abort();
    await Promise.all(runs);
    await net.destroy();
    net = undefined;
    throw err;
  }
});

after(async () => {
  stop.abort();
  await Promise.all(runs);
  await net?.destroy();
});

test('bridged traffic goes through iptables in this namespace (br_netfilter)', { skip }, async () => {
  assert.deepEqual(bridgeNf, [], 'net.bridge.bridge-nf-call-iptables exists here');
  const { stdout } = await net!.exec('sysctl', ['-n', 'net.bridge.bridge-nf-call-iptables']);
  assert.equal(stdout.trim(), '1');
});

test('without policies every pod reaches prod/web, directly and through its Service', { skip }, async () => {
  for (const i of [1, 2, 3]) assert.equal(await get(from(i), `http://${ip(0)}:8080/`), 'web');
  assert.equal(await get(from(3), 'http://10.43.0.30/'), 'web');
});

test('deny-all ingress plus allow-from-namespace: dev passes on the allowed port, qa and prod itself are blocked', { skip }, async () => {
  await client.create(networkPolicies, testPolicy('prod', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] }));
  await client.create(networkPolicies, testPolicy('prod', 'web-from-team-b', {
    podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }], ports: [{ protocol: 'TCP', port: 'http' }] }],
  }));
  await waitFor('deny to apply', async () => (await get(from(3), `http://${ip(0)}:8080/`)) === 'ERR 28', 8000);
  assert.equal(await get(from(2), `http://${ip(0)}:8080/`), 'web', 'dev → prod/web on the named port passes');
  assert.equal(await get(from(2), 'http://10.43.0.30/'), 'web', 'through the ClusterIP too (DNAT happens before filtering)');
  assert.equal(await get(from(2), `http://${ip(0)}:9090/`), 'ERR 28', 'another port of prod/web is blocked');
  assert.equal(await get(from(3), `http://${ip(0)}:8080/`), 'ERR 28', 'qa → prod/web is blocked');
  assert.equal(await get(from(3), 'http://10.43.0.30/'), 'ERR 28', 'qa → the Service of prod/web is blocked');
  assert.equal(await get(from(1), `http://${ip(0)}:8080/`), 'ERR 28', 'prod/api is not allowed either');
  assert.equal(await get(from(2), `http://${ip(1)}:8080/`), 'ERR 28', 'prod/api is isolated by deny-all');
  assert.equal(await get(net!.execIn(net!.client), `http://${ip(0)}:8080/`), 'ERR 28', 'off-node clients are blocked');
  assert.equal(await get(net!.exec, `http://${ip(0)}:9090/`), 'web-admin', 'the node itself (kubelet probes) always passes');
  assert.equal(await get(from(0), `http://${ip(3)}:8080/`), 'tester', 'egress of prod/web is not isolated; replies pass');
  assert.equal(await get(from(3), `http://${ip(2)}:8080/`), 'client', 'pods of other namespaces are untouched');
});

test('the jump into the policy chain is moved back above the proxy\'s accept', { skip }, async () => {
  await net!.exec('iptables-nft', ['-t', 'filter', '-D', ...jumpArgs()]);
  await net!.exec('iptables-nft', ['-t', 'filter', '-A', ...jumpArgs()]);
  assert.equal(await get(from(3), `http://${ip(0)}:8080/`), 'web', 'the proxy accepted pod traffic before the policies');
  controller!.sync();
  await waitFor('a full sync', () => syncs.at(-1)?.full === true);
  const { stdout } = await net!.exec('iptables-nft', ['-t', 'filter', '-S', 'FORWARD']);
  assert.equal(stdout.split('\n')[1], netpolJumpRule);
  assert.equal(stdout.split('\n').filter((l) => l.endsWith('-j K8TS-NETPOL')).length, 1);
  assert.equal(await get(from(3), `http://${ip(0)}:8080/`), 'ERR 28');
});

test('an egress policy limits what a pod may reach, and deleting it lifts the limit', { skip }, async () => {
  await client.create(networkPolicies, testPolicy('dev', 'client-egress', {
    podSelector: {}, policyTypes: ['Egress'],
    egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'prod' } }, podSelector: { matchLabels: { app: 'web' } } }] }],
  }));
  await waitFor('egress deny to apply', async () => (await get(from(2), `http://${ip(3)}:8080/`)) === 'ERR 28', 8000);
  assert.equal(await get(from(2), `http://${ip(0)}:8080/`), 'web');
  await client.delete(networkPolicies, 'dev', 'client-egress');
  await waitFor('egress deny to go', async () => (await get(from(2), `http://${ip(3)}:8080/`)) === 'tester', 8000);
});

test('removing the policies restores traffic, and only the changed chains are written', { skip }, async () => {
  await client.delete(networkPolicies, 'prod', 'web-from-team-b');
  await synced();
  assert.equal(syncs.at(-1)!.full, false);
  assert.equal(await get(from(2), `http://${ip(0)}:8080/`), 'ERR 28', 'deny-all alone blocks dev too');
  await client.delete(networkPolicies, 'prod', 'deny-all');
  await waitFor('traffic to return', async () => (await get(from(3), `http://${ip(0)}:8080/`)) === 'web', 8000);
  assert.equal(await get(from(1), `http://${ip(0)}:8080/`), 'web');
  const { stdout } = await net!.exec('iptables-nft-save', ['-t', 'filter']);
  assert.equal(stdout.match(/^:K8TS-NP-[IEPRB]-/gm), null, 'no per-pod or per-policy chain is left');
});

test('k8ts cleanup removes the policy chains and their jump with the proxy\'s', { skip }, async () => {
  stop.abort();
  await Promise.all(runs);
  assert.ok((await cleanupProxyRules(net!.exec)) > 0);
  const { stdout } = await net!.exec('iptables-nft-save', []);
  assert.doesNotMatch(stdout, /K8TS/);
});

function jumpArgs(): string[] {
  return ['FORWARD', '-m', 'comment', '--comment', 'k8ts network policies', '-j', 'K8TS-NETPOL'];
}
