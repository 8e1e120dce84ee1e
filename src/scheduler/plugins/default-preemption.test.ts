import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Framework } from '../framework/framework.js';
import { CycleState } from '../framework/cycle-state.js';
import type { Status } from '../framework/types.js';
import { defaultPreemption } from './default-preemption.js';
import { nodeResourcesFit } from './node-resources-fit.js';
import { taintToleration } from './taint-toleration.js';
import { clusterOf, makeNode, makePod } from '../testing/fixtures.js';

function run(pod: Pod, cluster: ReturnType<typeof clusterOf>) {
  const fw = new Framework('default-scheduler', [{ plugin: taintToleration() }, { plugin: nodeResourcesFit() }, { plugin: defaultPreemption() }]);
  const state = new CycleState();
  fw.runPreFilter(state, pod, cluster);
  const statuses = new Map<string, Status>();
  for (const n of cluster.nodes) { const s = fw.runFilters(state, pod, n); if (s.code !== 'Success') statuses.set(n.name, s); }
  return fw.runPostFilter(state, pod, cluster, statuses)!;
}
const prio = (p: Pod, priority: number): Pod => ({ ...p, spec: { ...p.spec!, priority } });

test('no lower-priority pods: the message counts why, as upstream', () => {
  const c = clusterOf([makeNode('a', { cpu: '1' }), makeNode('t', {}, { taints: [{ key: 'x', effect: 'NoSchedule' }] })], [[makePod('busy', { cpu: '1' }), 'a']]);
  const r = run(makePod('p', { cpu: '1' }), c);
  assert.equal(r.status.code, 'Unschedulable');
  assert.equal(r.message, 'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling');
  assert.equal(run({ ...makePod('n', { cpu: '1' }), spec: { ...makePod('n', { cpu: '1' }).spec!, preemptionPolicy: 'Never' } }, c).message,
    'preemption: not eligible due to preemptionPolicy=Never');
});

test('evicts the fewest, least important pods needed and nominates the best node', () => {
  const c = clusterOf([makeNode('a', { cpu: '2' }), makeNode('b', { cpu: '2' })], [
    [prio(makePod('a-low', { cpu: '1' }), 1), 'a'], [prio(makePod('a-mid', { cpu: '1' }), 5), 'a'],
    [prio(makePod('b-low1', { cpu: '1' }), 1), 'b'], [prio(makePod('b-low2', { cpu: '1' }), 1), 'b'],
  ]);
  const r = run(prio(makePod('p', { cpu: '1' }), 10), c);
  assert.equal(r.status.code, 'Success');
  // a: evicting a-low suffices (highest victim priority 1); b: one of its two priority-1 pods — tie on
  // priority, sum and count; the first candidate wins.
  assert.equal(r.nominated!.victims.length, 1);
  assert.equal(r.nominated!.victims[0]!.spec?.priority, 1);
  const tooBig = run(prio(makePod('q', { cpu: '3' }), 10), c);
  assert.equal(tooBig.message, 'preemption: 0/2 nodes are available: 2 Insufficient cpu');
});
