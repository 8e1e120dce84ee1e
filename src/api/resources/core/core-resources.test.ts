import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../../errors.js';
import { validateObjectMeta } from '../../validation/index.js';
import { services, defaultService, servicePortsCell, serviceExternalIPCell, validateService, type ServiceObject } from './services.js';
import { nodes, nodeStatusCell, nodeRoles, type NodeObject } from './nodes.js';
import { secrets, defaultSecret, validateSecret, type SecretObject } from './secrets.js';
import { configMaps, validateConfigMap } from './config-maps.js';
import { namespaces } from './namespaces.js';
import { events, eventObjectCell, eventSourceCell, type EventObject } from './events.js';
import { endpointsCell } from './endpoints.js';
import { persistentVolumeClaims } from './persistent-volume-claims.js';
import { accessModesCell } from './persistent-volumes.js';
import { quotaCells } from './resource-quotas.js';

const cell = <T>(def: { printerColumns?: readonly { name: string; cell(o: T, now: number): unknown }[] }, name: string, o: T, now = 0): unknown =>
  def.printerColumns!.find((c) => c.name === name)!.cell(o, now);

test('Service defaults: type, affinity, protocol, targetPort, traffic policies, families', () => {
  const svc: ServiceObject = { metadata: { name: 'web', namespace: 'default' }, spec: { type: 'NodePort', ports: [{ port: 80 }, { port: 443, targetPort: 'https' }] } };
  defaultService(svc);
  assert.equal(svc.spec!.sessionAffinity, 'None');
  assert.deepEqual(svc.spec!.ports!.map((p) => [p.protocol, p.targetPort]), [['TCP', 80], ['TCP', 'https']]);
  assert.equal(svc.spec!.externalTrafficPolicy, 'Cluster');
  assert.equal(svc.spec!.internalTrafficPolicy, 'Cluster');
  assert.equal(svc.spec!.ipFamilyPolicy, 'SingleStack');
  assert.deepEqual(svc.spec!.ipFamilies, ['IPv4']);
  const plain: ServiceObject = { metadata: { name: 'a' }, spec: { ports: [{ port: 53, protocol: 'UDP' }] } };
  defaultService(plain);
  assert.equal(plain.spec!.type, 'ClusterIP');
  assert.equal(plain.spec!.externalTrafficPolicy, undefined);
});

test('Service validation and the clusterIP immutability message', () => {
  const svc: ServiceObject = { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }, { port: 80 }] } };
  defaultService(svc);
  assert.deepEqual(validateService(svc).map(formatFieldError), [
    'spec.ports[0].name: Required value',
    'spec.ports[1].name: Required value',
    'spec.ports[1]: Duplicate value: {"port":80,"protocol":"TCP"}',
  ]);
  const noPorts: ServiceObject = { metadata: { name: 'x' }, spec: { type: 'ClusterIP' } };
  assert.deepEqual(validateService(noPorts).map(formatFieldError), ['spec.ports: Required value']);
  const old: ServiceObject = { metadata: { name: 'web' }, spec: { type: 'ClusterIP', clusterIP: '10.43.0.5', clusterIPs: ['10.43.0.5'], ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] } };
  const changed: ServiceObject = { metadata: { name: 'web' }, spec: { ...old.spec, clusterIP: '10.43.0.6', clusterIPs: ['10.43.0.6'] } };
  assert.equal(formatFieldError(validateService(changed, old)[0]!), 'spec.clusterIPs[0]: Invalid value: ["10.43.0.6"]: may not change once set');
  const bad = { metadata: { name: 'My_svc' } };
  assert.match(validateObjectMeta(bad.metadata, { namespaced: false, nameValidation: services.nameValidation })[0]!.detail!, /DNS-1035 label/);
  const patched: ServiceObject = { metadata: { name: 'web' }, spec: { type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] } };
  services.prepareForUpdate!(patched, old);
  assert.equal(patched.spec!.clusterIP, '10.43.0.5');
  assert.deepEqual(validateService(patched, old), []);
});

