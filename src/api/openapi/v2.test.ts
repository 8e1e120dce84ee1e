import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDefinitions } from './definitions.js';
import { testResources } from './test-resources.js';
import { decodeOpenapiV2, encodeOpenapiV2, openapiV2Document } from './v2.js';

const defs = loadDefinitions();
type Named<T> = { name: string; value: T };
type PbSchema = { _ref?: string; description?: string; type?: { value: string[] }; format?: string; required?: string[]; properties?: { additional_properties: Named<PbSchema>[] }; vendor_extension?: Named<{ yaml: string }>[]; items?: { schema: PbSchema[] }; additional_properties?: { schema?: PbSchema; boolean?: boolean } };

test('Swagger 2.0 JSON: paths with body parameters and all definitions', () => {
  const doc = openapiV2Document(testResources, defs);
  assert.equal(doc.swagger, '2.0');
  assert.equal(Object.keys(doc.definitions).length, Object.keys(defs.schemas).length);
  const post = (doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'] as Record<string, { parameters: { in: string; name: string; schema?: unknown }[] }>).post;
  assert.deepEqual(post?.parameters[0], { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.api.apps.v1.Deployment' } });
  assert.ok(post?.parameters.some((p) => p.name === 'fieldValidation'));
});

test('gnostic protobuf round-trips the document', () => {
  const doc = openapiV2Document(testResources, defs);
  const back = decodeOpenapiV2(encodeOpenapiV2(doc)) as {
    swagger: string; info: { title: string };
    paths: { path: Named<{ patch?: { operation_id: string; vendor_extension: Named<{ yaml: string }>[]; parameters: unknown[] }; parameters: unknown[] }>[] };
    definitions: { additional_properties: Named<PbSchema>[] };
    security_definitions: { additional_properties: Named<{ api_key_security: { name: string } }>[] };
  };
  assert.equal(back.swagger, '2.0');
  assert.equal(back.info.title, 'Kubernetes');
  assert.equal(back.definitions.additional_properties.length, Object.keys(doc.definitions).length);
  const def = (name: string) => back.definitions.additional_properties.find((d) => d.name === name)?.value;
  const deployment = def('io.k8s.api.apps.v1.Deployment');
  assert.deepEqual(deployment?.type?.value, ['object']);
  const gvk = deployment?.vendor_extension?.find((e) => e.name === 'x-kubernetes-group-version-kind');
  assert.deepEqual(JSON.parse(gvk?.value.yaml ?? ''), [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  const specProps = def('io.k8s.api.apps.v1.DeploymentSpec')?.properties?.additional_properties ?? [];
  const replicas = specProps.find((p) => p.name === 'replicas')?.value;
  assert.deepEqual([replicas?.type?.value, replicas?.format], [['integer'], 'int32']);
  assert.equal(specProps.find((p) => p.name === 'template')?.value._ref, '#/definitions/io.k8s.api.core.v1.PodTemplateSpec');
  assert.deepEqual(def('io.k8s.api.apps.v1.DeploymentSpec')?.required, ['selector', 'template']);
  const containers = def('io.k8s.api.core.v1.PodSpec')?.properties?.additional_properties.find((p) => p.name === 'containers')?.value;
  assert.equal(containers?.items?.schema[0]?._ref, '#/definitions/io.k8s.api.core.v1.Container');
  assert.deepEqual(Object.fromEntries((containers?.vendor_extension ?? []).map((e) => [e.name, JSON.parse(e.value.yaml)])), {
    'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-list-type': 'map', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge',
  });
  const labels = def('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')?.properties?.additional_properties.find((p) => p.name === 'labels')?.value;
  assert.deepEqual(labels?.additional_properties?.schema?.type?.value, ['string']);
  const item = back.paths.path.find((p) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}')?.value;
  assert.equal(item?.patch?.operation_id, 'patchAppsV1NamespacedDeployment');
  assert.deepEqual(JSON.parse(item?.patch?.vendor_extension.find((e) => e.name === 'x-kubernetes-group-version-kind')?.value.yaml ?? ''), { group: 'apps', kind: 'Deployment', version: 'v1' });
  assert.equal(item?.parameters.length, 3);
  assert.equal(back.security_definitions.additional_properties[0]?.value.api_key_security.name, 'authorization');
});
