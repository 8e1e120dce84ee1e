import { test } from 'node:test';
import assert from 'node:assert/strict';
import { peerNetnsNames } from './cleanup.js';

test('pod netns of a bridge come from link-netns names, never from interface indexes', () => {
  const out = [
    '7: veth1a2b@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master cni0 state UP mode DEFAULT group default \\    link/ether 3a:1b:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netns cni-1111-2222',
    '8: veth3c4d@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master cni0 state UP mode DEFAULT group default \\    link/ether 3a:1b:00:00:00:02 brd ff:ff:ff:ff:ff:ff link-netns cni-3333-4444',
    // A peer in a namespace without a name under /run/netns: nothing to delete by name.
    '9: veth5e6f@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master cni0 state UP mode DEFAULT group default \\    link/ether 3a:1b:00:00:00:03 brd ff:ff:ff:ff:ff:ff link-netnsid 5',
    '',
  ].join('\n');
  assert.deepEqual(peerNetnsNames(out), ['cni-1111-2222', 'cni-3333-4444']);
  assert.deepEqual(peerNetnsNames(''), []);
});