test('Service printer cells', () => {
  const svc: ServiceObject = { metadata: { name: 'web' }, spec: { type: 'NodePort', clusterIPs: ['10.43.0.9'], ports: [{ port: 80, protocol: 'TCP' }, { port: 443, nodePort: 30443, protocol: 'TCP' }] } };
  assert.equal(servicePortsCell(svc), '80/TCP,443:30443/TCP');
  assert.equal(serviceExternalIPCell(svc), '<none>');
  assert.equal(cell(services, 'Cluster-IP', svc), '10.43.0.9');
  assert.equal(serviceExternalIPCell({ metadata: {}, spec: { type: 'LoadBalancer' } }), '<pending>');
  assert.equal(serviceExternalIPCell({ metadata: {}, spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '192.168.1.2' }] } } }), '192.168.1.2');
  assert.equal(serviceExternalIPCell({ metadata: {}, spec: { type: 'ExternalName', externalName: 'example.com' } }), 'example.com');
  assert.equal(servicePortsCell({ metadata: {}, spec: { clusterIP: 'None' } }), '<none>');
  assert.equal(cell(services, 'Cluster-IP', { metadata: {}, spec: { type: 'ExternalName' } }), '<none>');
  assert.equal(cell(services, 'Selector', { metadata: {}, spec: { selector: { b: '2', a: '1' } } }), 'a=1,b=2');
});

test('Node status and roles', () => {
  const node: NodeObject = {
    metadata: { name: 'n1', labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': 'true', 'kubernetes.io/role': 'edge' } },
    spec: { unschedulable: true },
    status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.33.0' } as NonNullable<NodeObject['status']>['nodeInfo'] },
  };
  assert.equal(nodeStatusCell(node), 'Ready,SchedulingDisabled');
  assert.deepEqual(nodeRoles(node), ['control-plane', 'edge', 'master']);
  assert.equal(nodeStatusCell({ metadata: {}, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }), 'NotReady');
  assert.equal(nodeStatusCell({ metadata: {} }), 'Unknown');
  assert.equal(cell(nodes, 'Roles', { metadata: {} }), '<none>');
  assert.equal(cell(nodes, 'Internal-IP', { metadata: {}, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } }), '10.0.0.1');
  assert.equal(cell(nodes, 'OS-Image', { metadata: {} }), '<unknown>');
  assert.equal(nodes.fieldSelectors['spec.unschedulable']!(node), 'true');
});

test('Secrets: Opaque default, stringData merge, per-type rules, base64', () => {
  const s: SecretObject = { metadata: { name: 's', namespace: 'd' }, stringData: { password: 'hunter2' }, data: { user: 'YWRtaW4=' } };
  defaultSecret(s);
  assert.equal(s.type, 'Opaque');
  assert.equal(s.stringData, undefined);
  assert.deepEqual(s.data, { user: 'YWRtaW4=', password: Buffer.from('hunter2').toString('base64') });
  assert.deepEqual(validateSecret(s), []);
  const tls: SecretObject = { metadata: { name: 't' }, type: 'kubernetes.io/tls', data: { 'tls.crt': '' } };
  assert.deepEqual(validateSecret(tls).map(formatFieldError), ['data[tls.key]: Required value']);
  assert.deepEqual(validateSecret({ metadata: { name: 'x' }, type: 'Opaque', data: { k: 'not base64!' } }).map(formatFieldError), ['data[k]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 3']);
  assert.deepEqual(validateSecret({ metadata: { name: 'x' }, type: 'kubernetes.io/basic-auth', data: {} }).map((e) => e.field), ['data[username]', 'data[password]']);
  assert.deepEqual(validateSecret({ metadata: { name: 'x' }, type: 'Opaque' }, { metadata: { name: 'x' }, type: 'kubernetes.io/tls' }).map(formatFieldError), ['type: Invalid value: "Opaque": field is immutable']);
  assert.equal(cell(secrets, 'Data', s), 2);
  assert.equal(secrets.fieldSelectors['type']!(s), 'Opaque');
});

