import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkPolicyObject } from '../api/resources/networking/network-policies.js';
import type { PodObject } from '../api/resources/core/pods.js';
import { renderNetpolRules } from './rules.js';
import { evaluate, testNamespace as nsObj, testPod as pod, testPolicy as policy } from './testing.js';
import type { TestPacket } from './testing.js';

const node = { nodeName: 'node-a' };
const namespaces = [nsObj('prod', { team: 'a' }), nsObj('dev', { team: 'b' }), nsObj('other')];
const IP = { web: '10.42.0.11', db: '10.42.0.12', client: '10.42.0.21', x: '10.42.0.31', remote: '10.42.1.11', remoteWeb: '10.42.1.12' };
const basePods: PodObject[] = [
  pod('prod', 'web', IP.web, { app: 'web' }, 'node-a', [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }]),
  pod('prod', 'db', IP.db, { app: 'db' }, 'node-a', [{ name: 'http', containerPort: 5432 }]),
  pod('dev', 'client', IP.client, { app: 'client' }),
  pod('other', 'x', IP.x, { app: 'client' }),
  pod('prod', 'remote-client', IP.remote, { app: 'client' }, 'node-b'),
  pod('prod', 'remote-web', IP.remoteWeb, { app: 'web' }, 'node-b', [{ name: 'http', containerPort: 9090 }]),
];

function verdicts(policies: NetworkPolicyObject[], packets: Record<string, TestPacket>, pods = basePods): Record<string, string> {
  const set = renderNetpolRules(policies, pods, namespaces, node);
  return Object.fromEntries(Object.entries(packets).map(([k, p]) => [k, evaluate(set, p)]));
}

const tcp = (src: string, dst: string, dport = 8080): TestPacket => ({ src, dst, protocol: 'tcp', dport });

test('without policies nothing is isolated: every packet passes and no per-pod chain exists', () => {
  const set = renderNetpolRules([], basePods, namespaces, node);
  assert.deepEqual(set.filter.map((c) => c.name), ['K8TS-NETPOL', 'K8TS-NP-EGRESS', 'K8TS-NP-INGRESS']);
  assert.equal(evaluate(set, tcp(IP.client, IP.web)), 'PASS');
  assert.deepEqual(set.nat, []);
});

test('deny-all ingress isolates every pod of its namespace on this node, and only for ingress', () => {
  const denyAll = policy('prod', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] });
  assert.deepEqual(verdicts([denyAll], {
    fromOtherNs: tcp(IP.client, IP.web),
    fromSameNs: tcp(IP.db, IP.web),
    fromRemoteNode: tcp(IP.remote, IP.db, 5432),
    fromOutside: tcp('192.168.1.5', IP.web),
    reply: { ...tcp(IP.client, IP.web), state: 'ESTABLISHED' },
    related: { ...tcp(IP.client, IP.web), state: 'RELATED' },
    hairpinToItself: tcp(IP.web, IP.web),
    egressNotIsolated: tcp(IP.web, IP.client),
    otherNsUnaffected: tcp(IP.web, IP.x),
    remotePodNotOurs: tcp(IP.client, IP.remoteWeb),
  }), {
    fromOtherNs: 'DROP', fromSameNs: 'DROP', fromRemoteNode: 'DROP', fromOutside: 'DROP', reply: 'PASS', related: 'PASS',
    hairpinToItself: 'PASS', egressNotIsolated: 'PASS', otherNsUnaffected: 'PASS', remotePodNotOurs: 'PASS',
  });
});

test('policyTypes default to Ingress: a policy with no rules and no types denies ingress', () => {
  assert.deepEqual(verdicts([policy('prod', 'p', { podSelector: { matchLabels: { app: 'web' } } })], {
    toWeb: tcp(IP.client, IP.web), toDb: tcp(IP.client, IP.db, 5432), fromWeb: tcp(IP.web, IP.client),
  }), { toWeb: 'DROP', toDb: 'PASS', fromWeb: 'PASS' });
});

test('allow from a namespace selector on a port, beside deny-all: policies are ORed', () => {
  const policies = [
    policy('prod', 'deny-all', { podSelector: {} }),
    policy('prod', 'web-from-team-b', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }] }),
  ];
  assert.deepEqual(verdicts(policies, {
    allowed: tcp(IP.client, IP.web),
    wrongPort: tcp(IP.client, IP.web, 9090),
    udp: { ...tcp(IP.client, IP.web), protocol: 'udp' },
    wrongNs: tcp(IP.x, IP.web),
    sameNsNotSelected: tcp(IP.db, IP.web),
    otherPod: tcp(IP.client, IP.db),
  }), { allowed: 'PASS', wrongPort: 'DROP', udp: 'DROP', wrongNs: 'DROP', sameNsNotSelected: 'DROP', otherPod: 'DROP' });
});

