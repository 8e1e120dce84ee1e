import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podDnsConfig } from './pod-dns.js';
import { formatResolvConf, parseResolvConf } from './resolv-conf.js';

const host = parseResolvConf('# host\nnameserver 10.255.255.53\nnameserver 127.0.0.53\nsearch corp.example\noptions edns0 timeout:2\n');
const params = { clusterDns: ['10.43.0.10'], clusterDomain: 'cluster.local', hostResolvConf: host };
const pod = (spec: object, ns = 'team') => ({ metadata: { name: 'p', namespace: ns }, spec: { containers: [], ...spec } });

test('parses resolv.conf: nameservers in order, the last search line, options', () => {
  assert.deepEqual(host, { nameservers: ['10.255.255.53', '127.0.0.53'], searches: ['corp.example'], options: ['edns0', 'timeout:2'] });
  assert.equal(formatResolvConf({ nameservers: ['10.43.0.10'], searches: ['a', 'b'], options: ['ndots:5'] }), 'search a b\nnameserver 10.43.0.10\noptions ndots:5\n');
});

test('ClusterFirst (the default): cluster DNS, the namespace search path, ndots:5, then the host searches', () => {
  assert.deepEqual(podDnsConfig(pod({}), params), {
    servers: ['10.43.0.10'],
    searches: ['team.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'],
    options: ['ndots:5'],
  });
});

test('Default copies the host without loopback resolvers; hostNetwork pods fall back to Default unless ClusterFirstWithHostNet', () => {
  const def = { servers: ['10.255.255.53'], searches: ['corp.example'], options: ['edns0', 'timeout:2'] };
  assert.deepEqual(podDnsConfig(pod({ dnsPolicy: 'Default' }), params), def);
  assert.deepEqual(podDnsConfig(pod({ hostNetwork: true }), params).servers, ['10.255.255.53', '127.0.0.53']);
  assert.deepEqual(podDnsConfig(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), params).servers, ['10.43.0.10']);
  assert.deepEqual(podDnsConfig(pod({}), { ...params, clusterDns: [] }), def, 'no cluster DNS configured');
});

test('None plus dnsConfig; dnsConfig merges into ClusterFirst with options overridden by name', () => {
  const none = pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['x.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } });
  assert.deepEqual(podDnsConfig(none, params), { servers: ['1.1.1.1'], searches: ['x.example'], options: ['ndots:2', 'edns0'] });
  const merged = pod({ dnsConfig: { nameservers: ['10.43.0.10', '8.8.8.8', '9.9.9.9', '1.1.1.1'], searches: ['svc.cluster.local', 'extra'], options: [{ name: 'ndots', value: '1' }] } });
  assert.deepEqual(podDnsConfig(merged, params), {
    servers: ['10.43.0.10', '8.8.8.8', '9.9.9.9'],
    searches: ['team.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'extra'],
    options: ['ndots:1'],
  });
});
