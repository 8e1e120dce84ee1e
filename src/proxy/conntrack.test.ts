import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanStaleUdpFlows, conntrackDeleteArgs, hasUdpServicePorts, parseConntrackList, staleUdpFlows } from './conntrack.js';
import { testEndpoint as ep, testService as svc, testSlice as slice } from './testing.js';

const node = { nodeName: 'node-a', nodeIPs: ['192.168.1.10'], clusterCidr: '10.42.0.0/16', nodeLocalServiceIPs: ['10.43.0.10'] };
const udpPorts = [{ name: 'dns', port: 53, protocol: 'UDP' as const, nodePort: 30053 }];
const dns = svc('default', 'dns', { type: 'NodePort', clusterIP: '10.43.0.30', externalIPs: ['192.168.1.50'], ports: udpPorts });
const epPorts = [{ name: 'dns', port: 5353, protocol: 'UDP' as const }];

const listing = `udp      17 28 src=10.42.0.1 dst=10.43.0.30 sport=45000 dport=53 [UNREPLIED] src=10.42.0.5 dst=10.42.0.1 sport=5353 dport=45000 mark=0 use=1
udp      17 175 src=10.42.0.2 dst=10.43.0.30 sport=45001 dport=53 src=10.42.0.6 dst=10.42.0.2 sport=5353 dport=45001 [ASSURED] mark=0 use=1
udp      17 20 src=192.168.1.2 dst=192.168.1.10 sport=40000 dport=30053 src=10.42.0.5 dst=192.168.1.10 sport=5353 dport=40000 mark=0 use=1
udp      17 20 src=192.168.1.2 dst=192.168.1.50 sport=40001 dport=53 src=10.42.0.5 dst=192.168.1.2 sport=5353 dport=40001 mark=0 use=1
udp      17 20 src=10.42.0.2 dst=10.43.0.30 sport=45002 dport=54 src=10.42.0.5 dst=10.42.0.2 sport=54 dport=45002 mark=0 use=1
udp      17 20 src=10.42.0.2 dst=1.1.1.1 sport=45003 dport=53 src=1.1.1.1 dst=10.42.0.2 sport=53 dport=45003 mark=0 use=1
tcp      6 431999 ESTABLISHED src=10.42.0.2 dst=10.43.0.30 sport=1 dport=53 src=10.42.0.5 dst=10.42.0.2 sport=5353 dport=1 [ASSURED] mark=0 use=1
`;

test('parseConntrackList reads the original destination and the reply source of UDP flows only', () => {
  const flows = parseConntrackList(listing);
  assert.equal(flows.length, 6);
  assert.deepEqual(flows[0], { origDst: '10.43.0.30', origDstPort: 53, replySrc: '10.42.0.5' });
  assert.deepEqual(flows[2], { origDst: '192.168.1.10', origDstPort: 30053, replySrc: '10.42.0.5' });
});

test('flows to a UDP frontend answered by an address no longer serving are stale, on every frontend', () => {
  // 10.42.0.5 is gone; 10.42.0.6 serves.
  const slices = [slice('default', 'dns', [ep('10.42.0.6')], epPorts)];
  const stale = staleUdpFlows([dns], slices, node, parseConntrackList(listing));
  assert.deepEqual(stale, [
    { origDst: '10.43.0.30', origDstPort: 53, replySrc: '10.42.0.5' },
    { origDstPort: 30053, replySrc: '10.42.0.5' },
    { origDst: '192.168.1.50', origDstPort: 53, replySrc: '10.42.0.5' },
  ]);
  assert.deepEqual(conntrackDeleteArgs(stale[0]!), ['-D', '-p', 'udp', '--orig-dst', '10.43.0.30', '--orig-port-dst', '53', '--reply-src', '10.42.0.5']);
  assert.deepEqual(conntrackDeleteArgs(stale[1]!), ['-D', '-p', 'udp', '--orig-port-dst', '30053', '--reply-src', '10.42.0.5']);
});

test('terminating endpoints that still serve keep their flows; not-serving ones lose them', () => {
  const serving = [slice('default', 'dns', [ep('10.42.0.5', 'node-a', { ready: false, serving: true, terminating: true }), ep('10.42.0.6')], epPorts)];
  assert.deepEqual(staleUdpFlows([dns], serving, node, parseConntrackList(listing)), []);
  const gone = [slice('default', 'dns', [ep('10.42.0.5', 'node-a', { ready: false, serving: false, terminating: true }), ep('10.42.0.6')], epPorts)];
  assert.equal(staleUdpFlows([dns], gone, node, parseConntrackList(listing)).length, 3);
});

test('a Service without serving endpoints, a TCP Service and the node-local DNS address clear nothing', () => {
  const flows = parseConntrackList(listing);
  assert.deepEqual(staleUdpFlows([dns], [], node, flows), []);
  const tcp = svc('default', 'dns', { clusterIP: '10.43.0.30', ports: [{ name: 'dns', port: 53, protocol: 'TCP' }] });
  assert.deepEqual(staleUdpFlows([tcp], [slice('default', 'dns', [ep('10.42.0.6')], [{ name: 'dns', port: 5353, protocol: 'TCP' }])], node, flows), []);
  assert.equal(hasUdpServicePorts([tcp], node), false);
  const local = svc('kube-system', 'kube-dns', { clusterIP: '10.43.0.10', ports: udpPorts.map(({ nodePort: _, ...p }) => p) });
  assert.equal(hasUdpServicePorts([local], node), false);
  assert.equal(hasUdpServicePorts([dns], node), true);
});

test('with a cleanup state, the table is listed again only when a UDP frontend\'s serving endpoints change', async () => {
  const calls: string[][] = [];
  const exec = async (cmd: string, args: readonly string[]) => {
    calls.push([cmd, ...args]);
    if (args[0] === '-L') return { stdout: listing, stderr: '' };
    return { stdout: '', stderr: '' };
  };
  const state = {};
  const one = [slice('default', 'dns', [ep('10.42.0.6')], epPorts)];
  assert.equal(await cleanStaleUdpFlows(exec, [dns], one, node, undefined, undefined, state), 3);
  assert.equal(calls.filter((c) => c[1] === '-L').length, 1);
  assert.equal(calls.filter((c) => c[1] === '-D').length, 3);
  // Same frontends, same serving endpoints (new objects): nothing runs.
  assert.equal(await cleanStaleUdpFlows(exec, [dns], [slice('default', 'dns', [ep('10.42.0.6')], epPorts)], node, undefined, undefined, state), 0);
  assert.equal(calls.length, 4);
  // 10.42.0.6 stops serving: listed again.
  const moved = [slice('default', 'dns', [ep('10.42.0.6', 'node-a', { ready: false, serving: false, terminating: true }), ep('10.42.0.7')], epPorts)];
  assert.equal(await cleanStaleUdpFlows(exec, [dns], moved, node, undefined, undefined, state), 4);
  assert.equal(calls.filter((c) => c[1] === '-L').length, 2);
  // Without state every call lists.
  await cleanStaleUdpFlows(exec, [dns], moved, node);
  assert.equal(calls.filter((c) => c[1] === '-L').length, 3);
});