test('namespaceSelector and podSelector in one peer are ANDed; in two peers ORed; podSelector alone is the policy namespace', () => {
  const and = policy('prod', 'and', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'client' } } }] }] });
  const or = policy('prod', 'or', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }, { podSelector: { matchLabels: { app: 'db' } } }] }] });
  const sameNs = policy('prod', 'same', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }] });
  assert.deepEqual(verdicts([and], { client: tcp(IP.client, IP.web), x: tcp(IP.x, IP.web), db: tcp(IP.db, IP.web), remote: tcp(IP.remote, IP.web) }),
    { client: 'PASS', x: 'PASS', db: 'DROP', remote: 'PASS' });
  assert.deepEqual(verdicts([or], { client: tcp(IP.client, IP.web), x: tcp(IP.x, IP.web), db: tcp(IP.db, IP.web), remote: tcp(IP.remote, IP.web) }),
    { client: 'PASS', x: 'DROP', db: 'PASS', remote: 'DROP' });
  assert.deepEqual(verdicts([sameNs], { client: tcp(IP.client, IP.web), remote: tcp(IP.remote, IP.web) }), { client: 'DROP', remote: 'PASS' });
});

test('the kubernetes.io/metadata.name label selects a namespace by name', () => {
  const p = policy('prod', 'by-name', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } } }] }] });
  assert.deepEqual(verdicts([p], { x: tcp(IP.x, IP.web), client: tcp(IP.client, IP.web) }), { x: 'PASS', client: 'DROP' });
});

test('ipBlock with except, and empty rules that allow everything', () => {
  const block = policy('prod', 'block', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } }, { ipBlock: { cidr: '172.16.0.1/32' } }, { ipBlock: { cidr: '2001:db8::/32' } }] }] });
  assert.deepEqual(verdicts([block], { inside: tcp('192.168.2.9', IP.web), excepted: tcp('192.168.1.9', IP.web), host: tcp('172.16.0.1', IP.web), outside: tcp('10.1.1.1', IP.web) }),
    { inside: 'PASS', excepted: 'DROP', host: 'PASS', outside: 'DROP' });
  const allowAll = policy('prod', 'all', { podSelector: {}, ingress: [{}] });
  assert.deepEqual(verdicts([block, allowAll], { any: tcp('10.1.1.1', IP.web, 1) }), { any: 'PASS' });
  const emptyLists = policy('prod', 'empty-lists', { podSelector: {}, ingress: [{ from: [], ports: [] }] });
  assert.deepEqual(verdicts([emptyLists], { any: tcp('10.1.1.1', IP.db, 1) }), { any: 'PASS' });
});

test('ports: ranges with endPort, protocol only, UDP and SCTP, named ports resolved per destination pod', () => {
  const p = policy('prod', 'ports', { podSelector: {}, ingress: [{ ports: [{ protocol: 'TCP', port: 7000, endPort: 7010 }, { protocol: 'UDP' }, { protocol: 'SCTP', port: 3868 }, { protocol: 'TCP', port: 'http' }] }] });
  assert.deepEqual(verdicts([p], {
    rangeLow: tcp(IP.client, IP.web, 7000), rangeHigh: tcp(IP.client, IP.web, 7010), rangeOut: tcp(IP.client, IP.web, 7011),
    anyUdp: { src: IP.client, dst: IP.db, protocol: 'udp', dport: 1 },
    sctp: { src: IP.client, dst: IP.db, protocol: 'sctp', dport: 3868 }, sctpOther: { src: IP.client, dst: IP.db, protocol: 'sctp', dport: 1 },
    webHttp: tcp(IP.client, IP.web, 8080), dbHttpIsItsOwnPort: tcp(IP.client, IP.db, 5432), dbNot8080: tcp(IP.client, IP.db, 8080),
  }), {
    rangeLow: 'PASS', rangeHigh: 'PASS', rangeOut: 'DROP', anyUdp: 'PASS', sctp: 'PASS', sctpOther: 'DROP',
    webHttp: 'PASS', dbHttpIsItsOwnPort: 'PASS', dbNot8080: 'DROP',
  });
  const udpName = policy('prod', 'udp-name', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP', port: 'dns' }, { protocol: 'TCP', port: 'dns' }] }] });
  assert.deepEqual(verdicts([udpName], { udp: { src: IP.client, dst: IP.web, protocol: 'udp', dport: 5353 }, tcp: tcp(IP.client, IP.web, 5353) }), { udp: 'PASS', tcp: 'DROP' });
});

test('egress rules without policyTypes isolate both ways (Ingress is always defaulted); egress peers and ports; replies pass', () => {
  const p = policy('prod', 'web-egress', {
    podSelector: { matchLabels: { app: 'web' } },
    egress: [
      { to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ],
  });
  assert.deepEqual(verdicts([p], {
    toDb: tcp(IP.web, IP.db, 5432), toDbOtherPort: tcp(IP.web, IP.db, 22), toInternet: tcp(IP.web, '1.1.1.1', 443), toInternet80: tcp(IP.web, '1.1.1.1', 80),
    toClusterRange: tcp(IP.web, IP.client, 443), ingressIsolatedToo: tcp(IP.client, IP.web), dbEgressOpen: tcp(IP.db, IP.client),
    reply: { ...tcp(IP.web, IP.client), state: 'ESTABLISHED' },
  }), {
    toDb: 'PASS', toDbOtherPort: 'DROP', toInternet: 'PASS', toInternet80: 'DROP', toClusterRange: 'DROP', ingressIsolatedToo: 'DROP', dbEgressOpen: 'PASS', reply: 'PASS',
  });
});

test('egress named ports resolve against the destination pod; explicit Ingress-only types ignore egress rules', () => {
  const named = policy('prod', 'named', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'TCP', port: 'http' }] }] });
  const local = [...basePods, pod('prod', 'local-client', '10.42.0.41', { app: 'client' })];
  assert.deepEqual(verdicts([named], {
    toWeb: tcp('10.42.0.41', IP.web, 8080), toDb: tcp('10.42.0.41', IP.db, 5432), toRemoteWeb: tcp('10.42.0.41', IP.remoteWeb, 9090),
    wrongPort: tcp('10.42.0.41', IP.remoteWeb, 8080), external: tcp('10.42.0.41', '1.1.1.1', 8080),
  }, local), { toWeb: 'PASS', toDb: 'PASS', toRemoteWeb: 'PASS', wrongPort: 'DROP', external: 'DROP' });
  const ingressOnly = policy('prod', 'ingress-only', { podSelector: {}, policyTypes: ['Ingress'], egress: [{ ports: [{ port: 1 }] }] });
  assert.deepEqual(verdicts([ingressOnly], { egress: tcp(IP.web, '1.1.1.1', 80) }), { egress: 'PASS' });
  const egressOnly = policy('prod', 'egress-only', { podSelector: {}, policyTypes: ['Egress'] });
  assert.deepEqual(verdicts([egressOnly], { egress: tcp(IP.web, '1.1.1.1', 80), ingress: tcp(IP.client, IP.web) }), { egress: 'DROP', ingress: 'PASS' });
});

