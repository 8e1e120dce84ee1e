import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole } from 'kubernetes-types/rbac/v1.js';
import { clusterRoles } from '../../api/resources/index.js';
import { fixture } from '../testing/fixture.js';
import { bootstrapClusterRoles } from '../../apiserver/authz/index.js';
import { aggregatedRules } from './aggregation.js';
import { clusterRoleAggregationController } from './controller.js';

const role = (name: string, labels: Record<string, string>, rules: ClusterRole['rules']): ClusterRole => ({ metadata: { name, labels }, rules });

test('aggregatedRules: selector by selector, matched roles in name order, rules once, itself excluded', () => {
  const agg: ClusterRole = { metadata: { name: 'agg', labels: { x: 'y' } }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }, { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] }] } };
  const r1 = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
  const r2 = { verbs: ['list'], apiGroups: ['apps'], resources: ['deployments'] };
  const all = [agg, role('zz', { x: 'y' }, [r1, r2]), role('aa', { tier: 'a' }, [r2]), role('other', {}, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }])];
  // syncClusterRole walks the selectors in order and sorts only each selector's matches by name:
  // the first selector's zz comes before the second's aa.
  assert.deepEqual(aggregatedRules(agg, all), [r1, r2]);
  const swapped: ClusterRole = { ...agg, aggregationRule: { clusterRoleSelectors: [...agg.aggregationRule!.clusterRoleSelectors!].reverse() } };
  assert.deepEqual(aggregatedRules(swapped, all), [r2, r1]);
  const both: ClusterRole = { metadata: { name: 'both' }, aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }] } };
  assert.deepEqual(aggregatedRules(both, [role('b', { x: 'y' }, [r1]), role('a', { x: 'y' }, [r2])]), [r2, r1], 'within a selector, name order');
  assert.equal(aggregatedRules(role('plain', {}, []), all), undefined);
});

test('aggregatedRules: a selector that does not parse fails the whole aggregation (LabelSelectorAsSelector returns the error)', () => {
  const r1 = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
  const bad: ClusterRole = { metadata: { name: 'bad' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }, { matchExpressions: [{ key: 'k', operator: 'Bogus' }] }] } };
  assert.throws(() => aggregatedRules(bad, [role('src', { x: 'y' }, [r1])]), { name: 'LabelSelectorParseError', message: '"Bogus" is not a valid label selector operator' });
});

test('the bootstrap admin/edit/view roles gather the system:aggregate-to-* rules (admin ⊃ edit ⊃ view)', () => {
  const all: ClusterRole[] = bootstrapClusterRoles();
  // Run the aggregation to a fixed point, as the controller does through its informer.
  for (let changed = true; changed;) {
    changed = false;
    for (const r of all) {
      const want = aggregatedRules(r, all);
      if (want && JSON.stringify(want) !== JSON.stringify(r.rules ?? [])) { r.rules = want; changed = true; }
    }
  }
  const get = (n: string) => all.find((r) => r.metadata?.name === n)!.rules!;
  const has = (rules: ClusterRole['rules'], verb: string, resource: string) => rules!.some((r) => r.verbs.includes(verb) && r.resources?.includes(resource));
  assert.ok(has(get('view'), 'list', 'pods') && !has(get('view'), 'get', 'secrets'));
  assert.ok(has(get('edit'), 'list', 'pods') && has(get('edit'), 'create', 'pods') && has(get('edit'), 'get', 'secrets') && !has(get('edit'), 'create', 'roles'));
  assert.ok(has(get('admin'), 'create', 'roles') && has(get('admin'), 'list', 'pods') && has(get('admin'), 'create', 'deployments'));
});

test('controller: writes the aggregated rules only when they differ', async () => {
  const agg = { metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'aggregate-to-agg': 'true' } }] } };
  const src = { metadata: { name: 'src', labels: { 'aggregate-to-agg': 'true' } }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] };
  const f = await fixture(clusterRoleAggregationController, [[clusterRoles, agg, src]]);
  try {
    await f.sync('src');
    assert.deepEqual(f.actions(), [], 'a role without aggregationRule is left alone');
    await f.sync('agg');
    assert.deepEqual(f.actions(), ['update clusterroles agg']);
    assert.deepEqual(f.client.all(clusterRoles).find((r) => r.metadata.name === 'agg')!.rules, src.rules);
    f.clearActions();
    await f.sync('agg');
    assert.deepEqual(f.actions(), [], 'already aggregated');
  } finally {
    await f.stop();
  }
});

test('controller: an unparsable selector fails the sync and writes nothing (retried with backoff)', async () => {
  const agg = { metadata: { name: 'agg' }, rules: [{ verbs: ['list'], apiGroups: [''], resources: ['nodes'] }], aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'aggregate-to-agg': 'true' } }, { matchExpressions: [{ key: 'k', operator: 'In' }] }] } };
  const src = { metadata: { name: 'src', labels: { 'aggregate-to-agg': 'true' } }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] };
  const f = await fixture(clusterRoleAggregationController, [[clusterRoles, agg, src]]);
  try {
    await assert.rejects(f.sync('agg'), { name: 'LabelSelectorParseError', message: "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty" });
    assert.deepEqual(f.actions(), [], 'the role keeps its rules: nothing is written from a partial aggregation');
  } finally {
    await f.stop();
  }
});
