import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Framework } from './framework/framework.js';
import { SchedulerCache } from './cache/scheduler-cache.js';
import { defaultProfile, registry, type PluginDeps } from './plugins/registry.js';
import { nodeUnschedulable } from './plugins/node-unschedulable.js';
import { nodeName } from './plugins/node-name.js';
import { SchedulingAlgorithm, numFeasibleNodesToFind, type CycleResult } from './schedule-one.js';
import { makeNode, makePod } from './testing/fixtures.js';

const deps: PluginDeps = { client: {} as never, namespaceLabels: () => undefined, defaultSelector: () => [] };
const defaultFramework = () => new Framework(defaultProfile.schedulerName, defaultProfile.plugins.map((p) => ({ plugin: registry[p.name]!(p.args, deps), weight: p.weight })));
const name = (i: number) => `n${String(i).padStart(4, '0')}`;
const gpuTaint = { key: 'gpu', value: 'true', effect: 'NoSchedule' as const };

function cluster(n: number, tainted: (i: number) => boolean = () => false): SchedulerCache {
  const c = new SchedulerCache();
  for (let i = 0; i < n; i++) c.addNode(makeNode(name(i), { cpu: '32', memory: '256Gi' }, tainted(i) ? { taints: [gpuTaint] } : {}));
  return c;
}

function placed(r: CycleResult): { node: string; evaluated: number; feasible: number } {
  if (!('node' in r)) throw new Error(`not scheduled: ${JSON.stringify(r)}`);
  return r;
}

test('numFeasibleNodesToFind: all of fewer than 100 nodes, else 50% − nodes/125 (at least 5%), never under 100', () => {
  assert.equal(numFeasibleNodesToFind(0), 0);
  assert.equal(numFeasibleNodesToFind(50), 50);
  assert.equal(numFeasibleNodesToFind(99), 99);
  assert.equal(numFeasibleNodesToFind(100), 100); // 49% of 100 = 49 → the 100 minimum
  assert.equal(numFeasibleNodesToFind(200), 100); // 49% → 98
  assert.equal(numFeasibleNodesToFind(1000), 420); // 42%
  assert.equal(numFeasibleNodesToFind(5000), 500); // 10%
  assert.equal(numFeasibleNodesToFind(6000), 300); // 50 − 48 = 2% → 5%
  assert.equal(numFeasibleNodesToFind(20_000), 1000);
  assert.equal(numFeasibleNodesToFind(1000, 30), 300);
  assert.equal(numFeasibleNodesToFind(1000, 5), 100);
  assert.equal(numFeasibleNodesToFind(1000, 100), 1000);
});

test('the filter search stops at numFeasibleNodesToFind and the next cycle starts where it stopped', () => {
  const c = cluster(1000);
  const alg = new SchedulingAlgorithm(defaultFramework(), c, { random: () => 0.99 });
  let start = 0;
  for (let k = 0; k < 5; k++) {
    assert.equal(alg.nextStartNodeIndex, start);
    const pod = makePod(`p${k}`, { cpu: '100m' });
    const r = placed(alg.schedulePod(pod));
    assert.equal(r.evaluated, 420);
    assert.equal(r.feasible, 420);
    // The chosen node is inside this cycle's window of 420 nodes (nodes are listed by name).
    const idx = Number(r.node.slice(1));
    assert.ok((idx - start + 1000) % 1000 < 420, `${r.node} outside the window starting at ${start}`);
    c.assume(pod, r.node);
    start = (start + 420) % 1000;
  }
  assert.equal(alg.nextStartNodeIndex, 100); // 5 × 420 mod 1000
});

test('rejected nodes count as processed: the window grows past them and the start moves past them too', () => {
  // Every 4th node is tainted: 420 feasible need 560 nodes processed.
  const c = cluster(1000, (i) => i % 4 === 0);
  const alg = new SchedulingAlgorithm(defaultFramework(), c, { random: () => 0.5 });
  const r = placed(alg.schedulePod(makePod('p', { cpu: '100m' })));
  assert.equal(r.feasible, 420);
  assert.equal(r.evaluated, 560);
  assert.equal(alg.nextStartNodeIndex, 560);
});

test('a PreFilter that narrows the nodes still advances the start over all the nodes', () => {
  const c = cluster(300); // 48% of 300: 144 feasible wanted
  const alg = new SchedulingAlgorithm(defaultFramework(), c, { random: () => 0.5 });
  placed(alg.schedulePod(makePod('a', { cpu: '100m' })));
  assert.equal(alg.nextStartNodeIndex, 144);
  const pinned = makePod('pinned', { cpu: '100m' }, {
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [name(10)] }] }] } } },
  });
  const r = placed(alg.schedulePod(pinned));
  assert.deepEqual([r.node, r.evaluated, r.feasible], [name(10), 1, 1]);
  assert.equal(alg.nextStartNodeIndex, 145); // not reset to the one candidate's index
  placed(alg.schedulePod(makePod('b', { cpu: '100m' })));
  assert.equal(alg.nextStartNodeIndex, 289);
});

test('without Score plugins the first feasible node is taken', () => {
  const c = cluster(10, (i) => i === 3);
  const fw = new Framework('filters-only', [{ plugin: nodeUnschedulable() }, { plugin: nodeName() }]);
  const alg = new SchedulingAlgorithm(fw, c, { random: () => 0.5 });
  const got: string[] = [];
  for (let k = 0; k < 4; k++) got.push(placed(alg.schedulePod(makePod(`p${k}`))).node);
  // NodeUnschedulable and NodeName pass every node here (taints are TaintToleration's).
  assert.deepEqual(got, [name(0), name(1), name(2), name(3)]);
  assert.equal(alg.nextStartNodeIndex, 4);
});

test('a nominated node that fits is chosen without a search; one that no longer fits falls back to the search', () => {
  const c = cluster(200);
  c.addNode(makeNode('small', { cpu: '1' }));
  const alg = new SchedulingAlgorithm(defaultFramework(), c, { random: () => 0.5 });
  const nominated = (pod: Pod, node: string): Pod => ({ ...pod, status: { ...pod.status, nominatedNodeName: node } });
  const r = placed(alg.schedulePod(nominated(makePod('p', { cpu: '500m' }), name(150))));
  assert.deepEqual([r.node, r.evaluated, r.feasible], [name(150), 1, 1]);
  assert.equal(alg.nextStartNodeIndex, 0);
  // Too big for `small` now: rejected there, then the usual search (201 nodes: 48% → 100 feasible).
  const again = placed(alg.schedulePod(nominated(makePod('q', { cpu: '2' }), 'small')));
  assert.notEqual(again.node, 'small');
  assert.equal(again.feasible, 100);
  assert.equal(again.evaluated, 101); // the nominated node's rejection counts as processed, as upstream
  assert.equal(alg.nextStartNodeIndex, 101);
});
