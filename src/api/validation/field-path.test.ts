import { test } from 'node:test';
import assert from 'node:assert/strict';
import { child, index, key } from './field-path.js';

test('field paths join non-empty names with dots, as Kubernetes prints them', () => {
  assert.equal(child('', 'metadata'), 'metadata');
  assert.equal(child('spec', 'template', 'spec'), 'spec.template.spec');
  assert.equal(child('spec', '', 'containers'), 'spec.containers');
  assert.equal(child('', ''), '');
  assert.equal(child(index(child('spec', 'containers'), 0), 'image'), 'spec.containers[0].image');
  assert.equal(key('data', 'a.b'), 'data[a.b]');
});
