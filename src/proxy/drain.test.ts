import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readyRoutedIPs } from './drain.js';
import { testEndpoint as ep, testService as svc, testSlice as slice } from './testing.js';

const node = { nodeName: 'node-a', nodeIPs: ['192.168.1.10'], clusterCidr: '10.42.0.0/16', nodeLocalServiceIPs: ['10.43.0.10'] };
const terminating = { ready: false, serving: true, terminating: true };
const web = svc('default', 'web', { clusterIP: '10.43.0.20' });

test('a ready endpoint of a Service is routed; one in no Service is drained at once', () => {
  const slices = [slice('default', 'web', [ep('10.42.0.5'), ep('10.42.0.6')])];
  assert.deepEqual([...readyRoutedIPs(['10.42.0.5', '10.42.0.99'], [web], slices, node)], ['10.42.0.5']);
  assert.deepEqual([...readyRoutedIPs([], [web], slices, node)], []);
});

test('a terminating endpoint is drained once another endpoint is ready', () => {
  const slices = [slice('default', 'web', [ep('10.42.0.5', 'node-a', terminating), ep('10.42.0.6')])];
  assert.deepEqual([...readyRoutedIPs(['10.42.0.5'], [web], slices, node)], []);
  assert.deepEqual([...readyRoutedIPs(['10.42.0.6'], [web], slices, node)], ['10.42.0.6']);
});

test('the ready endpoint that takes over may sit in another slice of the same Service', () => {
  const slices = [slice('default', 'web', [ep('10.42.0.5')], undefined, 'aaaaa'), slice('default', 'web', [ep('10.42.1.6', 'node-b')], undefined, 'bbbbb')];
  assert.deepEqual([...readyRoutedIPs(['10.42.0.5'], [web], slices, node)], ['10.42.0.5']);
  const after = [slice('default', 'web', [ep('10.42.0.5', 'node-a', terminating)], undefined, 'aaaaa'), slices[1]!];
  assert.deepEqual([...readyRoutedIPs(['10.42.0.5'], [web], after, node)], []);
});

test('a terminating endpoint kept only as the fallback of a Service with no ready endpoint counts as drained', () => {
  const slices = [slice('default', 'web', [ep('10.42.0.5', 'node-a', terminating)])];
  assert.deepEqual([...readyRoutedIPs(['10.42.0.5'], [web], slices, node)], []);
});

test('an endpoint routed by one Service stays routed even when another Service drained it', () => {
  const api = svc('default', 'api', { clusterIP: '10.43.0.30' });
  const slices = [slice('default', 'web', [ep('10.42.0.5', 'node-a', terminating), ep('10.42.0.6')]), slice('default', 'api', [ep('10.42.0.5')])];
  assert.deepEqual([...readyRoutedIPs(['10.42.0.5'], [web, api], slices, node)], ['10.42.0.5']);
});

test('Local traffic policy: a remote ready endpoint is not routed from this node for internal traffic', () => {
  const local = svc('default', 'local', { clusterIP: '10.43.0.40', internalTrafficPolicy: 'Local' });
  const slices = [slice('default', 'local', [ep('10.42.1.5', 'node-b'), ep('10.42.0.5')])];
  assert.deepEqual([...readyRoutedIPs(['10.42.1.5', '10.42.0.5'], [local], slices, node)], ['10.42.0.5']);
});

test('headless Services and the node-local DNS address route nothing', () => {
  const headless = svc('default', 'web', { clusterIP: 'None' });
  const slices = [slice('default', 'web', [ep('10.42.0.5')])];
  assert.deepEqual([...readyRoutedIPs(['10.42.0.5'], [headless], slices, node)], []);
  const dns = svc('kube-system', 'kube-dns', { clusterIP: '10.43.0.10' });
  assert.deepEqual([...readyRoutedIPs(['10.42.0.7'], [dns], [slice('kube-system', 'kube-dns', [ep('10.42.0.7')])], node)], []);
});
