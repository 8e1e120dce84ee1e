import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoint } from 'kubernetes-types/discovery/v1.js';
import { endpointSliceController } from './controller.js';
import { findPort, podToEndpoint, shouldPodBeInEndpoints } from './endpoint-pods.js';
import { reconcileSlices } from './reconciler.js';
import { fixture } from '../testing/fixture.js';
import { endpointSlices, nodes, pods, services, type EndpointSliceObject, type PodObject, type ServiceObject } from '../../api/resources/index.js';
import type { ControllerDeps } from '../controller-deps.js';

const svc = (extra: Partial<ServiceObject['spec']> = {}): ServiceObject => ({
  metadata: { name: 'web', namespace: 'default', uid: 'svc-1', labels: { app: 'web' } },
  spec: { selector: { app: 'web' }, clusterIP: '10.43.0.5', ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...extra },
});
const pod = (name: string, ip: string, opts: { ready?: boolean; deleting?: boolean; node?: string; port?: number; labels?: Record<string, string> } = {}): PodObject => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: opts.labels ?? { app: 'web' }, creationTimestamp: '2025-01-01T00:00:00Z', ...(opts.deleting ? { deletionTimestamp: '2025-01-01T00:05:00Z' } : {}) },
  spec: { nodeName: opts.node ?? 'n1', containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: opts.port ?? 8080 }] }] },
  status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: '2025-01-01T00:01:00Z' }] },
});
const node = { metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'z1' } } };
const make = (deps: ControllerDeps) => endpointSliceController(deps, { maxEndpointsPerSlice: 3 });

