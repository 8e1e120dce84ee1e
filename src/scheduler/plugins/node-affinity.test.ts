import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeAffinity } from './node-affinity.js';
import { nodeName } from './node-name.js';
import { nodePorts } from './node-ports.js';
import { clusterOf, filterAll, makeNode, makePod, reasonsOf, scoreAll } from '../testing/fixtures.js';
import { CycleState } from '../framework/cycle-state.js';

const nodes = () => clusterOf([
  makeNode('a', {}, { labels: { zone: 'z1', disk: 'ssd', cores: '8' } }),
  makeNode('b', {}, { labels: { zone: 'z2', cores: '2' } }),
  makeNode('c', {}, { labels: { zone: 'z3' } }),
]);
const miss = "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector";

test('nodeSelector and required terms: In/NotIn/Exists/DoesNotExist/Gt/Lt, terms ORed', () => {
  assert.deepEqual(reasonsOf(filterAll(nodeAffinity(), makePod('p', {}, { nodeSelector: { disk: 'ssd' } }), nodes())), { a: 'ok', b: miss, c: miss });
  const req = (terms: object[]) => makePod('p', {}, { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms as never } } } });
  assert.deepEqual(reasonsOf(filterAll(nodeAffinity(), req([{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }, { matchExpressions: [{ key: 'cores', operator: 'DoesNotExist' }] }]), nodes())), { a: 'ok', b: miss, c: 'ok' });
  assert.deepEqual(reasonsOf(filterAll(nodeAffinity(), req([{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z1'] }, { key: 'cores', operator: 'Lt', values: ['3'] }] }]), nodes())), { a: miss, b: 'ok', c: miss });
  assert.deepEqual(reasonsOf(filterAll(nodeAffinity(), req([{ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }]), nodes())), { a: 'ok', b: miss, c: miss });
  // matchFields metadata.name narrows the nodes in PreFilter.
  const pinned = req([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }]);
  const r = nodeAffinity().preFilter(new CycleState(), pinned, nodes());
  assert.deepEqual([...r.result!.nodeNames!], ['b']);
  assert.deepEqual(reasonsOf(filterAll(nodeAffinity(), pinned, nodes())), { a: miss, b: 'ok', c: miss });
});

test('preferred terms score by weight, normalised to 100', () => {
  const pod = makePod('p', {}, { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
    { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1', 'z2'] }] } },
    { weight: 30, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
  ] } } });
  const s = scoreAll(nodeAffinity(), pod, nodes())!;
  assert.deepEqual([s.get('a'), s.get('b'), s.get('c')], [100, 25, 0]);
  assert.equal(scoreAll(nodeAffinity(), makePod('q'), nodes()), undefined);
});

test('NodeName and NodePorts', () => {
  // As upstream, NodeName's PreFilter always Skips (scheduled pods have no spec.nodeName); its Filter, run on its own, checks the name.
  const named = makePod('p', {}, { nodeName: 'b' });
  const cluster = nodes();
  assert.equal(nodeName().preFilter(new CycleState(), named, cluster).status.code, 'Skip');
  assert.deepEqual(reasonsOf(new Map(cluster.nodes.map((n) => [n.name, nodeName().filter(new CycleState(), named, n)]))), {
    a: "UnschedulableAndUnresolvable: node(s) didn't match the requested node name", b: 'ok', c: "UnschedulableAndUnresolvable: node(s) didn't match the requested node name",
  });
  const web = (name: string, hostPort: number, hostIP?: string) => makePod(name, {}, { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort, ...(hostIP ? { hostIP } : {}) }] }] });
  const c = clusterOf([makeNode('a'), makeNode('b'), makeNode('c')], [[web('w1', 8080), 'a'], [web('w2', 9090, '10.0.0.1'), 'b']]);
  const busy = "Unschedulable: node(s) didn't have free ports for the requested pod ports";
  assert.deepEqual(reasonsOf(filterAll(nodePorts(), web('n', 8080, '10.0.0.2'), c)), { a: busy, b: 'ok', c: 'ok' });
  assert.deepEqual(reasonsOf(filterAll(nodePorts(), web('n', 9090, '10.0.0.2'), c)), { a: 'ok', b: 'ok', c: 'ok' });
  assert.deepEqual(reasonsOf(filterAll(nodePorts(), web('n', 9090), c)), { a: 'ok', b: busy, c: 'ok' });
});
