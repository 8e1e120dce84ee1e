import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../errors.js';
import { defaultCustomResource, pruneCustomResource, validateCustomResource } from './custom-resource.js';
import type { Schema } from './schema.js';

const schema: Schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['image'],
      properties: {
        image: { type: 'string', minLength: 1, maxLength: 20, pattern: '^[a-z]+$' },
        replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
        ratio: { type: 'number', exclusiveMinimum: true, minimum: 0, exclusiveMaximum: true, maximum: 1, multipleOf: 0.25 },
        mode: { type: 'string', enum: ['b', 'c'] },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', maxItems: 2, minItems: 1, items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        ports: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer' } } }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
        labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 1 },
        created: { type: 'string', format: 'date-time' },
        note: { type: 'string', nullable: true },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { kept: { type: 'string', default: 'k' } } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        nested: { type: 'object', default: {}, properties: { level: { type: 'string', default: 'info' } } },
      },
    },
  },
};

const messages = (obj: unknown) => validateCustomResource(schema, obj).map(formatFieldError);

test('a valid custom resource passes', () => {
  assert.deepEqual(messages({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a' }, spec: { image: 'abc', replicas: 3, ratio: 0.5, mode: 'b', port: 'http', tags: ['a'], created: '2024-01-02T03:04:05Z', note: null, template: { apiVersion: 'v1', kind: 'Pod' } } }), []);
});

test('validation messages as the apiextensions-apiserver words them', () => {
  assert.deepEqual(messages({ spec: { image: 'abc', replicas: 'string' } }), ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']);
  assert.deepEqual(messages({ spec: {} }), ['spec.image: Required value']);
  assert.deepEqual(messages({ spec: { image: 'abc', mode: 'a' } }), ['spec.mode: Unsupported value: "a": supported values: "b", "c"']);
  assert.deepEqual(messages({ spec: { image: 'ABC' } }), ['spec.image: Invalid value: "ABC": spec.image in body should match \'^[a-z]+$\'']);
  assert.deepEqual(messages({ spec: { image: '' } }), ['spec.image: Invalid value: "": spec.image in body should be at least 1 chars long', 'spec.image: Invalid value: "": spec.image in body should match \'^[a-z]+$\'']);
  assert.deepEqual(messages({ spec: { image: 'a'.repeat(21) } }), ['spec.image: Too long: may not be more than 20 bytes']);
  assert.deepEqual(messages({ spec: { image: 'a', replicas: 0 } }), ['spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1']);
  assert.deepEqual(messages({ spec: { image: 'a', replicas: 11 } }), ['spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10']);
  assert.deepEqual(messages({ spec: { image: 'a', ratio: 0 } }), ['spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0']);
  assert.deepEqual(messages({ spec: { image: 'a', ratio: 1 } }), ['spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1']);
  assert.deepEqual(messages({ spec: { image: 'a', ratio: 0.3 } }), ['spec.ratio: Invalid value: 0.3: spec.ratio in body should be a multiple of 0.25']);
  assert.deepEqual(messages({ spec: { image: 'a', port: true } }), ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"']);
  assert.deepEqual(messages({ spec: { image: 'a', tags: ['x', 'y', 'z'] } }), ['spec.tags: Too many: 3: must have at most 2 items']);
  assert.deepEqual(messages({ spec: { image: 'a', tags: [] } }), ['spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items']);
  assert.deepEqual(messages({ spec: { image: 'a', tags: ['x', 'x'] } }), ['spec.tags[1]: Duplicate value: "x"']);
  assert.deepEqual(messages({ spec: { image: 'a', ports: [{ name: 'a', port: 1 }, { name: 'a', port: 2 }] } }), ['spec.ports[1]: Duplicate value: {"name":"a"}']);
  assert.deepEqual(messages({ spec: { image: 'a', labels: { a: 'x', b: 'y' } } }), ['spec.labels: Too many: 2: must have at most 1 items']);
  assert.deepEqual(messages({ spec: { image: 'a', labels: { a: 1 } } }), ['spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"']);
  assert.deepEqual(messages({ spec: { image: 'a', created: 'yesterday' } }), ['spec.created: Invalid value: "yesterday": spec.created in body must be of type date-time: "yesterday"']);
  assert.deepEqual(messages({ spec: { image: null } }), ['spec.image: Invalid value: "null": spec.image in body must be of type string: "null"']);
  assert.deepEqual(messages({ spec: { image: 'a', template: { kind: 'Pod' } } }), ['spec.template.apiVersion: Required value: must not be empty']);
  assert.deepEqual(messages({ spec: 'x' }), ['spec: Invalid value: "string": spec in body must be of type object: "string"']);
});

test('pruning drops unspecified fields except where unknown fields are preserved', () => {
  const obj = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a' }, extra: 1, spec: { image: 'a', bogus: true, ports: [{ name: 'p', junk: 1 }], labels: { any: 'x' }, free: { anything: 1, kept: 'x' }, template: { apiVersion: 'v1', kind: 'Pod', whatever: {} } } };
  assert.deepEqual(pruneCustomResource(schema, obj), ['extra', 'spec.bogus', 'spec.ports[0].junk']);
  assert.deepEqual(obj, { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a' }, spec: { image: 'a', ports: [{ name: 'p' }], labels: { any: 'x' }, free: { anything: 1, kept: 'x' }, template: { apiVersion: 'v1', kind: 'Pod', whatever: {} } } });
  const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } as Schema;
  assert.deepEqual(pruneCustomResource(open, { a: { b: 1 } }), []);
});

test('defaulting fills absent fields, then defaults inside them', () => {
  const obj: Record<string, unknown> = { spec: { image: 'a', free: {} } };
  defaultCustomResource(schema, obj);
  assert.deepEqual(obj, { spec: { image: 'a', replicas: 1, free: { kept: 'k' }, nested: { level: 'info' } } });
  const given = { spec: { image: 'a', replicas: 4, nested: { level: 'debug' } } };
  defaultCustomResource(schema, given);
  assert.deepEqual(given.spec, { image: 'a', replicas: 4, nested: { level: 'debug' } });
  const withNull = { spec: { image: 'a', replicas: null } };
  defaultCustomResource(schema, withNull);
  assert.equal(withNull.spec.replicas, 1);
});
