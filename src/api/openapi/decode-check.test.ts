import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDefinitions } from './definitions.js';
import { cannotHandle, checkObject, pruneUnknownFields, strictDecodingError } from './decode-check.js';

const defs = loadDefinitions();
const deployment = 'io.k8s.api.apps.v1.Deployment';

function deploymentBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 2, selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'nginx', resources: { limits: { cpu: '500m', memory: 128 } } }] } },
      ...extra,
    },
  };
}

test('a valid object has nothing to report', () => {
  const obj = deploymentBody();
  assert.deepEqual(checkObject(defs, deployment, obj, JSON.stringify(obj)), { unknown: [], duplicates: [], strict: [], typeErrors: [] });
});

test('unknown and duplicate fields, in document order, worded as upstream', () => {
  const raw = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x","name":"y","unknownMeta":1},'
    + '"spec":{"unknown1":1,"unknownDupe":1,"unknownDupe":2,"paused":true,"paused":false,'
    + '"template":{"spec":{"containers":[{"name":"a","unknownNested":"x","imagePullPolicy":"A","imagePullPolicy":"B"}]}}}}';
  const r = checkObject(defs, deployment, JSON.parse(raw), raw);
  assert.deepEqual(r.unknown, ['metadata.unknownMeta', 'spec.unknown1', 'spec.unknownDupe', 'spec.template.spec.containers[0].unknownNested']);
  assert.deepEqual(r.duplicates, ['metadata.name', 'spec.paused', 'spec.template.spec.containers[0].imagePullPolicy']);
  assert.equal(strictDecodingError(r),
    'strict decoding error: duplicate field "metadata.name", unknown field "metadata.unknownMeta", unknown field "spec.unknown1", '
    + 'unknown field "spec.unknownDupe", duplicate field "spec.paused", unknown field "spec.template.spec.containers[0].unknownNested", '
    + 'duplicate field "spec.template.spec.containers[0].imagePullPolicy"');
  assert.deepEqual(r.typeErrors, []);
});

test('without the raw text, unknown fields come from the object and duplicates cannot be seen', () => {
  const r = checkObject(defs, deployment, deploymentBody({ foo: 1, bar: { x: 1 } }));
  assert.deepEqual(r.unknown, ['spec.foo', 'spec.bar']);
  assert.deepEqual(r.strict, ['unknown field "spec.foo"', 'unknown field "spec.bar"']);
  assert.deepEqual(r.duplicates, []);
});

test('maps and free-form fields accept any key; escaped keys are decoded', () => {
  const raw = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","annotations":{"a\\u002fb":"1","a\\u002fb":"2"}},"data":{"k":"v"}}';
  const r = checkObject(defs, 'io.k8s.api.core.v1.ConfigMap', JSON.parse(raw), raw);
  assert.deepEqual(r.unknown, []);
  assert.deepEqual(r.duplicates, ['metadata.annotations.a/b']);
  const ext = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: 1, data: { anything: { goes: [1] } } };
  assert.deepEqual(checkObject(defs, 'io.k8s.api.apps.v1.ControllerRevision', ext, JSON.stringify(ext)).unknown, []);
});

test('type errors read like encoding/json', () => {
  const r = checkObject(defs, deployment, deploymentBody({ replicas: '3' }));
  assert.deepEqual(r.typeErrors, ['json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32']);
  assert.equal(cannotHandle('Deployment', 'v1', r.typeErrors[0] ?? ''),
    'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  const nested = deploymentBody();
  const spec = nested.spec as { template: { spec: { containers: Record<string, unknown>[] } } };
  (spec.template.spec.containers[0] as Record<string, unknown>).image = 5;
  assert.deepEqual(checkObject(defs, deployment, nested).typeErrors,
    ['json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.image of type string']);
  assert.deepEqual(checkObject(defs, deployment, deploymentBody({ template: 'x' })).typeErrors,
    ['json: cannot unmarshal string into Go struct field DeploymentSpec.spec.template of type v1.PodTemplateSpec']);
  assert.deepEqual(checkObject(defs, deployment, deploymentBody({ replicas: 1.5 })).typeErrors,
    ['json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32']);
  assert.deepEqual(checkObject(defs, deployment, deploymentBody({ paused: 'yes' })).typeErrors,
    ['json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool']);
  const labels = deploymentBody();
  (labels.metadata as Record<string, unknown>).labels = { a: 1 };
  assert.deepEqual(checkObject(defs, deployment, labels).typeErrors,
    ['json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string']);
  (labels.metadata as Record<string, unknown>).labels = [];
  assert.deepEqual(checkObject(defs, deployment, labels).typeErrors,
    ['json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string']);
  assert.deepEqual(checkObject(defs, deployment, deploymentBody({ strategy: { rollingUpdate: { maxSurge: true } } })).typeErrors,
    ['json: cannot unmarshal bool into Go value of type int32']);
  const quantity = deploymentBody();
  ((quantity.spec as { template: { spec: { containers: { resources: { limits: Record<string, unknown> } }[] } } }).template.spec.containers[0] as { resources: { limits: Record<string, unknown> } }).resources.limits.cpu = 'lots';
  assert.match(checkObject(defs, deployment, quantity).typeErrors[0] ?? '', /^quantities must match the regular expression/);
  assert.deepEqual(checkObject(defs, deployment, deploymentBody({ replicas: null })).typeErrors, []);
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { ok: 'aGk=', bad: 'a$b' } };
  assert.deepEqual(checkObject(defs, 'io.k8s.api.core.v1.Secret', secret).typeErrors, ['illegal base64 data at input byte 1']);
});

test('recursive schemas (CRD JSONSchemaProps) compile and check', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'foos.example.com' },
    spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'foos', kind: 'Foo' }, versions: [{ name: 'v1', served: true, storage: true,
      schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { spec: { type: 'object', properties: { a: { type: 'string', typo: 1 } } } } } } }] },
  };
  const r = checkObject(defs, 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition', crd, JSON.stringify(crd));
  assert.deepEqual(r.unknown, ['spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.a.typo']);
});

test('pruneUnknownFields drops what the type lacks and names it', () => {
  const obj = deploymentBody({ foo: 1 });
  (obj.metadata as Record<string, unknown>).bar = 2;
  assert.deepEqual(pruneUnknownFields(defs, deployment, obj), ['metadata.bar', 'spec.foo']);
  assert.deepEqual(obj, deploymentBody());
});
