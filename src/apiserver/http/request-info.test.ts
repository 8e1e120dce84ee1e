import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestInfo } from './request-info.js';

const info = (m: string, p: string, q = '') => requestInfo(m, p, new URLSearchParams(q));

test('reads resource paths like kube-apiserver', () => {
  assert.deepEqual(
    pick(info('GET', '/apis/apps/v1/namespaces/default/deployments/web')),
    { verb: 'get', group: 'apps', version: 'v1', namespace: 'default', resource: 'deployments', name: 'web', subresource: '' });
  assert.deepEqual(
    pick(info('GET', '/api/v1/pods', 'watch=true')),
    { verb: 'watch', group: '', version: 'v1', namespace: '', resource: 'pods', name: '', subresource: '' });
  assert.deepEqual(
    pick(info('PATCH', '/apis/apps/v1/namespaces/ns/deployments/web/scale')),
    { verb: 'patch', group: 'apps', version: 'v1', namespace: 'ns', resource: 'deployments', name: 'web', subresource: 'scale' });
  assert.deepEqual(
    pick(info('DELETE', '/api/v1/namespaces/ns/configmaps')),
    { verb: 'deletecollection', group: '', version: 'v1', namespace: 'ns', resource: 'configmaps', name: '', subresource: '' });
});

test('namespaces are a resource of their own', () => {
  assert.deepEqual(pick(info('GET', '/api/v1/namespaces/kube-system')),
    { verb: 'get', group: '', version: 'v1', namespace: '', resource: 'namespaces', name: 'kube-system', subresource: '' });
  assert.deepEqual(pick(info('PUT', '/api/v1/namespaces/x/finalize')),
    { verb: 'update', group: '', version: 'v1', namespace: '', resource: 'namespaces', name: 'x', subresource: 'finalize' });
  assert.deepEqual(pick(info('GET', '/api/v1/namespaces')),
    { verb: 'list', group: '', version: 'v1', namespace: '', resource: 'namespaces', name: '', subresource: '' });
});

test('non-resource paths', () => {
  assert.equal(info('GET', '/version').isResourceRequest, false);
  assert.equal(info('GET', '/apis').isResourceRequest, false);
  assert.equal(info('GET', '/apis/apps').isResourceRequest, false);
  assert.equal(info('GET', '/apis/apps/v1').isResourceRequest, false);
});

function pick(r: ReturnType<typeof info>) {
  const { verb, group, version, namespace, resource, name, subresource } = r;
  return { verb, group, version, namespace, resource, name, subresource };
}
