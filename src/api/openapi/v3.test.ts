import { test } from 'node:test';
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';
import assert from 'node:assert/strict';
import { defineResource } from '../resource.js';
import { crdDefinitions } from './crd.js';
import { loadDefinitions } from './definitions.js';
import { testResources } from './test-resources.js';
import { documentHash, groupVersionKeys, openapiV3Document, openapiV3Index } from './v3.js';

const defs = loadDefinitions();
type Op = { operationId: string; parameters?: { name: string; in: string }[]; 'x-kubernetes-action': string; 'x-kubernetes-group-version-kind'?: unknown; requestBody?: { content: Record<string, { schema: { $ref: string } }> } };

test('index names each group-version document by hash', () => {
  assert.deepEqual(groupVersionKeys(testResources), ['api/v1', 'apis/apps/v1', 'apis/authorization.k8s.io/v1', 'apis/apiextensions.k8s.io/v1']);
  assert.deepEqual(openapiV3Index(['api/v1', 'apis/apps/v1'], (gv) => `H-${gv.length}`), {
    paths: { 'api/v1': { serverRelativeURL: '/openapi/v3/api/v1?hash=H-6' }, 'apis/apps/v1': { serverRelativeURL: '/openapi/v3/apis/apps/v1?hash=H-12' } },
  });
});

