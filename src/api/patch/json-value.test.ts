import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freezeAsJson } from './json-value.js';

test('freezeAsJson freezes deeply and leaves what JSON.stringify and JSON.parse would', () => {
  const v = { a: 1, gone: undefined, list: [undefined, { b: undefined, c: 'x' }], nested: { d: [1, 2] } };
  const text = JSON.stringify(v);
  freezeAsJson(v);
  assert.deepEqual(v, JSON.parse(text));
  assert.ok(Object.isFrozen(v) && Object.isFrozen(v.list) && Object.isFrozen(v.list[1]) && Object.isFrozen(v.nested.d));
  assert.throws(() => { (v.nested as { e?: number }).e = 1; }, TypeError);
});

test('freezeAsJson does not walk into parts already frozen', () => {
  const shared = Object.freeze({ k: Object.freeze({}) });
  const v = { shared, own: { x: undefined } };
  freezeAsJson(v);
  assert.equal(v.shared, shared);
  assert.deepEqual(v.own, {});
});
