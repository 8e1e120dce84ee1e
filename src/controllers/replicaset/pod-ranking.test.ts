import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podsToDelete } from './pod-ranking.js';
import type { PodObject } from '../../api/resources/index.js';

const now = Date.parse('2025-01-01T00:00:00Z');
const p = (name: string, o: { node?: string; phase?: string; ready?: boolean; readySince?: string; restarts?: number; created?: string; cost?: number }): PodObject => ({
  metadata: { name, uid: name, creationTimestamp: o.created ?? '2024-01-01T00:00:00Z', annotations: o.cost !== undefined ? { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) } : undefined },
  spec: { nodeName: o.node, containers: [] },
  status: {
    phase: o.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2024-06-01T00:00:00Z' }],
    containerStatuses: [{ name: 'c', image: '', imageID: '', ready: true, restartCount: o.restarts ?? 0 }],
  },
});

test('ranks as upstream ActivePodsWithRanks', () => {
  const pods = [
    p('running-old', { node: 'a' }),
    p('pending', { node: 'a', phase: 'Pending', ready: false }),
    p('unassigned', { phase: 'Pending', ready: false }),
    p('unknown', { node: 'a', phase: 'Unknown', ready: false }),
    p('not-ready', { node: 'b', ready: false }),
    p('restarts', { node: 'c', restarts: 5 }),
    p('ready-recently', { node: 'd', readySince: '2024-12-31T23:59:00Z' }),
    p('expensive', { node: 'e', cost: 100 }),
    p('cheap', { node: 'f', cost: -100 }),
  ];
  const order = podsToDelete(pods, pods, pods.length - 1, now).map((x) => x.metadata.name);
  assert.deepEqual(order, ['unassigned', 'pending', 'unknown', 'not-ready', 'cheap', 'running-old', 'ready-recently', 'restarts']);
});

test('prefers pods doubled up on one node', () => {
  const pods = [p('alone', { node: 'x' }), p('crowded', { node: 'y' })];
  const related = [...pods, p('sibling', { node: 'y' })];
  assert.deepEqual(podsToDelete(pods, related, 1, now).map((x) => x.metadata.name), ['crowded']);
});