test('creates one slice for a selected service: conditions, ports by name, zone, labels, owner, trigger time', async () => {
  const f = await fixture(make, [[services, svc()], [nodes, node], [pods, pod('a', '10.42.0.2'), pod('b', '10.42.0.3', { ready: false }), pod('c', '10.42.0.4', { deleting: true }), pod('other', '10.42.0.9', { labels: { app: 'db' } })]]);
  await f.sync('default/web');
  assert.deepEqual(f.actions(), ['create endpointslices default/web-']);
  const [slice] = f.client.all(endpointSlices);
  assert.equal(slice!.addressType, 'IPv4');
  assert.deepEqual(slice!.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(slice!.endpoints.map((e) => [e.addresses[0], e.conditions]), [
    ['10.42.0.2', { ready: true, serving: true, terminating: false }],
    ['10.42.0.3', { ready: false, serving: false, terminating: false }],
    ['10.42.0.4', { ready: false, serving: true, terminating: true }],
  ]);
  assert.deepEqual(slice!.endpoints[0]!.targetRef, { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' });
  assert.equal(slice!.endpoints[0]!.nodeName, 'n1');
  assert.equal(slice!.endpoints[0]!.zone, 'z1');
  assert.deepEqual(slice!.metadata.labels, { app: 'web', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
  assert.deepEqual(slice!.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-1', controller: true, blockOwnerDeletion: true }]);
  assert.equal(slice!.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], '2025-01-01T00:05:00Z');
  // a second pass changes nothing
  f.clearActions();
  await f.sync('default/web');
  assert.deepEqual(f.actions(), []);
  await f.stop();
});

test('a readiness change updates the slice in place; a new pod fills the same slice', async () => {
  const f = await fixture(make, [[services, svc()], [pods, pod('a', '10.42.0.2', { ready: false })]]);
  await f.sync('default/web');
  const p = f.client.peek(pods, 'default', 'a')!;
  await f.client.updateStatus(pods, { ...p, status: { ...p.status, conditions: [{ type: 'Ready', status: 'True' }] } });
  await f.client.create(pods, pod('b', '10.42.0.3'));
  await f.settle();
  f.clearActions();
  await f.sync('default/web');
  assert.deepEqual(f.actions().map((a) => a.replace(/web-\w+$/, 'web-x')), ['update endpointslices default/web-x']);
  assert.deepEqual(f.client.all(endpointSlices)[0]!.endpoints.map((e) => [e.addresses[0], e.conditions?.ready]), [['10.42.0.2', true], ['10.42.0.3', true]]);
  await f.stop();
});

test('more than maxEndpointsPerSlice endpoints spread over several slices; an emptied service keeps one placeholder', async () => {
  const many = Array.from({ length: 7 }, (_, i) => pod(`p${i}`, `10.42.0.${i + 10}`));
  const f = await fixture(make, [[services, svc()], [pods, ...many]]);
  await f.sync('default/web');
  assert.deepEqual(f.client.all(endpointSlices).map((s) => s.endpoints.length).sort(), [1, 3, 3]);
  for (const p of many) await f.client.delete(pods, 'default', p.metadata.name!, { gracePeriodSeconds: 0 });
  await f.settle();
  f.clearActions();
  await f.sync('default/web');
  const left = f.client.all(endpointSlices);
  assert.equal(left.length, 1);
  assert.deepEqual(left[0]!.endpoints, []);
  assert.deepEqual(f.actions().map((a) => a.split(' ')[0]).sort(), ['delete', 'delete', 'update'], 'the placeholder reuses a slice');
  await f.stop();
});

test('services without a selector, ExternalName services and default/kubernetes get nothing', async () => {
  const f = await fixture(make, [
    [services, { ...svc(), spec: { ports: [{ port: 80 }] } }, { metadata: { name: 'kubernetes', namespace: 'default', uid: 'k' }, spec: { selector: { app: 'web' }, ports: [{ port: 443 }] } },
      { metadata: { name: 'ext', namespace: 'default', uid: 'e' }, spec: { type: 'ExternalName', externalName: 'example.com', selector: { app: 'web' } } }],
    [pods, pod('a', '10.42.0.2')],
  ]);
  for (const k of ['default/web', 'default/kubernetes', 'default/ext']) await f.sync(k);
  assert.deepEqual(f.actions(), []);
  await f.stop();
});

test('publishNotReadyAddresses marks every endpoint ready; pods whose named port differs get their own slice', async () => {
  const f = await fixture(make, [[services, svc({ publishNotReadyAddresses: true, clusterIP: 'None' })], [pods, pod('a', '10.42.0.2', { ready: false }), pod('b', '10.42.0.3', { port: 9090 })]]);
  await f.sync('default/web');
  const slices = f.client.all(endpointSlices);
  assert.deepEqual(slices.map((s) => s.ports![0]!.port).sort(), [8080, 9090]);
  assert.ok(slices.every((s) => s.endpoints[0]!.conditions?.ready === true));
  assert.equal(slices[0]!.metadata.labels?.['service.kubernetes.io/headless'], '');
  await f.stop();
});

test('a stale slice cache waits instead of creating a second slice', async () => {
  const f = await fixture(make, [[services, svc()], [pods, pod('a', '10.42.0.2')]]);
  await f.controller.sync('default/web', new AbortController().signal); // no settle: the cache has not seen the create
  await f.controller.sync('default/web', new AbortController().signal);
  assert.deepEqual(f.actions(), ['create endpointslices default/web-']);
  await f.stop();
});

test('pure helpers: findPort, shouldPodBeInEndpoints, reconcile keeps unchanged slices', () => {
  const p = pod('a', '10.42.0.2');
  assert.equal(findPort(p, { port: 80, targetPort: 'http' }), 8080);
  assert.equal(findPort(p, { port: 80, targetPort: 'nope' }), undefined);
  assert.equal(findPort(p, { port: 80, targetPort: 9000 }), 9000);
  assert.equal(findPort(p, { port: 80 }), 80);
  assert.equal(shouldPodBeInEndpoints({ ...p, status: { ...p.status, phase: 'Succeeded' } }, true), false);
  assert.equal(shouldPodBeInEndpoints({ ...p, status: { phase: 'Pending' } }, true), false);
  assert.equal(shouldPodBeInEndpoints(pod('d', '10.42.0.5', { deleting: true }), false), false);
  const s = svc();
  const ep: Endpoint = podToEndpoint(p, s, undefined);
  const ownerRef = { apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-1', controller: true, blockOwnerDeletion: true };
  const first = reconcileSlices(s, [{ ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], endpoints: [ep] }], [], { ownerRef });
  const existing = { ...first.create[0]!, metadata: { ...first.create[0]!.metadata, name: 'web-abc' } } as EndpointSliceObject;
  assert.deepEqual(reconcileSlices(s, [{ ports: [{ protocol: 'TCP', port: 8080, name: 'http' }], endpoints: [ep] }], [existing], { ownerRef }), { create: [], update: [], remove: [] });
});
