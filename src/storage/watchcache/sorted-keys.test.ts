import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SortedKeys } from './sorted-keys.js';

test('adds and removes, in any order and interleaved with reads, keep the keys sorted and distinct', () => {
  let seed = 7;
  const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  const keys = new SortedKeys();
  const reference = new Set<string>();
  keys.reset(['/b', '/a']);
  reference.add('/a').add('/b');
  for (let step = 0; step < 5000; step++) {
    const key = `/k/${rand(300)}`;
    const op = rand(10);
    if (op < 5) { keys.add(key); reference.add(key); }
    else if (op < 9) { keys.remove(key); reference.delete(key); }
    else {
      const want = [...reference].sort();
      assert.equal(keys.size, want.length);
      const got: string[] = [];
      for (let i = keys.lowerBound(''); keys.at(i) !== undefined; i++) got.push(keys.at(i)!);
      assert.deepEqual(got, want);
      const probe = `/k/${rand(300)}`;
      assert.equal(keys.at(keys.lowerBound(probe)), want.find((k) => k >= probe));
      assert.equal(keys.at(keys.lowerBound(probe, true)), want.find((k) => k > probe));
    }
  }
});
