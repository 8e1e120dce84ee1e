import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../base/log.js';
import { canCreateNetns, createTestNode } from './testing/netns.js';
import type { TestNode } from './testing/netns.js';
import { ensureHostGuards, listOwnedRoutes } from './host-guards.js';
import { syncPodRoutes } from './node-routes.js';
import { cleanupNetwork } from './cleanup.js';
import { ensureSysctls } from './sysctl.js';

const usable = await canCreateNetns();
const skip = !usable && 'needs root to create network namespaces';
let net: TestNode | undefined;
before(async () => { if (usable) net = await createTestNode({ pods: 1 }); });
after(async () => { await net?.destroy(); });

test('guards install idempotently: nothing to unowned pod CIDRs leaves, service CIDR goes to the sink', { skip }, async () => {
  const cfg = { clusterCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16', localServiceIPs: ['10.43.0.10'] };
  await ensureHostGuards(cfg, net!.exec);
  await ensureHostGuards(cfg, net!.exec);
  const get = async (ip: string) => (await net!.exec('ip', ['route', 'get', ip]).then((r) => r.stdout, (e: Error) => e.message));
  assert.match(await get('10.42.7.7'), /unreachable|No route to host/i, 'a pod CIDR nobody owns');
  assert.match(await get('10.42.0.11'), /dev k8ts0/, 'our own pod CIDR (the bridge) is more specific');
  assert.match(await get('10.43.1.2'), /dev k8ts-svc0/);
  assert.match(await get('10.43.0.10'), /^local 10\.43\.0\.10/, 'the cluster DNS IP is local to the node');
  await assert.rejects(ensureHostGuards({ ...cfg, clusterCidr: '10.0.0.0/8' }, net!.exec), /\/8 or wider/);
  const sys = await ensureSysctls(net!.exec, { routeLocalnet: true });
  assert.ok(sys.set.includes('net.ipv4.ip_forward'));
});

test('host-gw routes to peers are added, replaced and removed; cleanup removes every route and the bridges', { skip }, async () => {
  await syncPodRoutes([{ dst: '10.42.1.0/24', via: '192.168.77.2' }], net!.exec, silentLogger);
  assert.deepEqual((await listOwnedRoutes(net!.exec)).filter((r) => r.gateway).map((r) => `${r.dst} ${r.gateway}`), ['10.42.1.0/24 192.168.77.2']);
  await syncPodRoutes([], net!.exec, silentLogger);
  assert.deepEqual((await listOwnedRoutes(net!.exec)).filter((r) => r.gateway), []);
  await assert.rejects(syncPodRoutes([{ dst: '10.42.2.0/24', via: '172.31.0.9' }], net!.exec, silentLogger), /route\(s\) failed/, 'an off-link gateway is reported');
  await cleanupNetwork(net!.exec);
  assert.deepEqual(await listOwnedRoutes(net!.exec), []);
  const links = (await net!.exec('ip', ['-br', 'link'])).stdout;
  assert.doesNotMatch(links, /k8ts-svc0|k8ts0/);
  await cleanupNetwork(net!.exec);
});
