import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GenerationalMap } from './generational-map.js';

test('entries in use survive generations, entries met once leave after two, the size stays bounded', () => {
  const m = new GenerationalMap<string, number>(4);
  m.set('kept', 0);
  for (let i = 0; i < 40; i++) {
    m.set(`once-${i}`, i);
    assert.equal(m.get('kept'), 0, `lost at ${i}`); // a hit moves it to the current generation
    assert.ok(m.size <= 8, `size ${m.size}`);
  }
  assert.equal(m.get('once-0'), undefined);
  assert.equal(m.get('once-39'), 39);
});
