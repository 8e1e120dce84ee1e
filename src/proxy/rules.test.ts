import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRestore, jumpRules, probability, renderCache, renderRules } from './rules.js';
import type { RuleSet } from './rules.js';
import { testService as svc, testSlice as slice, testEndpoint as ep } from './testing.js';
import { isOwnedChain } from './chain-names.js';

const node = { nodeName: 'node-a', nodeIPs: ['192.168.1.10'], clusterCidr: '10.42.0.0/16', nodeLocalServiceIPs: ['10.43.0.10'] };
const services = [
  svc('default', 'web', { clusterIP: '10.43.0.20' }),
  svc('default', 'np', { type: 'NodePort', clusterIP: '10.43.0.21', ports: [{ name: '', port: 8080, protocol: 'TCP', nodePort: 31000 }] }),
  svc('default', 'lb', { type: 'LoadBalancer', clusterIP: '10.43.0.22', externalTrafficPolicy: 'Local', loadBalancerSourceRanges: ['192.168.1.0/24'], ports: [{ name: 'http', port: 8084, protocol: 'TCP', nodePort: 30500 }] }, { loadBalancer: { ingress: [{ ip: '192.168.1.10' }] } }),
  svc('default', 'empty', { type: 'NodePort', clusterIP: '10.43.0.23', ports: [{ name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 }] }),
  svc('default', 'sticky', { clusterIP: '10.43.0.24', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } } }),
  svc('default', 'headless', { clusterIP: 'None' }),
  svc('default', 'ext', { type: 'ExternalName', externalName: 'example.com' }),
  svc('kube-system', 'kube-dns', { clusterIP: '10.43.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }),
];
const slices = [
  slice('default', 'web', [ep('10.42.0.5'), ep('10.42.1.7', 'node-b'), ep('10.42.0.9', 'node-a', { ready: false, serving: false, terminating: false })]),
  slice('default', 'np', [ep('10.42.1.8', 'node-b')], [{ name: '', port: 80, protocol: 'TCP' }]),
  slice('default', 'lb', [ep('10.42.0.6'), ep('10.42.1.6', 'node-b')], [{ name: 'http', port: 8080, protocol: 'TCP' }]),
  slice('default', 'sticky', [ep('10.42.0.10', 'node-a', { ready: false, serving: true, terminating: true }), ep('10.42.1.10', 'node-b', { ready: false, serving: true, terminating: true })]),
];

const golden = `*filter
:K8TS-SERVICES - [0:0]
:K8TS-EXTERNAL-SERVICES - [0:0]
:K8TS-FORWARD - [0:0]
:K8TS-NODEPORTS - [0:0]
:K8TS-PROXY-FIREWALL - [0:0]
:K8TS-FIREWALL - [0:0]
-A K8TS-SERVICES -m comment --comment "default/empty:dns has no endpoints" -p udp -m udp -d 10.43.0.23/32 --dport 53 -j REJECT --reject-with icmp-port-unreachable
-A K8TS-EXTERNAL-SERVICES -m comment --comment "default/empty:dns has no endpoints" -m addrtype --dst-type LOCAL -p udp -m udp --dport 30053 -j REJECT --reject-with icmp-port-unreachable
-A K8TS-FORWARD -m conntrack --ctstate INVALID -j DROP
-A K8TS-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A K8TS-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A K8TS-FORWARD -s 10.42.0.0/16 -m comment --comment "k8ts pod traffic" -j ACCEPT
-A K8TS-FORWARD -d 10.42.0.0/16 -m comment --comment "k8ts pod traffic" -j ACCEPT
-A K8TS-PROXY-FIREWALL -m comment --comment "default/lb:http traffic not accepted by K8TS-FW-JSLCNGWSGB5JPS5Q" -p tcp -m tcp -d 192.168.1.10/32 --dport 8084 -j DROP
-A K8TS-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
COMMIT
*nat
:K8TS-SERVICES - [0:0]
:K8TS-NODEPORTS - [0:0]
:K8TS-POSTROUTING - [0:0]
:K8TS-MARK-MASQ - [0:0]
:K8TS-SVC-JSLCNGWSGB5JPS5Q - [0:0]
:K8TS-EXT-JSLCNGWSGB5JPS5Q - [0:0]
:K8TS-FW-JSLCNGWSGB5JPS5Q - [0:0]
:K8TS-SVL-JSLCNGWSGB5JPS5Q - [0:0]
:K8TS-SEP-JXPF3Z4NFPJFCM7O - [0:0]
:K8TS-SEP-3FGXUESXE5U4NPKP - [0:0]
:K8TS-SVC-LDATH6LIB7VCFHLW - [0:0]
:K8TS-EXT-LDATH6LIB7VCFHLW - [0:0]
:K8TS-SEP-GUGRWCFY6C7OEK3F - [0:0]
:K8TS-SVC-T2ECBIYT2WDZZK45 - [0:0]
:K8TS-SEP-632UUKPEF57IE4CQ - [0:0]
:K8TS-SEP-HGLE6FFSMW3NN543 - [0:0]
:K8TS-SVC-CDGGSHYLG3RE2FKL - [0:0]
:K8TS-SEP-IV4V4L7CGKB7OJNB - [0:0]
:K8TS-SEP-7YGBFRQCGF2IMROV - [0:0]
-A K8TS-SERVICES -m comment --comment "default/lb:http cluster IP" -p tcp -m tcp -d 10.43.0.22/32 --dport 8084 -j K8TS-SVC-JSLCNGWSGB5JPS5Q
-A K8TS-SERVICES -m comment --comment "default/lb:http loadbalancer IP" -p tcp -m tcp -d 192.168.1.10/32 --dport 8084 -j K8TS-FW-JSLCNGWSGB5JPS5Q
-A K8TS-SERVICES -m comment --comment "default/np cluster IP" -p tcp -m tcp -d 10.43.0.21/32 --dport 8080 -j K8TS-SVC-LDATH6LIB7VCFHLW
-A K8TS-SERVICES -m comment --comment "default/sticky:http cluster IP" -p tcp -m tcp -d 10.43.0.24/32 --dport 80 -j K8TS-SVC-T2ECBIYT2WDZZK45
-A K8TS-SERVICES -m comment --comment "default/web:http cluster IP" -p tcp -m tcp -d 10.43.0.20/32 --dport 80 -j K8TS-SVC-CDGGSHYLG3RE2FKL
-A K8TS-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j K8TS-NODEPORTS
-A K8TS-NODEPORTS -m comment --comment "default/lb:http" -p tcp -m tcp --dport 30500 -j K8TS-EXT-JSLCNGWSGB5JPS5Q
-A K8TS-NODEPORTS -m comment --comment "default/np" -p tcp -m tcp --dport 31000 -j K8TS-EXT-LDATH6LIB7VCFHLW
-A K8TS-POSTROUTING -s 10.42.0.0/16 ! -d 10.42.0.0/16 -m comment --comment "k8ts pod traffic leaving the cluster network" -j MASQUERADE --random-fully
-A K8TS-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A K8TS-POSTROUTING -j MARK --xor-mark 0x4000
-A K8TS-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A K8TS-MARK-MASQ -j MARK --or-mark 0x4000
-A K8TS-SVC-JSLCNGWSGB5JPS5Q -m comment --comment "default/lb:http cluster IP" -p tcp -m tcp -d 10.43.0.22/32 --dport 8084 ! -s 10.42.0.0/16 -j K8TS-MARK-MASQ
-A K8TS-SVC-JSLCNGWSGB5JPS5Q -m comment --comment "default/lb:http -> 10.42.0.6:8080" -m statistic --mode random --probability 0.5000000000 -j K8TS-SEP-JXPF3Z4NFPJFCM7O
-A K8TS-SVC-JSLCNGWSGB5JPS5Q -m comment --comment "default/lb:http -> 10.42.1.6:8080" -j K8TS-SEP-3FGXUESXE5U4NPKP
-A K8TS-EXT-JSLCNGWSGB5JPS5Q -m comment --comment "pod traffic for default/lb:http external destinations" -s 10.42.0.0/16 -j K8TS-SVC-JSLCNGWSGB5JPS5Q
-A K8TS-EXT-JSLCNGWSGB5JPS5Q -m comment --comment "masquerade LOCAL traffic for default/lb:http external destinations" -m addrtype --src-type LOCAL -j K8TS-MARK-MASQ
-A K8TS-EXT-JSLCNGWSGB5JPS5Q -m comment --comment "route LOCAL traffic for default/lb:http external destinations" -m addrtype --src-type LOCAL -j K8TS-SVC-JSLCNGWSGB5JPS5Q
-A K8TS-EXT-JSLCNGWSGB5JPS5Q -j K8TS-SVL-JSLCNGWSGB5JPS5Q
-A K8TS-FW-JSLCNGWSGB5JPS5Q -m comment --comment "default/lb:http loadbalancer IP" -s 192.168.1.0/24 -j K8TS-EXT-JSLCNGWSGB5JPS5Q
-A K8TS-FW-JSLCNGWSGB5JPS5Q -m comment --comment "default/lb:http loadbalancer IP" -s 192.168.1.10/32 -j K8TS-EXT-JSLCNGWSGB5JPS5Q
-A K8TS-FW-JSLCNGWSGB5JPS5Q -m comment --comment "other traffic to default/lb:http will be dropped by K8TS-PROXY-FIREWALL"
-A K8TS-SVL-JSLCNGWSGB5JPS5Q -m comment --comment "default/lb:http -> 10.42.0.6:8080" -j K8TS-SEP-JXPF3Z4NFPJFCM7O
-A K8TS-SEP-JXPF3Z4NFPJFCM7O -m comment --comment "default/lb:http" -s 10.42.0.6/32 -j K8TS-MARK-MASQ
-A K8TS-SEP-JXPF3Z4NFPJFCM7O -m comment --comment "default/lb:http" -p tcp -m tcp -j DNAT --to-destination 10.42.0.6:8080
-A K8TS-SEP-3FGXUESXE5U4NPKP -m comment --comment "default/lb:http" -s 10.42.1.6/32 -j K8TS-MARK-MASQ
-A K8TS-SEP-3FGXUESXE5U4NPKP -m comment --comment "default/lb:http" -p tcp -m tcp -j DNAT --to-destination 10.42.1.6:8080
-A K8TS-SVC-LDATH6LIB7VCFHLW -m comment --comment "default/np cluster IP" -p tcp -m tcp -d 10.43.0.21/32 --dport 8080 ! -s 10.42.0.0/16 -j K8TS-MARK-MASQ
-A K8TS-SVC-LDATH6LIB7VCFHLW -m comment --comment "default/np -> 10.42.1.8:80" -j K8TS-SEP-GUGRWCFY6C7OEK3F
-A K8TS-EXT-LDATH6LIB7VCFHLW -m comment --comment "masquerade traffic for default/np external destinations" -j K8TS-MARK-MASQ
-A K8TS-EXT-LDATH6LIB7VCFHLW -j K8TS-SVC-LDATH6LIB7VCFHLW
-A K8TS-SEP-GUGRWCFY6C7OEK3F -m comment --comment "default/np" -s 10.42.1.8/32 -j K8TS-MARK-MASQ
-A K8TS-SEP-GUGRWCFY6C7OEK3F -m comment --comment "default/np" -p tcp -m tcp -j DNAT --to-destination 10.42.1.8:80
-A K8TS-SVC-T2ECBIYT2WDZZK45 -m comment --comment "default/sticky:http cluster IP" -p tcp -m tcp -d 10.43.0.24/32 --dport 80 ! -s 10.42.0.0/16 -j K8TS-MARK-MASQ
-A K8TS-SVC-T2ECBIYT2WDZZK45 -m comment --comment "default/sticky:http -> 10.42.0.10:8080" -m recent --name K8TS-SEP-632UUKPEF57IE4CQ --rcheck --seconds 600 --reap -j K8TS-SEP-632UUKPEF57IE4CQ
-A K8TS-SVC-T2ECBIYT2WDZZK45 -m comment --comment "default/sticky:http -> 10.42.1.10:8080" -m recent --name K8TS-SEP-HGLE6FFSMW3NN543 --rcheck --seconds 600 --reap -j K8TS-SEP-HGLE6FFSMW3NN543
-A K8TS-SVC-T2ECBIYT2WDZZK45 -m comment --comment "default/sticky:http -> 10.42.0.10:8080" -m statistic --mode random --probability 0.5000000000 -j K8TS-SEP-632UUKPEF57IE4CQ
-A K8TS-SVC-T2ECBIYT2WDZZK45 -m comment --comment "default/sticky:http -> 10.42.1.10:8080" -j K8TS-SEP-HGLE6FFSMW3NN543
-A K8TS-SEP-632UUKPEF57IE4CQ -m comment --comment "default/sticky:http" -s 10.42.0.10/32 -j K8TS-MARK-MASQ
-A K8TS-SEP-632UUKPEF57IE4CQ -m comment --comment "default/sticky:http" -m recent --name K8TS-SEP-632UUKPEF57IE4CQ --set -p tcp -m tcp -j DNAT --to-destination 10.42.0.10:8080
-A K8TS-SEP-HGLE6FFSMW3NN543 -m comment --comment "default/sticky:http" -s 10.42.1.10/32 -j K8TS-MARK-MASQ
-A K8TS-SEP-HGLE6FFSMW3NN543 -m comment --comment "default/sticky:http" -m recent --name K8TS-SEP-HGLE6FFSMW3NN543 --set -p tcp -m tcp -j DNAT --to-destination 10.42.1.10:8080
-A K8TS-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http cluster IP" -p tcp -m tcp -d 10.43.0.20/32 --dport 80 ! -s 10.42.0.0/16 -j K8TS-MARK-MASQ
-A K8TS-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http -> 10.42.0.5:8080" -m statistic --mode random --probability 0.5000000000 -j K8TS-SEP-IV4V4L7CGKB7OJNB
-A K8TS-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http -> 10.42.1.7:8080" -j K8TS-SEP-7YGBFRQCGF2IMROV
-A K8TS-SEP-IV4V4L7CGKB7OJNB -m comment --comment "default/web:http" -s 10.42.0.5/32 -j K8TS-MARK-MASQ
-A K8TS-SEP-IV4V4L7CGKB7OJNB -m comment --comment "default/web:http" -p tcp -m tcp -j DNAT --to-destination 10.42.0.5:8080
-A K8TS-SEP-7YGBFRQCGF2IMROV -m comment --comment "default/web:http" -s 10.42.1.7/32 -j K8TS-MARK-MASQ
-A K8TS-SEP-7YGBFRQCGF2IMROV -m comment --comment "default/web:http" -p tcp -m tcp -j DNAT --to-destination 10.42.1.7:8080
COMMIT
`;

test('renders the golden ruleset: ClusterIP, NodePort, LoadBalancer (Local, source ranges), no endpoints, affinity, terminating fallback', () => {
  assert.equal(formatRestore(renderRules(services, slices, node)), golden);
});

test('rendering is deterministic whatever the input order', () => {
  assert.equal(formatRestore(renderRules([...services].reverse(), [...slices].reverse(), node)), golden);
});

const builtinTargets = new Set(['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'DNAT', 'SNAT', 'MASQUERADE', 'MARK']);

/** Every -j target is a built-in target or a chain the same table defines. */
function assertJumpsDefined(set: RuleSet): void {
  for (const table of ['filter', 'nat'] as const) {
    const defined = new Set(set[table].map((c) => c.name));
    for (const c of set[table]) {
      for (const rule of c.rules) {
        assert.ok(rule.startsWith(`-A ${c.name} `) || rule === `-A ${c.name}`, rule);
        const target = / -j (\S+)/.exec(rule)?.[1];
        if (target === undefined) continue;
        assert.ok(builtinTargets.has(target) || defined.has(target), `${table}: ${rule} jumps to undefined ${target}`);
      }
    }
  }
}

test('every jump targets a defined chain; every chain is ours; the jumps from built-in chains target defined chains', () => {
  const set = renderRules(services, slices, node);
  assertJumpsDefined(set);
  for (const table of ['filter', 'nat'] as const) for (const c of set[table]) assert.ok(isOwnedChain(c.name));
  for (const j of jumpRules(node)) assert.ok(set[j.table].some((c) => c.name === j.target), `${j.table} ${j.chain} -> ${j.target}`);
  // with localhost NodePorts off, the localnet guard chain and its jumps go away together
  const off = { ...node, localhostNodePorts: false };
  const set2 = renderRules(services, slices, off);
  assertJumpsDefined(set2);
  for (const j of jumpRules(off)) assert.ok(set2[j.table].some((c) => c.name === j.target));
  assert.ok(set2.nat[0]!.rules.length > 0);
  assert.match(formatRestore(set2), /--dst-type LOCAL ! -d 127\.0\.0\.0\/8 -j K8TS-NODEPORTS/);
});

test('probabilities are 1/(n-i) with ten decimals and the last endpoint is unconditional', () => {
  assert.equal(probability(3), '0.3333333333');
  const eps = ['10.42.0.1', '10.42.0.2', '10.42.0.3', '10.42.0.4'].map((ip) => ep(ip));
  const set = renderRules([svc('default', 'four', { clusterIP: '10.43.1.1' })], [slice('default', 'four', eps)], node);
  const svcChain = set.nat.find((c) => c.name.startsWith('K8TS-SVC-'))!;
  const jumps = svcChain.rules.filter((r) => r.includes('K8TS-SEP-'));
  assert.deepEqual(jumps.map((r) => /--probability (\S+)/.exec(r)?.[1] ?? 'last'), ['0.2500000000', '0.3333333333', '0.5000000000', 'last']);
});

test('ready endpoints win over terminating ones; terminating-and-serving are used only when none is ready', () => {
  const eps = [ep('10.42.0.1'), ep('10.42.0.2', 'node-a', { ready: false, serving: true, terminating: true })];
  const text = formatRestore(renderRules([svc('default', 'roll', { clusterIP: '10.43.1.2' })], [slice('default', 'roll', eps)], node));
  assert.match(text, /DNAT --to-destination 10\.42\.0\.1:8080/);
  assert.doesNotMatch(text, /10\.42\.0\.2/);
  const notServing = [ep('10.42.0.3', 'node-a', { ready: false, serving: false, terminating: true })];
  const rejected = formatRestore(renderRules([svc('default', 'roll', { clusterIP: '10.43.1.2' })], [slice('default', 'roll', notServing)], node));
  assert.match(rejected, /default\/roll:http has no endpoints.*-d 10\.43\.1\.2\/32 --dport 80 -j REJECT/);
});

test('externalTrafficPolicy Local without local endpoints drops external traffic but keeps the ClusterIP', () => {
  const s = svc('default', 'loc', { type: 'NodePort', clusterIP: '10.43.1.3', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] });
  const text = formatRestore(renderRules([s], [slice('default', 'loc', [ep('10.42.1.1', 'node-b')])], node));
  assert.match(text, /-A K8TS-EXTERNAL-SERVICES -m comment --comment "default\/loc:http has no local endpoints" -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -j DROP/);
  assert.match(text, /-d 10\.43\.1\.3\/32 --dport 80 -j K8TS-SVC-/);
  assert.doesNotMatch(text, /K8TS-SVL-/, 'no local endpoints: no local chain');
});

test('internalTrafficPolicy Local sends ClusterIP traffic to local endpoints only', () => {
  const s = svc('default', 'itp', { clusterIP: '10.43.1.4', internalTrafficPolicy: 'Local' });
  const text = formatRestore(renderRules([s], [slice('default', 'itp', [ep('10.42.0.4'), ep('10.42.1.4', 'node-b')])], node));
  assert.match(text, /-d 10\.43\.1\.4\/32 --dport 80 -j K8TS-SVL-/);
  assert.doesNotMatch(text, /10\.42\.1\.4/);
});

test('external IPs and UDP ports are captured; FQDN and IPv6 slices are ignored', () => {
  const s = svc('default', 'eip', { clusterIP: '10.43.1.5', externalIPs: ['192.168.7.7'], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] });
  const v6 = { ...slice('default', 'eip', [ep('fd00::1')], [{ name: 'dns', port: 53, protocol: 'UDP' }], 'v6'), addressType: 'IPv6' };
  const text = formatRestore(renderRules([s], [slice('default', 'eip', [ep('10.42.0.8')], [{ name: 'dns', port: 53, protocol: 'UDP' }]), v6], node));
  assert.match(text, /"default\/eip:dns external IP" -p udp -m udp -d 192\.168\.7\.7\/32 --dport 53 -j K8TS-EXT-/);
  assert.doesNotMatch(text, /fd00/);
});

test('large clusters leave per-endpoint comments out', () => {
  const many = Array.from({ length: 1001 }, (_, i) => ep(`10.42.${i >> 8}.${(i & 255) + 1}`));
  const set = renderRules([svc('default', 'big', { clusterIP: '10.43.2.1' })], [slice('default', 'big', many)], node);
  const sep = set.nat.find((c) => c.name.startsWith('K8TS-SEP-'))!;
  assert.doesNotMatch(sep.rules.join('\n'), /comment/);
});

test('a render cache changes nothing in the output across changes of Services and slices, and reuses unchanged work', () => {
  const cache = renderCache();
  let svcs = [...services];
  let eps = [...slices];
  const check = (what: string) => assert.equal(formatRestore(renderRules(svcs, eps, node, cache)), formatRestore(renderRules(svcs, eps, node)), what);
  check('first render');
  assert.equal(formatRestore(renderRules(svcs, eps, node, cache)), golden, 'the golden ruleset from the cache');
  const webPorts = cache.ports.get(services[0]!);
  check('nothing changed');
  assert.equal(cache.ports.get(services[0]!), webPorts, 'unchanged Service: same ports');
  eps = eps.map((s) => (s.metadata.name === 'web-abcde' ? { ...s, endpoints: [ep('10.42.0.5', 'node-a', { ready: false, serving: true, terminating: true }), ep('10.42.1.7', 'node-b')] } : s));
  check('an endpoint turned terminating');
  eps = [...eps, slice('default', 'web', [ep('10.42.2.9', 'node-b')], undefined, 'fghij')];
  check('a second slice for web');
  eps = eps.filter((s) => s.metadata.name !== 'lb-abcde');
  check('a slice removed: lb has no endpoints');
  svcs = svcs.map((s) => (s.metadata.name === 'np' ? svc('default', 'np', { type: 'NodePort', clusterIP: '10.43.0.21', ports: [{ name: '', port: 8080, protocol: 'TCP', nodePort: 31001 }] }) : s));
  check('a nodePort changed');
  svcs = svcs.filter((s) => s.metadata.name !== 'sticky');
  check('a Service removed');
  const many = Array.from({ length: 1001 }, (_, i) => ep(`10.42.${i >> 8}.${(i & 255) + 1}`));
  eps = [...eps, slice('default', 'big', many)];
  svcs = [...svcs, svc('default', 'big', { clusterIP: '10.43.2.1' })];
  check('large cluster mode switches on: every port re-renders without comments');
  check('and stays');
  check2();
  function check2() {
    const other = { ...node, nodeName: 'node-b' };
    assert.equal(formatRestore(renderRules(svcs, eps, other, cache)), formatRestore(renderRules(svcs, eps, other)), 'another node config');
  }
});

test('with the service CIDR known, new connections to unprogrammed service IPs are rejected last in K8TS-SERVICES', () => {
  const rules = renderRules([svc('default', 'web', { clusterIP: '10.43.0.20', ports: [{ port: 80 }] })], [], { ...node, serviceCidr: '10.43.0.0/16' });
  const services = rules.filter.find((c) => c.name === 'K8TS-SERVICES')!.rules;
  assert.equal(services.at(-2), '-A K8TS-SERVICES -d 10.43.0.0/16 -p tcp -m comment --comment "k8ts unallocated or not yet programmed service IP" -m addrtype ! --dst-type LOCAL -j REJECT --reject-with tcp-reset');
  assert.equal(services.at(-1), '-A K8TS-SERVICES -d 10.43.0.0/16 -m comment --comment "k8ts unallocated or not yet programmed service IP" -m addrtype ! --dst-type LOCAL -j REJECT --reject-with icmp-port-unreachable');
  assert.ok(services.some((r) => r.includes('"default/web has no endpoints"') && r.endsWith('-j REJECT --reject-with tcp-reset')), 'TCP without endpoints is reset');
  const without = renderRules([svc('default', 'web', { clusterIP: '10.43.0.20', ports: [{ port: 80 }] })], [], node);
  assert.ok(!without.filter.find((c) => c.name === 'K8TS-SERVICES')!.rules.some((r) => r.includes('unallocated')));
});