test('ConfigMaps: keys and the 1 MiB total', () => {
  assert.deepEqual(validateConfigMap({ metadata: { name: 'c' }, data: { 'a b': 'x' } }).map((e) => e.field), ['data[a b]']);
  assert.deepEqual(validateConfigMap({ metadata: { name: 'c' }, data: { a: 'x'.repeat(1024 * 1024 + 1) } }).map(formatFieldError), [': Too long: may not be more than 1048576 bytes']);
  assert.deepEqual(validateConfigMap({ metadata: { name: 'c' }, data: { a: '1' }, binaryData: { a: 'MQ==' } }).map(formatFieldError), ['binaryData[a]: Invalid value: "a": duplicate of key present in data']);
  assert.equal(cell(configMaps, 'Data', { metadata: {}, data: { a: '1' }, binaryData: { b: 'MQ==' } }), 2);
});

test('Namespaces: Active phase, kubernetes finalizer, name label, Terminating on delete', () => {
  const ns = { metadata: { name: 'team-a' } } as Parameters<typeof namespaces.prepareForCreate & object>[0];
  namespaces.defaults!(ns);
  namespaces.prepareForCreate!(ns);
  assert.equal(ns.status?.phase, 'Active');
  assert.deepEqual(ns.spec?.finalizers, ['kubernetes']);
  assert.equal(ns.metadata.labels?.['kubernetes.io/metadata.name'], 'team-a');
  assert.ok(namespaces.pendingDeletion!(ns));
  namespaces.prepareForDelete!(ns);
  assert.equal(ns.status?.phase, 'Terminating');
  assert.equal(namespaces.nameValidation!('a.b')[0], 'must not contain dots');
  assert.ok(!namespaces.verbs.includes('deletecollection'));
});

test('Event cells and field selectors', () => {
  const ev: EventObject = {
    metadata: { name: 'web.1', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', fieldPath: 'spec.containers{web}' },
    reason: 'Pulled', type: 'Normal', message: ' pulled \n', source: { component: 'kubelet', host: 'n1' },
    firstTimestamp: '2025-01-01T00:00:00Z', lastTimestamp: '2025-01-01T00:01:00Z', count: 3,
  };
  const now = Date.parse('2025-01-01T00:02:00Z');
  assert.equal(eventObjectCell(ev), 'pod/web');
  assert.equal(eventSourceCell(ev), 'kubelet, n1');
  assert.deepEqual(events.printerColumns!.map((c) => c.cell(ev, now)), ['60s', 'Normal', 'Pulled', 'pod/web', 'spec.containers{web}', 'kubelet, n1', 'pulled', '2m', 3, 'web.1']);
  assert.equal(events.fieldSelectors['involvedObject.name']!(ev), 'web');
  assert.equal(events.fieldSelectors['source']!(ev), 'kubelet');
  assert.deepEqual(events.validate!({ ...ev, metadata: { name: 'x', namespace: 'other' } }).map(formatFieldError), ['involvedObject.namespace: Invalid value: "default": does not match event.namespace']);
});

test('Endpoints, PVC, quota cells', () => {
  assert.equal(endpointsCell({ metadata: {} }), '<none>');
  const ep = { metadata: {}, subsets: [{ addresses: [{ ip: '10.42.0.1' }, { ip: '10.42.0.2' }], ports: [{ port: 80 }, { port: 443 }] }] };
  assert.equal(endpointsCell(ep), '10.42.0.1:80,10.42.0.2:80,10.42.0.1:443 + 1 more...');
  assert.equal(accessModesCell(['ReadWriteMany', 'ReadWriteOnce']), 'RWO,RWX');
  const pvc = { metadata: { name: 'data' }, spec: { volumeName: 'pv1' }, status: { phase: 'Bound', capacity: { storage: '1024Mi' }, accessModes: ['ReadWriteOnce'] } };
  assert.deepEqual(persistentVolumeClaims.printerColumns!.slice(0, 6).map((c) => c.cell(pvc, 0)), ['Bound', 'pv1', '1Gi', 'RWO', '', '<unset>']);
  assert.deepEqual(quotaCells({ metadata: {}, status: { hard: { pods: '10', 'limits.cpu': '2', 'requests.cpu': '1' }, used: { pods: '1', 'requests.cpu': '500m' } } }), { request: 'pods: 1/10, requests.cpu: 500m/1', limit: 'limits.cpu: 0/2' });
});
