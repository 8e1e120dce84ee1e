import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeResourcesBalancedAllocation } from './node-resources-balanced-allocation.js';
import { clusterOf, makeNode, makePod, scoreAll } from '../testing/fixtures.js';

test('favours equal CPU and memory shares; skips pods that request nothing', () => {
  const c = clusterOf([makeNode('a', { cpu: '4', memory: '4Gi' }), makeNode('b', { cpu: '4', memory: '16Gi' })]);
  const s = scoreAll(nodeResourcesBalancedAllocation(), makePod('p', { cpu: '2', memory: '2Gi' }), c)!;
  assert.equal(s.get('a'), 100); // 0.5 and 0.5
  assert.equal(s.get('b'), Math.trunc((1 - Math.abs(0.5 - 0.125) / 2) * 100));
  assert.equal(scoreAll(nodeResourcesBalancedAllocation(), makePod('z'), c), undefined);
});
