import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDefinitions } from './definitions.js';
import type { Schema } from './schema.js';

const defs = loadDefinitions();
const prop = (def: string, field: string): Schema => {
  const schema = defs.get(def)?.properties?.[field];
  assert.ok(schema, `${def}.${field} exists`);
  return schema;
};

test('upstream definition names, kinds and formats', () => {
  const deployment = defs.get('io.k8s.api.apps.v1.Deployment');
  assert.deepEqual(deployment?.['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  assert.equal(defs.nameOf({ group: '', version: 'v1', kind: 'Pod' }), 'io.k8s.api.core.v1.Pod');
  assert.deepEqual(prop('io.k8s.api.apps.v1.DeploymentSpec', 'replicas'), {
    description: prop('io.k8s.api.apps.v1.DeploymentSpec', 'replicas').description, type: 'integer', format: 'int32',
  });
  assert.equal(prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'generation').format, 'int64');
  assert.equal(prop('io.k8s.api.core.v1.PodSpec', 'terminationGracePeriodSeconds').format, 'int64');
  assert.deepEqual(prop('io.k8s.api.apps.v1.DeploymentSpec', 'template').$ref, '#/definitions/io.k8s.api.core.v1.PodTemplateSpec');
  assert.deepEqual(defs.get('io.k8s.api.apps.v1.DeploymentSpec')?.required, ['selector', 'template']);
  const intOrString = defs.get('io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  assert.equal(intOrString?.type, 'string');
  assert.equal(intOrString?.format, 'int-or-string');
  assert.equal(prop('io.k8s.api.apps.v1.RollingUpdateDeployment', 'maxSurge').$ref, '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  assert.equal(defs.get('io.k8s.apimachinery.pkg.apis.meta.v1.Time')?.format, 'date-time');
  assert.equal(defs.get('io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime')?.format, 'date-time');
  assert.equal(defs.get('io.k8s.apimachinery.pkg.api.resource.Quantity')?.type, 'string');
  assert.equal(defs.get('io.k8s.apimachinery.pkg.runtime.RawExtension')?.type, 'object');
  assert.equal(defs.get('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON')?.type, undefined);
  const secretData = prop('io.k8s.api.core.v1.Secret', 'data').additionalProperties as Schema;
  assert.equal(secretData.format, 'byte');
  assert.equal((prop('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps', 'maximum')).type, 'number');
  assert.equal(prop('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps', 'x-kubernetes-preserve-unknown-fields').type, 'boolean');
  assert.match(prop('io.k8s.api.apps.v1.DeploymentSpec', 'strategy').description ?? '', /deployment strategy/);
});

test('every $ref resolves', () => {
  const missing: string[] = [];
  const visit = (s: unknown): void => {
    if (Array.isArray(s)) return s.forEach(visit);
    if (!s || typeof s !== 'object') return;
    const ref = (s as Schema).$ref;
    if (typeof ref === 'string' && !defs.has(ref.slice('#/definitions/'.length))) missing.push(ref);
    Object.values(s).forEach(visit);
  };
  visit(defs.schemas);
  assert.deepEqual(missing, []);
});

// The patch metadata strategic merge patch needs (wire contract §4.4).
test('merge lists carry x-kubernetes-patch-* and list extensions', () => {
  const merge = (def: string, field: string, key: string | undefined, strategy = 'merge') => {
    const s = prop(def, field);
    assert.equal(s['x-kubernetes-patch-strategy'], strategy, `${def}.${field} strategy`);
    assert.equal(s['x-kubernetes-patch-merge-key'], key, `${def}.${field} merge key`);
  };
  const core = 'io.k8s.api.core.v1';
  for (const f of ['containers', 'initContainers', 'ephemeralContainers', 'imagePullSecrets', 'schedulingGates']) merge(`${core}.PodSpec`, f, 'name');
  merge(`${core}.PodSpec`, 'volumes', 'name', 'merge,retainKeys');
  merge(`${core}.PodSpec`, 'resourceClaims', 'name', 'merge,retainKeys');
  merge(`${core}.PodSpec`, 'hostAliases', 'ip');
  merge(`${core}.PodSpec`, 'topologySpreadConstraints', 'topologyKey');
  for (const c of ['Container', 'EphemeralContainer']) {
    merge(`${core}.${c}`, 'env', 'name');
    merge(`${core}.${c}`, 'volumeMounts', 'mountPath');
    merge(`${core}.${c}`, 'volumeDevices', 'devicePath');
  }
  merge(`${core}.Container`, 'ports', 'containerPort');
  merge(`${core}.ServiceSpec`, 'ports', 'port');
  merge(`${core}.ServiceAccount`, 'secrets', 'name');
  merge(`${core}.NodeStatus`, 'addresses', 'type');
  merge(`${core}.PodStatus`, 'podIPs', 'ip');
  merge(`${core}.NodeSpec`, 'podCIDRs', undefined);
  for (const d of [`${core}.PodStatus`, `${core}.NodeStatus`, `${core}.NamespaceStatus`, 'io.k8s.api.apps.v1.DeploymentStatus', 'io.k8s.api.apps.v1.ReplicaSetStatus', 'io.k8s.api.apps.v1.StatefulSetStatus', 'io.k8s.api.apps.v1.DaemonSetStatus', 'io.k8s.api.batch.v1.JobStatus']) {
    merge(d, 'conditions', 'type');
  }
  const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
  merge(meta, 'finalizers', undefined);
  assert.equal(prop(meta, 'finalizers')['x-kubernetes-list-type'], 'set');
  merge(meta, 'ownerReferences', 'uid');
  assert.equal(prop('io.k8s.api.apps.v1.DeploymentSpec', 'strategy')['x-kubernetes-patch-strategy'], 'retainKeys');
  assert.equal(prop('io.k8s.api.apps.v1.DaemonSetSpec', 'updateStrategy')['x-kubernetes-patch-strategy'], undefined);
  assert.deepEqual(prop(`${core}.ServiceSpec`, 'ports')['x-kubernetes-list-map-keys'], ['port', 'protocol']);
  assert.equal(prop(`${core}.ServiceSpec`, 'ports')['x-kubernetes-list-type'], 'map');
  assert.deepEqual(prop(`${core}.Container`, 'ports')['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  assert.deepEqual(prop(`${core}.PodSpec`, 'containers')['x-kubernetes-list-map-keys'], ['name']);
  // Atomic lists have no patch strategy: replaced whole by a strategic merge patch.
  for (const [d, f] of [[`${core}.Container`, 'args'], [`${core}.Container`, 'command'], [`${core}.PodSpec`, 'tolerations'], [`${core}.Container`, 'envFrom'], [`${core}.NodeSpec`, 'taints']] as const) {
    assert.equal(prop(d, f)['x-kubernetes-patch-strategy'], undefined, `${d}.${f}`);
    assert.equal(prop(d, f)['x-kubernetes-list-type'], 'atomic', `${d}.${f}`);
  }
  assert.equal(defs.get(`${core}.LocalObjectReference`)?.['x-kubernetes-map-type'], 'atomic');
  assert.equal(prop(`${core}.PodSpec`, 'nodeSelector')['x-kubernetes-map-type'], 'atomic');
  // Served groups beyond core/apps.
  merge('io.k8s.api.batch.v1.JobStatus', 'conditions', 'type');
  assert.equal(prop('io.k8s.api.networking.v1.IngressSpec', 'rules')['x-kubernetes-list-type'], 'atomic');
  assert.deepEqual(prop('io.k8s.api.discovery.v1.EndpointSlice', 'endpoints')['x-kubernetes-list-type'], 'atomic');
});

test('resolve follows $ref and lone allOf', () => {
  const spec = defs.resolve(prop('io.k8s.api.apps.v1.Deployment', 'spec'));
  assert.ok(spec.properties?.replicas);
  assert.equal(defs.resolve({ allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }] }), defs.get('io.k8s.api.core.v1.PodSpec'));
  assert.throws(() => defs.resolve({ $ref: '#/definitions/nope' }), /unknown definition/);
  const extended = defs.with({ 'com.example.v1.Foo': { type: 'object', 'x-kubernetes-group-version-kind': [{ group: 'example.com', version: 'v1', kind: 'Foo' }] } });
  assert.equal(extended.nameOf({ group: 'example.com', version: 'v1', kind: 'Foo' }), 'com.example.v1.Foo');
  assert.equal(defs.nameOf({ group: 'example.com', version: 'v1', kind: 'Foo' }), undefined);
});