test('both checks apply between two local pods: the sender\'s egress and the receiver\'s ingress', () => {
  const devEgress = policy('dev', 'to-prod', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { team: 'a' } } }] }] });
  const prodIngress = policy('prod', 'from-dev', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }] }] });
  assert.deepEqual(verdicts([devEgress, prodIngress], { toWeb: tcp(IP.client, IP.web), toDb: tcp(IP.client, IP.db), toOther: tcp(IP.client, IP.x) }),
    { toWeb: 'PASS', toDb: 'PASS', toOther: 'DROP' });
  const dbDeny = policy('prod', 'db-deny', { podSelector: { matchLabels: { app: 'db' } } });
  assert.deepEqual(verdicts([devEgress, prodIngress, dbDeny], { toDb: tcp(IP.client, IP.db) }), { toDb: 'DROP' });
});

test('hostNetwork, finished and address-less pods are neither isolated nor peers', () => {
  const hostNet: PodObject = { ...pod('prod', 'hostnet', '192.168.77.1', { app: 'web' }), spec: { nodeName: 'node-a', hostNetwork: true, containers: [] } };
  const done: PodObject = { ...pod('dev', 'done', '10.42.0.50', { app: 'client' }), status: { phase: 'Succeeded', podIP: '10.42.0.50' } };
  const pending: PodObject = { ...pod('prod', 'pending', '', { app: 'web' }), status: { phase: 'Pending' } };
  const p = policy('prod', 'web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }] }] });
  const set = renderNetpolRules([p], [...basePods, hostNet, done, pending], namespaces, node);
  assert.equal(evaluate(set, tcp(IP.client, '192.168.77.1')), 'PASS');
  assert.equal(evaluate(set, tcp('10.42.0.50', IP.web)), 'DROP');
  assert.equal(set.filter.find((c) => c.name === 'K8TS-NP-INGRESS')!.rules.length, 1, 'only prod/web is dispatched');
});

test('rendering is deterministic, chain names fit iptables and policies without local pods write nothing', () => {
  const policies = [
    policy('prod', 'b', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] }),
    policy('prod', 'a', { podSelector: { matchLabels: { app: 'web' } }, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.42.0.0/16'] } }] }] }),
    policy('nowhere', 'c', { podSelector: {} }),
  ];
  const one = renderNetpolRules(policies, basePods, namespaces, node);
  const two = renderNetpolRules([...policies].reverse(), [...basePods].reverse(), [...namespaces].reverse(), node);
  assert.deepEqual(one, two);
  for (const c of one.filter) {
    assert.ok(c.name.length <= 28, c.name);
    for (const r of c.rules) assert.ok(r.startsWith(`-A ${c.name} `), r);
  }
  const text = JSON.stringify(one);
  assert.doesNotMatch(text, /nowhere/);
  assert.match(text, /prod\/a egress\[0\]/, 'rules carry a comment naming the policy and rule');
  const otherNode = renderNetpolRules(policies, basePods, namespaces, { nodeName: 'node-c' });
  assert.equal(otherNode.filter.length, 3, 'a node without selected pods has only the fixed chains');
});
