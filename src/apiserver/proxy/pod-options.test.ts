import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { StatusError } from '../../api/errors.js';
import { kubeletLogQuery, kubeletStreamQuery, validateContainer } from './pod-options.js';
import { kubeletEndpointOf } from './kubelet-dialer.js';

const pod = (names: string[], init: string[] = []): Pod => ({
  metadata: { name: 'p' },
  spec: { containers: names.map((name) => ({ name })), initContainers: init.map((name) => ({ name })) },
});

function message(fn: () => unknown): string {
  try { fn(); } catch (err) { assert.ok(err instanceof StatusError); return `${err.code} ${err.message}`; }
  return 'no error';
}

test('container defaulting and validation use the upstream wording', () => {
  assert.equal(validateContainer('', pod(['a'])), 'a');
  assert.equal(validateContainer('i', pod(['a'], ['i'])), 'i');
  assert.equal(message(() => validateContainer('x', pod(['a']))), '400 container x is not valid for pod p');
  assert.equal(message(() => validateContainer(null, pod(['a', 'b'], ['i']))), '400 a container name must be specified for pod p, choose one of: [i a b]');
  assert.equal(message(() => validateContainer(null, pod([]))), '400 a container name must be specified for pod p');
});

test('log options are validated as PodLogOptions and re-encoded for the kubelet', () => {
  assert.equal(kubeletLogQuery(new URLSearchParams('follow=true&tailLines=5&timestamps=true&container=x'), 'p').toString(), 'follow=true&timestamps=true&tailLines=5');
  assert.equal(message(() => kubeletLogQuery(new URLSearchParams('tailLines=-1'), 'p')), '422 PodLogOptions "p" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0');
  assert.match(message(() => kubeletLogQuery(new URLSearchParams('sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z'), 'p')), /at most one of `sinceTime` or `sinceSeconds` may be specified/);
  assert.equal(kubeletStreamQuery(new URLSearchParams('command=sh&command=-c&stdin=true&tty=true&stdout=false'), true).toString(), 'stdin=1&tty=1&command=sh&command=-c');
});

test('the kubelet endpoint comes from the node addresses and daemon endpoint', () => {
  const node: Node = { metadata: { name: 'n' }, status: { addresses: [{ type: 'Hostname', address: 'n' }, { type: 'InternalIP', address: '10.0.0.2' }], daemonEndpoints: { kubeletEndpoint: { Port: 12345 } } } };
  assert.deepEqual(kubeletEndpointOf(node), { nodeName: 'n', host: '10.0.0.2', port: 12345 });
  assert.deepEqual(kubeletEndpointOf({ metadata: { name: 'm' }, status: { addresses: [{ type: 'Hostname', address: 'm' }] } }), { nodeName: 'm', host: 'm', port: 10250 });
  assert.equal(kubeletEndpointOf({ metadata: { name: 'z' } }), undefined);
});
