import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { interPodAffinity } from './inter-pod-affinity.js';
import { clusterOf, filterAll, makeNode, makePod, reasonsOf, scoreAll } from '../testing/fixtures.js';

const zoned = () => [
  makeNode('a', {}, { labels: { zone: 'z1' } }),
  makeNode('b', {}, { labels: { zone: 'z1' } }),
  makeNode('c', {}, { labels: { zone: 'z2' } }),
  makeNode('d'),
];
const term = (app: string, topologyKey: string) => ({ labelSelector: { matchLabels: { app } }, topologyKey });
const withAffinity = (name: string, labels: Record<string, string>, affinity: NonNullable<Pod['spec']>['affinity']) => makePod(name, {}, { affinity }, labels);

test('required affinity: only topology domains holding a matching pod; the first pod of a self-matching group goes anywhere', () => {
  const db = makePod('db', {}, {}, { app: 'db' });
  const web = withAffinity('web', { app: 'web' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', 'zone')] } });
  const miss = "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules";
  assert.deepEqual(reasonsOf(filterAll(interPodAffinity(), web, clusterOf(zoned(), [[db, 'a']]))), { a: 'ok', b: 'ok', c: miss, d: miss });
  assert.deepEqual(reasonsOf(filterAll(interPodAffinity(), web, clusterOf(zoned()))), { a: miss, b: miss, c: miss, d: miss });
  const first = withAffinity('first', { app: 'db' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', 'zone')] } });
  assert.deepEqual(reasonsOf(filterAll(interPodAffinity(), first, clusterOf(zoned()))), { a: 'ok', b: 'ok', c: 'ok', d: miss });
});

test('required anti-affinity of the pod and of pods already placed', () => {
  const anti = "Unschedulable: node(s) didn't match pod anti-affinity rules";
  const existingAnti = "Unschedulable: node(s) didn't satisfy existing pods anti-affinity rules";
  const one = withAffinity('one', { app: 'web' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', 'kubernetes.io/hostname')] } });
  const two = withAffinity('two', { app: 'web' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', 'kubernetes.io/hostname')] } });
  assert.deepEqual(reasonsOf(filterAll(interPodAffinity(), two, clusterOf(zoned(), [[one, 'a']]))), { a: anti, b: 'ok', c: 'ok', d: 'ok' });
  // A plain pod the placed pod's anti-affinity selects may not join it, even without terms of its own.
  const plain = makePod('plain', {}, {}, { app: 'web' });
  assert.deepEqual(reasonsOf(filterAll(interPodAffinity(), plain, clusterOf(zoned(), [[one, 'a']]))), { a: existingAnti, b: 'ok', c: 'ok', d: 'ok' });
  // Other namespaces are not selected unless the term names them.
  const other: Pod = { ...plain, metadata: { ...plain.metadata, namespace: 'other' } };
  assert.deepEqual(reasonsOf(filterAll(interPodAffinity(), other, clusterOf(zoned(), [[one, 'a']]))), { a: 'ok', b: 'ok', c: 'ok', d: 'ok' });
});

test('preferred affinity and anti-affinity score by topology, min-max normalised', () => {
  const cache = makePod('cache', {}, {}, { app: 'cache' });
  const pod = withAffinity('p', {}, {
    podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term('cache', 'zone') }] },
    podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term('cache', 'kubernetes.io/hostname') }] },
  });
  const s = scoreAll(interPodAffinity(), pod, clusterOf(zoned(), [[cache, 'a']]))!;
  // a: +50 −10 = 40, b: +50, c and d: 0 → min 0, max 50
  assert.deepEqual([s.get('a'), s.get('b'), s.get('c'), s.get('d')], [80, 100, 0, 0]);
  assert.equal(scoreAll(interPodAffinity(), makePod('q'), clusterOf(zoned())), undefined);
});
