import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CustomResourceDefinition, JSONSchemaProps } from 'kubernetes-types/apiextensions/v1.js';
import { formatFieldError } from '../errors.js';
import { crdDefinitionName, crdDefinitions, validateStructuralSchema } from './crd.js';

const crd: CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com', scope: 'Namespaced', names: { plural: 'crontabs', kind: 'CronTab', listKind: 'CronTabList' },
    versions: [
      { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', description: 'A cron tab.', properties: { spec: { type: 'object', properties: { port: { 'x-kubernetes-int-or-string': true }, note: { type: 'string', nullable: true } } as unknown as Record<string, JSONSchemaProps> } } } } },
      { name: 'v1beta1', served: true, storage: false },
      { name: 'v0', served: false, storage: false },
    ],
  },
};

test('definitions per served version, with GVK, metadata and a list', () => {
  const defs = crdDefinitions(crd);
  assert.deepEqual(Object.keys(defs).sort(), ['com.example.stable.v1.CronTab', 'com.example.stable.v1.CronTabList', 'com.example.stable.v1beta1.CronTab', 'com.example.stable.v1beta1.CronTabList']);
  const v1 = defs['com.example.stable.v1.CronTab'];
  assert.equal(v1?.description, 'A cron tab.');
  assert.deepEqual(v1?.['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', version: 'v1', kind: 'CronTab' }]);
  assert.equal(v1?.properties?.metadata?.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.equal(v1?.properties?.spec?.properties?.note?.nullable, true);
  assert.deepEqual(defs['com.example.stable.v1.CronTabList']?.properties?.items?.items, { $ref: '#/definitions/com.example.stable.v1.CronTab' });
  assert.equal(defs['com.example.stable.v1beta1.CronTab']?.['x-kubernetes-preserve-unknown-fields'], true);
  const v2 = crdDefinitions(crd, { v2: true })['com.example.stable.v1.CronTab'];
  assert.equal(v2?.properties?.spec?.properties?.note?.nullable, undefined);
  assert.equal(v2?.properties?.spec?.properties?.note?.type, undefined);
  assert.equal(crdDefinitionName({ group: 'a.b.c', version: 'v2', kind: 'K' }), 'c.b.a.v2.K');
});

test('structural schema rules', () => {
  const path = 'spec.versions[0].schema.openAPIV3Schema';
  const check = (s: unknown) => validateStructuralSchema(s as JSONSchemaProps, path).map(formatFieldError);
  assert.deepEqual(check({ type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'string' }, port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } } } } }), []);
  assert.deepEqual(check({ type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } }),
    [`${path}.properties[spec].type: Required value: must not be empty for specified object fields`]);
  assert.deepEqual(check({ type: 'object', properties: { a: { type: 'array' } } }), [`${path}.properties[a].items: Required value: must be specified`]);
  assert.deepEqual(check({ type: 'object', properties: { a: { type: 'string', anyOf: [{ type: 'string' }] } } }), [`${path}.properties[a].anyOf[0].type: Forbidden: must be empty to be structural`]);
  assert.deepEqual(check({ type: 'object', properties: { a: { type: 'object', additionalProperties: false } } }), [`${path}.properties[a].additionalProperties: Forbidden: additionalProperties cannot be set to false`]);
  assert.deepEqual(check({ type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } }), [`${path}.properties[metadata].properties[labels]: Forbidden: must not be specified`]);
  assert.deepEqual(check({ properties: {} }), [`${path}.type: Required value: must not be empty at the root`]);
  assert.deepEqual(check({ type: 'object', properties: { l: { type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'map' } } }), [`${path}.properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`]);
  assert.deepEqual(check({ type: 'object', properties: { a: { type: 'object', 'x-kubernetes-preserve-unknown-fields': false } } }), [`${path}.properties[a].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`]);
});
