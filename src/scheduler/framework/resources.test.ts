import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podRequests, podResources } from './resources.js';
import { makePod } from '../testing/fixtures.js';

const init = (name: string, requests: Record<string, string>, sidecar = false) => ({ name, image: 'x', resources: { requests }, ...(sidecar ? { restartPolicy: 'Always' } : {}) });

test('podResources gives podRequests and its non-zero scoring view from one parse', () => {
  const pods: Pod[] = [
    makePod('plain', { cpu: '250m', memory: '64Mi' }),
    makePod('empty'),
    makePod('cpu-only', { cpu: '1' }),
    makePod('init-larger', { cpu: '100m' }, { initContainers: [init('i', { cpu: '2', memory: '1Gi' })] }),
    makePod('init-no-requests', { cpu: '100m', memory: '10Mi' }, { initContainers: [init('i', {})] }),
    makePod('sidecars', { cpu: '100m' }, { initContainers: [init('s1', { cpu: '300m' }, true), init('i', { cpu: '1', memory: '300Mi' }), init('s2', {}, true)] }),
    makePod('overhead', {}, { overhead: { cpu: '50m', memory: '10Mi' } }),
    makePod('scalar', { cpu: '1' }, { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '1', 'example.com/gpu': '2', 'ephemeral-storage': '1Gi' } } }] }),
  ];
  for (const pod of pods) {
    const both = podResources(pod);
    assert.deepEqual(both.requests, podRequests(pod), pod.metadata!.name);
    const nonZero = podRequests(pod, true);
    assert.equal(both.nonZeroMilliCPU, nonZero.milliCPU, pod.metadata!.name);
    assert.equal(both.nonZeroMemory, nonZero.memory, pod.metadata!.name);
  }
  // The figures themselves, for one pod of each shape.
  const sidecar = podResources(pods[5]!);
  assert.equal(sidecar.requests.milliCPU, 1300); // max(100 + 300 + 0, 300 + 1000)
  assert.equal(sidecar.nonZeroMilliCPU, 1300); // max(100 + 300 + 100, 300 + 1000)
  assert.equal(sidecar.nonZeroMemory, 600 * 2 ** 20); // max(3 × the 200Mi default, 200Mi sidecar + 300Mi)
  assert.deepEqual(podResources(pods[1]!), { requests: podRequests(pods[1]!), nonZeroMilliCPU: 100, nonZeroMemory: 200 * 2 ** 20 });
});
