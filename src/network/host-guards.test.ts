import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkClusterRanges, hostGuardCommands } from './host-guards.js';
import { cniConfList } from './cni-config.js';
import { desiredPodRoutes, planPodRoutes } from './node-routes.js';
import { nodeSysctls } from './sysctl.js';
import type { NodeObject } from '../api/resources/core/nodes.js';

const cfg = { clusterCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16', localServiceIPs: ['10.43.0.10'], resolvers: ['10.255.255.53'] };

test('the default ranges are safe; /8s, resolver-covering, overlapping and malformed ranges are refused', () => {
  assert.deepEqual(checkClusterRanges(cfg), []);
  assert.match(checkClusterRanges({ ...cfg, clusterCidr: '10.0.0.0/8' }).join(), /\/8 or wider/);
  assert.match(checkClusterRanges({ ...cfg, serviceCidr: '10.255.0.0/16' }).join(), /covers the host resolver 10\.255\.255\.53/);
  assert.match(checkClusterRanges({ ...cfg, serviceCidr: '10.42.128.0/17' }).join(), /overlaps/);
  assert.match(checkClusterRanges({ ...cfg, clusterCidr: 'nope' }).join(), /not an IPv4 CIDR/);
  assert.match(checkClusterRanges({ ...cfg, localServiceIPs: ['10.44.0.10'] }).join(), /outside the service CIDR/);
});

test('guard commands: sink bridge up with the DNS IP, service CIDR to the sink, cluster CIDR unreachable, all tagged', () => {
  assert.deepEqual(hostGuardCommands(cfg), [
    ['link', 'set', 'k8ts-svc0', 'up'],
    ['addr', 'replace', '10.43.0.10/32', 'dev', 'k8ts-svc0'],
    ['route', 'replace', '10.43.0.0/16', 'dev', 'k8ts-svc0', 'proto', '147'],
    ['route', 'replace', 'unreachable', '10.42.0.0/16', 'proto', '147'],
  ]);
});

test('the CNI conflist: bridge k8ts0 as gateway with hairpin and no ipMasq, host-local over the pod CIDR, portmap', () => {
  const c = cniConfList({ podCidr: '10.42.3.0/24', ipamDataDir: '/var/lib/k8ts/cni' });
  assert.equal(c.cniVersion, '1.0.0');
  assert.deepEqual(c.plugins.map((p) => p.type), ['bridge', 'portmap']);
  assert.deepEqual(c.plugins[0], {
    type: 'bridge', bridge: 'k8ts0', isGateway: true, ipMasq: false, hairpinMode: true,
    ipam: { type: 'host-local', ranges: [[{ subnet: '10.42.3.0/24' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: '/var/lib/k8ts/cni' },
  });
  assert.deepEqual(c.plugins[1], { type: 'portmap', snat: true, capabilities: { portMappings: true } });
  assert.throws(() => cniConfList({ podCidr: '' }));
});

const node = (name: string, podCIDR: string | undefined, ip: string | undefined): NodeObject => ({
  metadata: { name }, spec: podCIDR ? { podCIDR } : {},
  status: ip ? { addresses: [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: ip }] } : {},
});

test('host-gw routes: every peer with a pod CIDR and an InternalIP, never ourselves; plan adds, changes and removes', () => {
  const desired = desiredPodRoutes([node('a', '10.42.0.0/24', '192.168.1.10'), node('b', '10.42.1.0/24', '192.168.1.11'), node('c', undefined, '192.168.1.12'), node('d', '10.42.3.0/24', undefined)], 'a');
  assert.deepEqual(desired, [{ dst: '10.42.1.0/24', via: '192.168.1.11' }]);
  const plan = planPodRoutes([{ dst: '10.42.1.0/24', via: '192.168.1.11' }, { dst: '10.42.2.0/24', via: '192.168.1.12' }], [
    { dst: '10.42.1.0/24', gateway: '192.168.1.99' },
    { dst: '10.42.9.0/24', gateway: '192.168.1.19' },
    { dst: '10.42.0.0/16', type: 'unreachable' },
    { dst: '10.43.0.0/16', dev: 'k8ts-svc0' },
  ]);
  assert.deepEqual(plan, {
    add: [{ dst: '10.42.1.0/24', via: '192.168.1.11' }, { dst: '10.42.2.0/24', via: '192.168.1.12' }],
    remove: [{ dst: '10.42.9.0/24', via: '192.168.1.19' }],
  });
});

test('sysctls: forwarding and bridge netfilter always, route_localnet on request', () => {
  assert.deepEqual(nodeSysctls().map((s) => s.key), ['net.ipv4.ip_forward', 'net.bridge.bridge-nf-call-iptables']);
  assert.ok(nodeSysctls({ routeLocalnet: true }).some((s) => s.key === 'net.ipv4.conf.all.route_localnet'));
});
