import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch, decodeMergePatch } from './merge-patch.js';
import { StatusError } from '../errors.js';

function statusOf(fn: () => unknown): StatusError {
  try { fn(); } catch (e) { if (e instanceof StatusError) return e; throw e; }
  assert.fail('expected a StatusError');
}

test('RFC 7386 examples', () => {
  const target = { a: 'b', c: { d: 'e', f: 'g' } };
  assert.deepEqual(applyMergePatch(target, { a: 'z', c: { f: null } }), { a: 'z', c: { d: 'e' } });
  assert.deepEqual(target, { a: 'b', c: { d: 'e', f: 'g' } }, 'target untouched');
  assert.deepEqual(applyMergePatch({ a: [{ b: 'c' }] }, { a: [1] }), { a: [1] });
  assert.deepEqual(applyMergePatch({ a: 'foo' }, { a: null }), {});
  assert.deepEqual(applyMergePatch({ a: 'foo' }, { b: 'bar' }), { a: 'foo', b: 'bar' });
  assert.deepEqual(applyMergePatch({ e: null }, { a: 1 }), { e: null, a: 1 });
  assert.deepEqual(applyMergePatch({}, { a: { bb: { ccc: null } } }), { a: { bb: {} } });
  assert.deepEqual(applyMergePatch({ a: 'b' }, { a: { c: null, d: 1 } }), { a: { d: 1 } });
});

test('arrays are replaced; nulls inside arrays are kept, nulls inside their objects dropped', () => {
  assert.deepEqual(applyMergePatch({ l: [1, 2, 3] }, { l: [null, { x: null, y: 1 }] }), { l: [null, { y: 1 }] });
});

test('scale and label patches as kubectl sends them', () => {
  const live = { metadata: { labels: { app: 'web', tier: 'x' } }, spec: { replicas: 1, template: {} } };
  assert.deepEqual(applyMergePatch(live, { spec: { replicas: 3 } }), { metadata: { labels: { app: 'web', tier: 'x' } }, spec: { replicas: 3, template: {} } });
  assert.deepEqual(applyMergePatch(live, { metadata: { labels: { tier: null, new: 'y' } } }),
    { metadata: { labels: { app: 'web', new: 'y' } }, spec: { replicas: 1, template: {} } });
});

test('a merge patch that is not an object is 400 as upstream words it', () => {
  const e1 = statusOf(() => decodeMergePatch('[1,2]'));
  assert.equal(e1.code, 400);
  assert.equal(e1.message, 'error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}');
  assert.equal(statusOf(() => decodeMergePatch('"x"')).message,
    'error decoding patch: json: cannot unmarshal string into Go value of type map[string]interface {}');
  assert.equal(statusOf(() => decodeMergePatch('null')).message, 'Invalid JSON Patch');
  assert.equal(statusOf(() => decodeMergePatch('{x')).code, 400);
  assert.equal(statusOf(() => decodeMergePatch('5', { fieldValidation: 'Ignore' })).message, 'Invalid JSON Patch');
  assert.deepEqual(decodeMergePatch('{"a":1}'), { a: 1 });
});
