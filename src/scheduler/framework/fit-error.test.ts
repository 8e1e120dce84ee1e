import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitErrorMessage } from './fit-error.js';
import { unresolvable, unschedulable } from './types.js';

test('counts reasons over nodes, sorted as strings, with the preemption message', () => {
  const statuses = new Map([
    ['a', unschedulable('Insufficient cpu')],
    ['b', unresolvable('node(s) had untolerated taint {node.kubernetes.io/not-ready: }')],
    ['c', unresolvable('node(s) had untolerated taint {node.kubernetes.io/not-ready: }')],
  ]);
  const msg = fitErrorMessage(3, { statuses, unschedulablePlugins: new Set(), postFilterMsg: 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling' });
  assert.equal(msg, '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
});

test('string sort puts 10 before 2, as upstream', () => {
  const statuses = new Map<string, ReturnType<typeof unschedulable>>();
  for (let i = 0; i < 10; i++) statuses.set(`a${i}`, unschedulable('Too many pods'));
  statuses.set('b0', unschedulable('Insufficient memory')); statuses.set('b1', unschedulable('Insufficient memory'));
  assert.equal(fitErrorMessage(12, { statuses, unschedulablePlugins: new Set() }), '0/12 nodes are available: 10 Too many pods, 2 Insufficient memory.');
});

test('a node with two reasons counts once for each; a PreFilter message replaces the histogram', () => {
  const statuses = new Map([['a', unschedulable('Insufficient cpu', 'Insufficient memory')]]);
  assert.equal(fitErrorMessage(1, { statuses, unschedulablePlugins: new Set() }), '0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.');
  assert.equal(fitErrorMessage(1, { statuses, unschedulablePlugins: new Set(), preFilterMsg: 'pod has unbound immediate PersistentVolumeClaims' }),
    '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.');
});
