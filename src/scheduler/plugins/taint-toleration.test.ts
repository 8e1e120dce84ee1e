import { test } from 'node:test';
import assert from 'node:assert/strict';
import { taintToleration } from './taint-toleration.js';
import { nodeUnschedulable } from './node-unschedulable.js';
import { nodeName } from './node-name.js';
import { CycleState } from '../framework/cycle-state.js';
import { clusterOf, filterAll, makeNode, makePod, reasonsOf, scoreAll } from '../testing/fixtures.js';

test('NoSchedule/NoExecute taints reject unless tolerated, worded as upstream', () => {
  const c = clusterOf([
    makeNode('a', {}, { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }),
    makeNode('b', {}, { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] }),
    makeNode('c', {}, { taints: [{ key: 'soft', value: 'x', effect: 'PreferNoSchedule' }] }),
  ]);
  assert.deepEqual(reasonsOf(filterAll(taintToleration(), makePod('p'), c)), {
    a: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {node.kubernetes.io/not-ready: }',
    b: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: gpu}',
    c: 'ok',
  });
  const tolerant = makePod('t', {}, { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu' }, { operator: 'Exists', effect: 'NoSchedule' }] });
  assert.deepEqual(reasonsOf(filterAll(taintToleration(), tolerant, c)), { a: 'ok', b: 'ok', c: 'ok' });
  const wrongValue = makePod('w', {}, { tolerations: [{ key: 'dedicated', value: 'cpu', effect: 'NoExecute' }] });
  assert.equal(filterAll(taintToleration(), wrongValue, c).get('b')!.code, 'UnschedulableAndUnresolvable');
});

test('PreferNoSchedule taints lower the score', () => {
  const c = clusterOf([makeNode('clean'), makeNode('soft', {}, { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] })]);
  const s = scoreAll(taintToleration(), makePod('p'), c)!;
  assert.deepEqual([s.get('clean'), s.get('soft')], [100, 0]);
  const t = scoreAll(taintToleration(), makePod('q', {}, { tolerations: [{ key: 'soft', operator: 'Exists' }] }), c)!;
  assert.deepEqual([t.get('clean'), t.get('soft')], [100, 100]);
});

test('NodeUnschedulable: cordoned nodes, unless the pod tolerates the unschedulable taint', () => {
  const c = clusterOf([makeNode('a', {}, { unschedulable: true }), makeNode('b')]);
  assert.deepEqual(reasonsOf(filterAll(nodeUnschedulable(), makePod('p'), c)), { a: 'UnschedulableAndUnresolvable: node(s) were unschedulable', b: 'ok' });
  const ds = makePod('ds', {}, { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
  assert.deepEqual(reasonsOf(filterAll(nodeUnschedulable(), ds, c)), { a: 'ok', b: 'ok' });
});

test('PreFilter/PreScore skip what cannot change the outcome: no tainted or cordoned node, a tolerating pod, no PreferNoSchedule taint', () => {
  const state = new CycleState();
  const plain = clusterOf([makeNode('a'), makeNode('b')]);
  const pod = makePod('p');
  assert.equal(taintToleration().preFilter(state, pod, plain).status.code, 'Skip');
  assert.equal(taintToleration().preScore(state, pod, plain.nodes, plain).code, 'Skip');
  assert.equal(nodeUnschedulable().preFilter(state, pod, plain).status.code, 'Skip');
  assert.equal(nodeName().preFilter(state, pod, plain).status.code, 'Skip');

  const mixed = clusterOf([makeNode('a', {}, { taints: [{ key: 'k', effect: 'NoExecute' }], unschedulable: true }), makeNode('b', {}, { taints: [{ key: 's', effect: 'PreferNoSchedule' }] })]);
  assert.equal(taintToleration().preFilter(state, pod, mixed).status.code, 'Success');
  assert.equal(taintToleration().preScore(state, pod, mixed.nodes, mixed).code, 'Success');
  // Only the scored nodes matter to PreScore: `a` alone has no PreferNoSchedule taint.
  assert.equal(taintToleration().preScore(state, pod, [mixed.get('a')!], mixed).code, 'Skip');
  assert.equal(nodeUnschedulable().preFilter(state, pod, mixed).status.code, 'Success');
  const tolerant = makePod('ds', {}, { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
  assert.equal(nodeUnschedulable().preFilter(state, tolerant, mixed).status.code, 'Skip');
});
