import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodObject } from '../../api/resources/index.js';
import { formatIndexes, parseIndexes, firstPendingIndexes, duplicateOrInvalidIndexPods } from './indexes.js';

const indexed = (name: string, ix: number | undefined): PodObject => ({
  metadata: { name, annotations: ix === undefined ? {} : { 'batch.kubernetes.io/job-completion-index': String(ix) } }, spec: { containers: [] },
});

test('completed indexes are compressed into ranges and parsed back', () => {
  assert.equal(formatIndexes([5, 1, 3, 4, 7, 3]), '1,3-5,7');
  assert.equal(formatIndexes([]), '');
  assert.deepEqual([...parseIndexes('1,3-5,7', 5)].sort(), [1, 3, 4]);
  assert.deepEqual(firstPendingIndexes([indexed('a', 0)], new Set([1, 3]), 2, 6), [2, 4]);
});

test('duplicate, out-of-range, unannotated and already-succeeded index pods are removed', () => {
  const pods = [indexed('a', 0), indexed('b', 0), indexed('c', 9), indexed('d', undefined), indexed('e', 2), indexed('f', 1)];
  assert.deepEqual(duplicateOrInvalidIndexPods(pods, new Set([2]), 3).map((p) => p.metadata.name).sort(), ['b', 'c', 'd', 'e']);
});
