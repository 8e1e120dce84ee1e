import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { applyPatch, patchTypeOf } from './index.js';
import { patchMetaFromDefinitions } from './patch-meta.js';
import { definitions } from './testdata/definitions.js';
import { StatusError } from '../errors.js';

const meta = patchMetaFromDefinitions(definitions, 'io.k8s.api.apps.v1.Deployment');
const live = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'a', image: '1' }] } } },
};

function statusOf(fn: () => unknown): StatusError {
  try { fn(); } catch (e) { if (e instanceof StatusError) return e; throw e; }
  assert.fail('expected a StatusError');
}

test('patchTypeOf maps the PATCH content types', () => {
  assert.equal(patchTypeOf('application/json-patch+json'), 'json');
  assert.equal(patchTypeOf('application/merge-patch+json; charset=utf-8'), 'merge');
  assert.equal(patchTypeOf('application/strategic-merge-patch+json'), 'strategic');
  assert.equal(patchTypeOf('application/apply-patch+yaml'), 'apply');
  assert.equal(patchTypeOf('application/json'), undefined);
});

test('each patch type from a Buffer body', () => {
  assert.deepEqual((applyPatch('json', live, Buffer.from('[{"op":"replace","path":"/spec/replicas","value":3}]')) as typeof live).spec.replicas, 3);
  assert.deepEqual((applyPatch('merge', live, Buffer.from('{"spec":{"replicas":4}}')) as typeof live).spec.replicas, 4);
  const smp = applyPatch('strategic', live, '{"spec":{"template":{"spec":{"containers":[{"name":"b","image":"2"}]}}}}', { meta }) as typeof live;
  assert.deepEqual(smp.spec.template.spec.containers.map((c) => c.name), ['b', 'a']);
  assert.deepEqual(live.spec.replicas, 1, 'input untouched');
});

test('apply parses YAML (and JSON) bodies and records managedFields', () => {
  const yamlBody = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  replicas: 5',
  ].join('\n');
  const out = applyPatch('apply', live, yamlBody, { meta, manager: 'helm', apiVersion: 'apps/v1', kind: 'Deployment', now: '2025-01-01T00:00:00Z' }) as
    { spec: { replicas: number }; metadata: { managedFields: { manager: string }[] } };
  assert.equal(out.spec.replicas, 5);
  assert.deepEqual(out.metadata.managedFields.map((e) => e.manager), ['helm']);
  const created = applyPatch('apply', undefined, JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'new' } }),
    { meta, manager: 'kubectl', apiVersion: 'apps/v1', kind: 'Deployment', now: '2025-01-01T00:00:00Z' }) as { metadata: { name: string } };
  assert.equal(created.metadata.name, 'new');
});

test('errors: bad YAML is 400, a list body is 400, a JSON patch result that is not an object is 422', () => {
  const ctx = { meta, manager: 'kubectl', apiVersion: 'apps/v1', kind: 'Deployment' };
  assert.equal(statusOf(() => applyPatch('apply', live, 'a: [1', ctx)).code, 400);
  assert.match(statusOf(() => applyPatch('apply', live, '- 1\n- 2', ctx)).message, /cannot unmarshal array into Go value of type map\[string\]interface \{\}/);
  assert.equal(statusOf(() => applyPatch('apply', live, 'kind: Deployment', { ...ctx, manager: '' })).code, 400);
  const e = statusOf(() => applyPatch('json', live, '[{"op":"replace","path":"","value":[1]}]'));
  assert.equal(e.code, 422);
  assert.equal(statusOf(() => applyPatch('merge', undefined, '{}')).code, 404);
});

test('json patch unknown op fields: Strict rejects, Warn warns, Ignore passes', () => {
  const body = '[{"op":"replace","path":"/spec/replicas","value":2,"vaule":3}]';
  const e = statusOf(() => applyPatch('json', live, body));
  assert.equal(e.code, 422);
  assert.match(e.message, /strict decoding error: json patch unknown field "vaule"/);
  const warnings: string[] = [];
  applyPatch('json', live, body, { fieldValidation: 'Warn', warnings });
  assert.deepEqual(warnings, ['json patch unknown field "vaule"']);
  assert.equal((applyPatch('json', live, body, { fieldValidation: 'Ignore' }) as typeof live).spec.replicas, 2);
});