test('apps/v1 document: upstream paths, operations and parameters', () => {
  const doc = openapiV3Document({ group: 'apps', version: 'v1' }, testResources, defs);
  assert.equal(doc.openapi, '3.0.0');
  const paths = Object.keys(doc.paths);
  for (const p of ['/apis/apps/v1/deployments', '/apis/apps/v1/namespaces/{namespace}/deployments', '/apis/apps/v1/namespaces/{namespace}/deployments/{name}',
    '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale', '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status',
    '/apis/apps/v1/watch/namespaces/{namespace}/deployments/{name}']) assert.ok(paths.includes(p), p);
  assert.ok(!paths.some((p) => p.startsWith('/api/v1')));
  const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'] as Record<string, Op>;
  assert.equal(item.get?.operationId, 'readAppsV1NamespacedDeployment');
  assert.equal(item.put?.operationId, 'replaceAppsV1NamespacedDeployment');
  assert.equal(item.delete?.operationId, 'deleteAppsV1NamespacedDeployment');
  assert.equal(item.patch?.['x-kubernetes-action'], 'patch');
  assert.deepEqual(item.patch?.['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.deepEqual(item.patch?.parameters?.map((p) => p.name), ['dryRun', 'fieldManager', 'fieldValidation', 'force']);
  assert.deepEqual(Object.keys(item.patch?.requestBody?.content ?? {}), ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']);
  const collection = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'] as Record<string, Op>;
  assert.equal(collection.get?.operationId, 'listAppsV1NamespacedDeployment');
  assert.equal(collection.post?.operationId, 'createAppsV1NamespacedDeployment');
  assert.equal(collection.delete?.operationId, 'deleteCollectionAppsV1NamespacedDeployment');
  assert.equal((doc.paths['/apis/apps/v1/deployments'] as Record<string, Op>).get?.operationId, 'listAppsV1DeploymentForAllNamespaces');
  const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'] as Record<string, Op>;
  assert.deepEqual(scale.patch?.['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  assert.equal(scale.patch?.operationId, 'patchAppsV1NamespacedDeploymentScale');
  // kubectl trusts server-side validation only if every PATCH names fieldValidation.
  for (const [path, entry] of Object.entries(doc.paths)) {
    const patch = (entry as Record<string, Op>).patch;
    if (patch) assert.ok(patch.parameters?.some((p) => p.name === 'fieldValidation' && p.in === 'query'), path);
  }
});

test('components hold every referenced schema, in v3 form', () => {
  const doc = openapiV3Document({ group: 'apps', version: 'v1' }, testResources, defs);
  const schemas = doc.components.schemas;
  const deployment = schemas['io.k8s.api.apps.v1.Deployment'] as Record<string, unknown>;
  assert.deepEqual(deployment['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  const spec = (deployment.properties as Record<string, Record<string, unknown>>).spec;
  assert.deepEqual(spec?.allOf, [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }]);
  assert.deepEqual((schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] as Record<string, unknown>).oneOf, [{ type: 'integer' }, { type: 'string' }]);
  const missing: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!v || typeof v !== 'object') return;
    const ref = (v as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && !schemas[ref.slice('#/components/schemas/'.length)]) missing.push(ref);
    Object.values(v).forEach(visit);
  };
  visit(doc);
  assert.deepEqual(missing, []);
  for (const name of ['io.k8s.api.core.v1.PodSpec', 'io.k8s.api.autoscaling.v1.Scale', 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch', 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']) assert.ok(schemas[name], name);
  assert.equal(schemas['io.k8s.api.batch.v1.Job'], undefined);
});

test('core/v1 subresources, virtual resources and CRDs', () => {
  const core = openapiV3Document({ group: '', version: 'v1' }, testResources, defs);
  const exec = core.paths['/api/v1/namespaces/{namespace}/pods/{name}/exec'] as Record<string, Op>;
  assert.equal(exec.post?.operationId, 'connectCoreV1PostNamespacedPodExec');
  assert.deepEqual(exec.get?.['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'PodExecOptions' });
  assert.equal((core.paths['/api/v1/namespaces/{namespace}/pods/{name}/log'] as Record<string, Op>).get?.operationId, 'readCoreV1NamespacedPodLog');
  assert.equal((core.paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction'] as Record<string, Op>).post?.operationId, 'createCoreV1NamespacedPodEviction');
  assert.equal((core.paths['/api/v1/namespaces/{name}'] as Record<string, Op>).get?.operationId, 'readCoreV1Namespace');
  const authz = openapiV3Document({ group: 'authorization.k8s.io', version: 'v1' }, testResources, defs);
  assert.deepEqual(Object.keys(authz.paths), ['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews']);
  assert.equal((authz.paths['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'] as Record<string, Op>).post?.operationId, 'createAuthorizationV1SelfSubjectAccessReview');

  const crd: CustomResourceDefinition = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'crontabs.stable.example.com' },
    spec: { group: 'stable.example.com', scope: 'Namespaced', names: { plural: 'crontabs', kind: 'CronTab' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { cronSpec: { type: 'string' } } } } } } }] },
  };
  const crontabs = defineResource({ group: 'stable.example.com', version: 'v1', kind: 'CronTab', plural: 'crontabs', scope: 'Namespaced' });
  const withCrd = defs.with(crdDefinitions(crd));
  const doc = openapiV3Document({ group: 'stable.example.com', version: 'v1' }, [crontabs], withCrd);
  const item = doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}'] as Record<string, Op>;
  assert.equal(item.patch?.operationId, 'patchStableExampleComV1NamespacedCronTab');
  assert.ok(!('application/strategic-merge-patch+json' in (item.patch?.requestBody?.content ?? {})));
  assert.ok(doc.components.schemas['com.example.stable.v1.CronTab']);
  assert.ok(doc.components.schemas['com.example.stable.v1.CronTabList']);
  assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
});

test('the hash changes when the content does', () => {
  const a = openapiV3Document({ group: 'apps', version: 'v1' }, testResources, defs);
  const b = openapiV3Document({ group: 'apps', version: 'v1' }, testResources, defs);
  assert.equal(documentHash(a), documentHash(b));
  assert.match(documentHash(a), /^[0-9A-F]{128}$/);
  const fewer = openapiV3Document({ group: 'apps', version: 'v1' }, testResources.filter((r) => r.kind !== 'ReplicaSet'), defs);
  assert.notEqual(documentHash(a), documentHash(fewer));
});
