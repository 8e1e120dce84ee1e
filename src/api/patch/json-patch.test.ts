import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, decodeJsonPatch } from './json-patch.js';
import { StatusError } from '../errors.js';
import type { JsonValue } from './json-value.js';

function statusOf(fn: () => unknown): StatusError {
  try { fn(); } catch (e) { if (e instanceof StatusError) return e; throw e; }
  assert.fail('expected a StatusError');
}
const apply = (doc: JsonValue, ops: unknown): JsonValue => applyJsonPatch(doc, decodeJsonPatch(JSON.stringify(ops)).operations);

test('add, remove, replace on objects and arrays', () => {
  const doc = { a: 1, list: [1, 2, 3], o: { x: 1 } };
  assert.deepEqual(apply(doc, [
    { op: 'add', path: '/b', value: { c: [1] } },
    { op: 'add', path: '/list/1', value: 9 },
    { op: 'add', path: '/list/-', value: 4 },
    { op: 'remove', path: '/a' },
    { op: 'replace', path: '/o/x', value: 'y' },
    { op: 'remove', path: '/list/0' },
  ]), { list: [9, 2, 3, 4], o: { x: 'y' }, b: { c: [1] } });
  assert.deepEqual(doc, { a: 1, list: [1, 2, 3], o: { x: 1 } }, 'input untouched');
});

test('~0 and ~1 escapes address keys with ~ and /', () => {
  const doc = { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 'x', 'a~b': 1 } } };
  assert.deepEqual(apply(doc, [
    { op: 'replace', path: '/metadata/annotations/kubectl.kubernetes.io~1restartedAt', value: 'y' },
    { op: 'remove', path: '/metadata/annotations/a~0b' },
  ]), { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 'y' } } });
});

test('move and copy', () => {
  const doc = { a: { b: [1, 2] }, c: {} };
  assert.deepEqual(apply(doc, [{ op: 'move', from: '/a/b', path: '/c/d' }]), { a: {}, c: { d: [1, 2] } });
  assert.deepEqual(apply(doc, [{ op: 'copy', from: '/a/b/1', path: '/a/b/0' }]), { a: { b: [2, 1, 2] }, c: {} });
  const copied = apply(doc, [{ op: 'copy', from: '/a', path: '/c/e' }, { op: 'add', path: '/c/e/b/-', value: 3 }]);
  assert.deepEqual(copied, { a: { b: [1, 2] }, c: { e: { b: [1, 2, 3] } } }, 'a copy is deep');
});

test('test op: equal values pass, different values fail with upstream 422', () => {
  const doc = { spec: { replicas: 2, template: { a: [1, { b: 2 }] } } };
  assert.deepEqual(apply(doc, [{ op: 'test', path: '/spec/template', value: { a: [1, { b: 2 }] } }]), doc);
  const err = statusOf(() => apply(doc, [{ op: 'test', path: '/spec/replicas', value: 3 }]));
  assert.equal(err.code, 422);
  assert.equal(err.reason, 'Invalid');
  assert.equal(err.message, 'the server rejected our request due to an error in our request');
  assert.deepEqual(err.status.details, {});
  // test of an absent member against null passes (json-patch v4)
  assert.deepEqual(apply(doc, [{ op: 'test', path: '/spec/paused', value: null }]), doc);
});

test('a failing operation leaves the document untouched (atomic)', () => {
  const doc = { a: 1 };
  statusOf(() => apply(doc, [{ op: 'add', path: '/b', value: 2 }, { op: 'remove', path: '/zzz' }]));
  assert.deepEqual(doc, { a: 1 });
});

test('paths that do not exist are 422', () => {
  const doc = { a: { b: 1 }, list: [1] };
  for (const op of [
    { op: 'add', path: '/x/y', value: 1 },
    { op: 'remove', path: '/a/c' },
    { op: 'replace', path: '/list/5', value: 1 },
    { op: 'add', path: '/list/3', value: 1 },
    { op: 'add', path: '/list/x', value: 1 },
    { op: 'move', from: '/nope', path: '/a/z' },
    { op: 'add', path: '', value: {} },
    { op: 'frobnicate', path: '/a' },
  ]) {
    assert.equal(statusOf(() => apply(doc, [op])).code, 422, JSON.stringify(op));
  }
});

test('upstream quirks: replace of a missing member adds it, negative indices count from the end', () => {
  assert.deepEqual(apply({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }]), { a: 1, b: 2 });
  assert.deepEqual(apply({ l: [1, 2, 3] }, [{ op: 'remove', path: '/l/-1' }]), { l: [1, 2] });
  assert.deepEqual(apply({ l: [1, 2] }, [{ op: 'replace', path: '', value: { x: 1 } }]), { x: 1 });
});

test('rollout undo patch replaces template and annotations (creationTimestamp: null accepted)', () => {
  const live = { metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '2' } },
    spec: { replicas: 1, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: '2' }] } } } };
  const undo = [
    { op: 'replace', path: '/spec/template', value: { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: '1' }] } } },
    { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '2' } },
  ];
  const out = apply(live, undo) as { spec: { template: unknown } };
  assert.deepEqual(out.spec.template, undo[0]!.value);
});

test('SSA migration: replacing /metadata/managedFields and /metadata/resourceVersion', () => {
  const live = { metadata: { resourceVersion: '5', managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update' }] } };
  const mf = [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }];
  const out = apply(live, [
    { op: 'replace', path: '/metadata/managedFields', value: mf },
    { op: 'replace', path: '/metadata/resourceVersion', value: '5' },
  ]);
  assert.deepEqual(out, { metadata: { resourceVersion: '5', managedFields: mf } });
});

test('decoding: non-array bodies and bad JSON are 400 with Go-style messages', () => {
  const e1 = statusOf(() => decodeJsonPatch('{"op":"add"}'));
  assert.equal(e1.code, 400);
  assert.equal(e1.message, 'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp');
  assert.equal(statusOf(() => decodeJsonPatch('{"op":"add"}', { fieldValidation: 'Ignore' })).message,
    'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  assert.equal(statusOf(() => decodeJsonPatch('[')).message, 'error decoding patch: unexpected end of JSON input');
  assert.equal(statusOf(() => decodeJsonPatch('[{"op":1}]')).message,
    'error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string');
  assert.deepEqual(decodeJsonPatch('[{"op":"add","path":"/a","value":1,"extra":true}]').strictErrors, ['json patch unknown field "extra"']);
  const many = JSON.stringify(Array.from({ length: 10001 }, () => ({ op: 'test', path: '/a' })));
  assert.equal(statusOf(() => decodeJsonPatch(many)).code, 413);
});
