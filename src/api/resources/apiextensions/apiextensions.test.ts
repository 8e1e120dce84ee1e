import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../../errors.js';
import { customResourceDefinitions, type CustomResourceDefinitionObject } from './custom-resource-definitions.js';
import { validatingWebhookConfigurations, mutatingWebhookConfigurations } from '../admissionregistration/webhook-configurations.js';
import { subjectAccessReviews, selfSubjectAccessReviews } from '../authorization/access-reviews.js';
import { selfSubjectReviews } from '../authentication/reviews.js';

const crd = (): CustomResourceDefinitionObject => ({
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
  },
});

test('CRD defaults, validation and stored versions', () => {
  const c = crd();
  customResourceDefinitions.defaults!(c);
  assert.equal(c.spec.names.listKind, 'WidgetList');
  assert.equal(c.spec.names.singular, 'widget');
  assert.deepEqual(customResourceDefinitions.validate!(c), []);
  customResourceDefinitions.prepareForCreate!(c);
  assert.deepEqual(c.status?.storedVersions, ['v1']);
  assert.equal(c.metadata.generation, 1);
  const two = crd();
  customResourceDefinitions.defaults!(two);
  two.spec.versions.push({ name: 'v2', served: true, storage: true });
  two.metadata.name = 'gadgets.example.com';
  assert.deepEqual(customResourceDefinitions.validate!(two).map((e) => `${e.field}: ${e.detail}`), [
    'metadata.name: must be spec.names.plural+"."+spec.group',
    'spec.versions: must have exactly one version marked as storage version',
    'spec.versions[1].schema.openAPIV3Schema: schemas are required',
  ]);
  const bad = crd();
  bad.spec.scope = 'Global';
  customResourceDefinitions.defaults!(bad);
  assert.deepEqual(customResourceDefinitions.validate!(bad).map(formatFieldError), ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"']);
  assert.deepEqual(customResourceDefinitions.shortNames, ['crd', 'crds']);
});

test('webhook configurations default and validate', () => {
  const cfg = { metadata: { name: 'v' }, webhooks: [{ name: 'check.example.com', clientConfig: { service: { name: 's', namespace: 'n' } }, sideEffects: 'None', admissionReviewVersions: ['v1'], rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] }] };
  validatingWebhookConfigurations.defaults!(cfg);
  const w = cfg.webhooks[0]! as Record<string, unknown>;
  assert.equal(w['failurePolicy'], 'Fail');
  assert.equal(w['timeoutSeconds'], 10);
  assert.deepEqual(validatingWebhookConfigurations.validate!(cfg), []);
  assert.deepEqual(mutatingWebhookConfigurations.validate!({ metadata: { name: 'm' }, webhooks: [{ name: 'short', clientConfig: {}, sideEffects: 'Some', admissionReviewVersions: [] }] }).map((e) => e.field), [
    'webhooks[0].name', 'webhooks[0].clientConfig', 'webhooks[0].sideEffects', 'webhooks[0].admissionReviewVersions',
  ]);
  assert.equal(validatingWebhookConfigurations.printerColumns![0]!.cell(cfg, 0), 1);
});

test('access reviews are virtual create-only resources', () => {
  for (const def of [subjectAccessReviews, selfSubjectAccessReviews, selfSubjectReviews]) {
    assert.equal(def.virtual, true);
    assert.deepEqual(def.verbs, ['create']);
  }
  assert.equal(selfSubjectReviews.group, 'authentication.k8s.io');
  assert.equal(selfSubjectReviews.version, 'v1');
  assert.deepEqual(selfSubjectAccessReviews.validate!({ metadata: {}, spec: {} }).map((e) => e.detail), ['exactly one of nonResourceAttributes or resourceAttributes must be specified']);
  assert.deepEqual(subjectAccessReviews.validate!({ metadata: {}, spec: { resourceAttributes: { verb: 'get' } } }).map((e) => e.detail), ['`user` or `groups` must be specified']);
});
