import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { podTopologySpread } from './pod-topology-spread.js';
import { selectorFromSet } from '../../api/selectors/index.js';
import { clusterOf, filterAll, makeNode, makePod, reasonsOf, scoreAll } from '../testing/fixtures.js';

const nodes = () => [
  makeNode('a', {}, { labels: { zone: 'z1' } }),
  makeNode('b', {}, { labels: { zone: 'z1' } }),
  makeNode('c', {}, { labels: { zone: 'z2' } }),
  makeNode('d'),
];
const app = (name: string) => makePod(name, {}, {}, { app: 'web' });
const spread = (c: Partial<TopologySpreadConstraint>): Pod => makePod('new', {}, {
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...c }],
}, { app: 'web' });
const skew = "Unschedulable: node(s) didn't match pod topology spread constraints";
const missing = "UnschedulableAndUnresolvable: node(s) didn't match pod topology spread constraints (missing required label)";

test('DoNotSchedule: skew over zones, nodes without the key are unresolvable', () => {
  const c = clusterOf(nodes(), [[app('w1'), 'a']]);
  assert.deepEqual(reasonsOf(filterAll(podTopologySpread(), spread({}), c)), { a: skew, b: skew, c: 'ok', d: missing });
  const balanced = clusterOf(nodes(), [[app('w1'), 'a'], [app('w2'), 'c']]);
  assert.deepEqual(reasonsOf(filterAll(podTopologySpread(), spread({}), balanced)), { a: 'ok', b: 'ok', c: 'ok', d: missing });
});

test('minDomains: fewer domains than asked count the global minimum as 0', () => {
  const c = clusterOf(nodes(), [[app('w1'), 'a'], [app('w2'), 'c']]);
  assert.deepEqual(reasonsOf(filterAll(podTopologySpread(), spread({ minDomains: 3 }), c)), { a: skew, b: skew, c: skew, d: missing });
});

test('nodeAffinityPolicy Honor leaves out nodes the pod cannot go to; Ignore counts them', () => {
  const pod = spread({});
  pod.spec!.nodeSelector = { 'kubernetes.io/hostname': 'a' };
  const c = clusterOf(nodes(), [[app('w1'), 'c'], [app('w2'), 'c']]);
  // Honor: only zone z1 (node a) counts → min is z1's 0, a has skew 1.
  assert.equal(filterAll(podTopologySpread(), pod, c).get('a')!.code, 'Success');
  const ignore = spread({ nodeAffinityPolicy: 'Ignore' });
  ignore.spec!.nodeSelector = { 'kubernetes.io/hostname': 'a' };
  assert.equal(filterAll(podTopologySpread(), ignore, c).get('a')!.code, 'Success');
  const c2 = clusterOf(nodes(), [[app('w1'), 'a'], [app('w2'), 'a']]);
  assert.equal(filterAll(podTopologySpread(), pod, c2).get('a')!.code, 'Success'); // z2 not counted: min = 2
  assert.equal(filterAll(podTopologySpread(), ignore, c2).get('a')!.code, 'Unschedulable');
});

test('ScheduleAnyway and the system defaults score fewer matching pods higher', () => {
  const c = clusterOf(nodes(), [[app('w1'), 'a'], [app('w2'), 'a'], [app('w3'), 'b']]);
  const soft = spread({ whenUnsatisfiable: 'ScheduleAnyway', topologyKey: 'kubernetes.io/hostname' });
  const s = scoreAll(podTopologySpread(), soft, c)!;
  assert.ok(s.get('c')! > s.get('b')! && s.get('b')! > s.get('a')!);
  assert.equal(s.get('c'), s.get('d'));
  // No constraints and no owning selector: nothing to score. With a Service/ReplicaSet selector: system defaults.
  assert.equal(scoreAll(podTopologySpread(), app('x'), c), undefined);
  const d = scoreAll(podTopologySpread({}, () => selectorFromSet({ app: 'web' })), app('x'), c)!;
  assert.ok(d.get('c')! > d.get('a')!);
  assert.equal(d.get('d'), d.get('c'));
});
