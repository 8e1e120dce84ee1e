import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointsController } from './controller.js';
import { endpointSubsets, truncateSubsets } from './subsets.js';
import { fixture } from '../testing/fixture.js';
import { endpoints, pods, services, type PodObject, type ServiceObject } from '../../api/resources/index.js';

const svc = (extra: Partial<ServiceObject['spec']> = {}): ServiceObject => ({
  metadata: { name: 'web', namespace: 'default', uid: 'svc-1', labels: { app: 'web' } },
  spec: { selector: { app: 'web' }, clusterIP: '10.43.0.5', ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...extra },
});
const pod = (name: string, ip: string, opts: { ready?: boolean; deleting?: boolean; port?: number } = {}): PodObject => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web' }, creationTimestamp: '2025-01-01T00:00:00Z', ...(opts.deleting ? { deletionTimestamp: '2025-01-01T00:05:00Z' } : {}) },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: opts.port ?? 8080 }] }] },
  status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: '2025-01-01T00:01:00Z' }] },
});

test('creates Endpoints with ready and not-ready addresses, then updates only on change, and deletes with the service', async () => {
  const f = await fixture(endpointsController, [[services, svc()], [pods, pod('a', '10.42.0.2'), pod('b', '10.42.0.3', { ready: false }), pod('c', '10.42.0.4', { deleting: true })]]);
  await f.sync('default/web');
  assert.deepEqual(f.actions(), ['create endpoints default/web']);
  const ep = f.client.peek(endpoints, 'default', 'web')!;
  assert.deepEqual(ep.subsets, [{
    addresses: [{ ip: '10.42.0.2', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } }],
    notReadyAddresses: [{ ip: '10.42.0.3', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' } }],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  }]);
  assert.deepEqual(ep.metadata.labels, { app: 'web', 'endpointslice.kubernetes.io/skip-mirror': 'true' });
  assert.equal(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], '2025-01-01T00:05:00Z');
  f.clearActions();
  await f.sync('default/web');
  assert.deepEqual(f.actions(), []);
  await f.client.delete(services, 'default', 'web');
  await f.settle();
  await f.sync('default/web');
  assert.deepEqual(f.actions(), ['delete services default/web', 'delete endpoints default/web']);
  await f.stop();
});

test('publishNotReadyAddresses: every pod ready, terminating ones included', () => {
  const subsets = endpointSubsets(svc({ publishNotReadyAddresses: true }), [pod('a', '10.42.0.2', { ready: false }), pod('c', '10.42.0.4', { deleting: true })]);
  assert.deepEqual(subsets.map((s) => [s.addresses?.map((a) => a.ip), s.notReadyAddresses]), [[['10.42.0.2', '10.42.0.4'], undefined]]);
});

test('pods with different resolved ports land in different subsets; headless without ports lists addresses', () => {
  const subsets = endpointSubsets(svc(), [pod('a', '10.42.0.2'), pod('b', '10.42.0.3', { port: 9090 })]);
  assert.deepEqual(subsets.map((s) => [s.addresses!.map((a) => a.ip), s.ports!.map((p) => p.port)]), [[['10.42.0.2'], [8080]], [['10.42.0.3'], [9090]]]);
  const headless = endpointSubsets(svc({ clusterIP: 'None', ports: [] }), [pod('a', '10.42.0.2')]);
  assert.deepEqual(headless, [{ addresses: [{ ip: '10.42.0.2', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } }] }]);
  assert.deepEqual(endpointSubsets(svc({ ports: [] }), [pod('a', '10.42.0.2')]), []);
});

test('selectorless services and default/kubernetes are left alone', async () => {
  const f = await fixture(endpointsController, [
    [services, { ...svc(), spec: { ports: [{ port: 80 }] } }, { metadata: { name: 'kubernetes', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 443 }] } }],
    [endpoints, { metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 80 }] }] }],
    [pods, pod('a', '10.42.0.2')],
  ]);
  await f.sync('default/web');
  await f.sync('default/kubernetes');
  assert.deepEqual(f.actions(), []);
  await f.stop();
});

test('more than 1000 addresses are truncated and annotated', () => {
  const addresses = Array.from({ length: 5 }, (_, i) => ({ ip: `10.0.0.${i}` }));
  const r = truncateSubsets([{ addresses, ports: [{ port: 80 }] }], 3);
  assert.equal(r.truncated, true);
  assert.equal(r.subsets[0]!.addresses!.length, 3);
});
