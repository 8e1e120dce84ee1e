import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet } from './field-set.js';

const set = (...paths: string[][]) => FieldSet.of(...paths);

test('operations leave their operands alone and return an operand itself when nothing changes', () => {
  const a = set(['f:spec', 'f:replicas'], ['f:spec', 'f:template', 'f:metadata'], ['f:status', 'f:phase']);
  const before = JSON.stringify(a.toFieldsV1());
  assert.equal(a.difference(set(['f:metadata', 'f:name'])), a);
  assert.equal(a.difference(new FieldSet()), a);
  assert.equal(a.union(new FieldSet()), a);
  assert.equal(a.union(set(['f:spec', 'f:replicas'], ['f:status', 'f:phase'])), a);
  assert.equal(a.recursiveDifference(set(['f:metadata'])), a);

  const d = a.difference(set(['f:spec', 'f:replicas']));
  assert.notEqual(d, a);
  assert.deepEqual(d.paths(), [['f:spec', 'f:template', 'f:metadata'], ['f:status', 'f:phase']]);
  // The untouched subtree is shared, not copied.
  assert.equal(d.child('f:status'), a.child('f:status'));
  const r = a.recursiveDifference(set(['f:status']));
  assert.deepEqual(r.paths(), [['f:spec', 'f:replicas'], ['f:spec', 'f:template', 'f:metadata']]);
  const u = a.union(set(['f:spec', 'f:paused']));
  assert.deepEqual(u.paths(), [['f:spec', 'f:paused'], ['f:spec', 'f:replicas'], ['f:spec', 'f:template', 'f:metadata'], ['f:status', 'f:phase']]);
  assert.equal(JSON.stringify(a.toFieldsV1()), before);
});

test('the encoding is memoised per set and follows later inserts', () => {
  const a = set(['f:spec', 'f:replicas']);
  const first = a.toFieldsV1();
  assert.equal(a.toFieldsV1(), first);
  a.insert(['f:spec', 'f:paused']);
  assert.deepEqual(a.toFieldsV1(), { 'f:spec': { 'f:paused': {}, 'f:replicas': {} } });
  const member = set(['f:metadata'], ['f:metadata', 'f:labels', 'f:app']);
  assert.deepEqual(member.toFieldsV1(), { 'f:metadata': { '.': {}, 'f:labels': { 'f:app': {} } } });
});

test('key elements sort as upstream orders them (fields, keys, values, indices; keys by value)', () => {
  const s = set(['f:conditions', 'k:{"type":"Ready"}', 'f:status'], ['f:conditions', 'k:{"type":"Initialized"}', 'f:status'], ['f:conditions', 'k:{"type":"A "}']);
  assert.deepEqual(Object.keys(s.toFieldsV1()['f:conditions'] as object), ['k:{"type":"A "}', 'k:{"type":"Initialized"}', 'k:{"type":"Ready"}']);
  assert.deepEqual(Object.keys(set(['i:10'], ['v:"b"'], ['k:{"a":1}'], ['f:z'], ['i:9']).toFieldsV1()), ['f:z', 'k:{"a":1}', 'v:"b"', 'i:9', 'i:10']);
});

test('equal sets encode to one frozen tree, and equal branches of different sets to one branch', () => {
  const a = FieldSet.of(['f:spec', 'f:containers', 'k:{"name":"app"}', 'f:image'], ['f:spec', 'f:containers', 'k:{"name":"app"}'], ['f:status', 'f:podIP']);
  const b = FieldSet.of(['f:status', 'f:podIP'], ['f:spec', 'f:containers', 'k:{"name":"app"}'], ['f:spec', 'f:containers', 'k:{"name":"app"}', 'f:image']);
  const c = FieldSet.of(['f:spec', 'f:containers', 'k:{"name":"app"}', 'f:image'], ['f:spec', 'f:containers', 'k:{"name":"app"}'], ['f:status', 'f:hostIP']);
  const ea = a.toFieldsV1();
  assert.deepEqual(ea, { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {} } } }, 'f:status': { 'f:podIP': {} } });
  assert.equal(b.toFieldsV1(), ea);
  assert.ok(Object.isFrozen(ea) && Object.isFrozen(ea['f:spec']));
  const ec = c.toFieldsV1();
  assert.notEqual(ec, ea);
  assert.equal(ec['f:spec'], ea['f:spec']);
  assert.equal(new FieldSet().toFieldsV1(), FieldSet.of(['f:x']).difference(FieldSet.of(['f:x'])).toFieldsV1());
});
