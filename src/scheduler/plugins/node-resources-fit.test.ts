import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitsResources, insufficientResources, nodeResourcesFit, leastRequestedScore } from './node-resources-fit.js';
import { newPodInfo } from '../framework/node-info.js';
import { clusterOf, filterAll, makeNode, makePod, reasonsOf, scoreAll } from '../testing/fixtures.js';

test('requests (init containers and overhead included) against free allocatable; pod count', () => {
  const full = makePod('f', { cpu: '1500m', memory: '1Gi' });
  const c = clusterOf([makeNode('a', { cpu: '2', memory: '2Gi' }), makeNode('b', { cpu: '4', memory: '4Gi' }), makeNode('c', { pods: '1' })], [[full, 'a'], [makePod('g'), 'c']]);
  const pod = makePod('p', { cpu: '500m', memory: '1Gi' }, {
    initContainers: [{ name: 'init', image: 'x', resources: { requests: { cpu: '600m' } } }],
    overhead: { memory: '1Mi' },
  });
  assert.deepEqual(reasonsOf(filterAll(nodeResourcesFit(), pod, c)), {
    a: 'Unschedulable: Insufficient cpu, Insufficient memory',
    b: 'ok',
    c: 'Unschedulable: Too many pods',
  });
  // A pod that requests nothing only needs a pod slot.
  assert.deepEqual(reasonsOf(filterAll(nodeResourcesFit(), makePod('z'), c)), { a: 'ok', b: 'ok', c: 'Unschedulable: Too many pods' });
});

test('sidecar init containers add to the sum; ignored resources are not checked', () => {
  const c = clusterOf([makeNode('a', { cpu: '1' })]);
  const pod = makePod('p', { cpu: '600m' }, { initContainers: [{ name: 's', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '500m' } } }] });
  assert.deepEqual(reasonsOf(filterAll(nodeResourcesFit(), pod, c)), { a: 'Unschedulable: Insufficient cpu' });
  const gpu = makePod('g');
  gpu.spec!.containers[0]!.resources = { requests: { 'example.com/gpu': '1' } };
  assert.deepEqual(reasonsOf(filterAll(nodeResourcesFit(), gpu, c)), { a: 'Unschedulable: Insufficient example.com/gpu' });
  assert.deepEqual(reasonsOf(filterAll(nodeResourcesFit({ ignoredResources: ['example.com/gpu'] }), gpu, c)), { a: 'ok' });
  assert.throws(() => nodeResourcesFit({ scoringStrategy: { type: 'LeastAllocated', resources: [{ name: 'cpu', weight: 0 }] } }), /range/);
});

test('LeastAllocated prefers the emptier node, counting 100m/200Mi for request-less containers', () => {
  assert.equal(leastRequestedScore(1000, 4000), 75);
  assert.equal(leastRequestedScore(5000, 4000), 0);
  const c = clusterOf([makeNode('a', { cpu: '4', memory: '8Gi' }), makeNode('b', { cpu: '4', memory: '8Gi' })], [[makePod('x', { cpu: '2', memory: '4Gi' }), 'a']]);
  const s = scoreAll(nodeResourcesFit(), makePod('p', { cpu: '1', memory: '2Gi' }), c)!;
  assert.equal(s.get('a'), 25); // (25 + 25) / 2
  assert.equal(s.get('b'), 75);
  const empty = scoreAll(nodeResourcesFit(), makePod('q'), clusterOf([makeNode('n', { cpu: '1', memory: '1Gi' })]))!;
  assert.equal(empty.get('n'), Math.trunc((90 + Math.trunc(((1024 - 200) * 100) / 1024)) / 2));
});

test('fitsResources answers as insufficientResources returning no reason', () => {
  const big = makePod('big', { cpu: '3', memory: '3Gi' });
  const c = clusterOf([
    makeNode('a', { cpu: '4', memory: '4Gi' }), makeNode('b', { cpu: '4', memory: '8Gi' }), makeNode('c', { cpu: '8', memory: '4Gi', pods: '1' }),
    { ...makeNode('d', { cpu: '8', memory: '8Gi' }), status: { allocatable: { cpu: '8', memory: '8Gi', pods: '10', 'example.com/gpu': '1', 'ephemeral-storage': '1Gi' } } },
  ], [[big, 'a'], [makePod('x'), 'c']]);
  const shapes = [
    makePod('small', { cpu: '500m', memory: '512Mi' }), makePod('cpu', { cpu: '2' }), makePod('mem', { memory: '2Gi' }), makePod('none'),
    makePod('gpu', {}, { containers: [{ name: 'c', image: 'x', resources: { requests: { 'example.com/gpu': '1', 'ephemeral-storage': '2Gi' } } }] }),
    makePod('gpu-ignored', {}, { containers: [{ name: 'c', image: 'x', resources: { requests: { 'example.com/gpu': '2' } } }] }),
  ];
  for (const ignored of [new Set<string>(), new Set(['example.com/gpu'])]) {
    for (const pod of shapes) {
      const { requests } = newPodInfo(pod);
      const isZero = requests.milliCPU === 0 && requests.memory === 0 && requests.ephemeralStorage === 0 && requests.scalar.size === 0;
      for (const node of c.nodes) {
        const reasons = insufficientResources(requests, isZero, node, ignored);
        assert.equal(fitsResources(requests, isZero, node, ignored), reasons.length === 0, `${pod.metadata!.name} on ${node.name}: ${reasons.join(', ')}`);
      }
    }
  }
});
