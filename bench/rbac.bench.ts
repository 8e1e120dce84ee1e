/**
 * RBAC authorizer cost per request, in process: the decision kube-apiserver's authorization
 * filter makes for every request, over the bootstrap policy plus 1,000 namespaces × 3
 * RoleBindings and 200 extra ClusterRoleBindings (all in memory, as the server keeps them).
 */
import { performance } from 'node:perf_hooks';
import type { IncomingMessage } from 'node:http';
import type { ClusterRole, ClusterRoleBinding, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import type { UserInfo } from '../src/apiserver/context.js';
import {
  bootstrapClusterRoleBindings, bootstrapClusterRoles, clusterAuthorizer, nonResourceAttributes, requestAuthorizer, resourceAttributes, staticPolicy,
  type Attributes, type Authorizer,
} from '../src/apiserver/authz/index.js';
import { aggregatedRules } from '../src/controllers/clusterrole-aggregation/index.js';
import type { Bench, BenchRow } from './types.js';

function policy(namespaces: number, extraClusterBindings: number) {
  const clusterRoles: ClusterRole[] = bootstrapClusterRoles();
  for (let changed = true; changed;) {
    changed = false;
    for (const r of clusterRoles) {
      const want = aggregatedRules(r, clusterRoles);
      if (want && JSON.stringify(want) !== JSON.stringify(r.rules ?? [])) { r.rules = want; changed = true; }
    }
  }
  const ref = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name });
  const roleBindings: RoleBinding[] = [];
  for (let i = 0; i < namespaces; i++) {
    const namespace = `ns-${i}`;
    roleBindings.push(
      { metadata: { name: 'app-view', namespace }, roleRef: ref('view'), subjects: [{ kind: 'ServiceAccount', name: 'app' }] },
      { metadata: { name: 'team-edit', namespace }, roleRef: ref('edit'), subjects: [{ kind: 'Group', name: `team-${i}`, apiGroup: 'rbac.authorization.k8s.io' }] },
      { metadata: { name: 'owner-admin', namespace }, roleRef: ref('admin'), subjects: [{ kind: 'User', name: `owner-${i}`, apiGroup: 'rbac.authorization.k8s.io' }] },
    );
  }
  const clusterRoleBindings: ClusterRoleBinding[] = bootstrapClusterRoleBindings();
  for (let i = 0; i < extraClusterBindings; i++) {
    clusterRoleBindings.push({ metadata: { name: `extra-${i}` }, roleRef: ref('view'), subjects: [{ kind: 'User', name: `auditor-${i}`, apiGroup: 'rbac.authorization.k8s.io' }] });
  }
  return staticPolicy({ clusterRoles, roleBindings, clusterRoleBindings });
}

function perCall(n: number, fn: () => void): number {
  for (let i = 0; i < Math.min(n, 2000); i++) fn();   // warm up
  const t = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - t) * 1000) / n;   // µs
}

const bench: Bench = async ({ quick }) => {
  const authz: Authorizer = clusterAuthorizer(policy(1000, 200));
  const n = quick ? 20_000 : 100_000;
  const admin: UserInfo = { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] };
  const sa: UserInfo = { username: 'system:serviceaccount:ns-500:app', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns-500', 'system:authenticated'] };
  const cases: Array<[string, Attributes, string]> = [
    ['system:masters list pods', resourceAttributes(admin, { verb: 'list', resource: 'pods', namespace: 'ns-500' }), 'Allow'],
    ['service account list pods (RoleBinding → view)', resourceAttributes(sa, { verb: 'list', resource: 'pods', namespace: 'ns-500' }), 'Allow'],
    ['service account get secret (denied)', resourceAttributes(sa, { verb: 'get', resource: 'secrets', namespace: 'ns-500', name: 's' }), 'NoOpinion'],
    ['service account GET /apis (discovery)', nonResourceAttributes(sa, 'get', '/apis'), 'Allow'],
  ];
  const rows: BenchRow[] = [];
  for (const [name, attrs, want] of cases) {
    if (authz.authorize(attrs).decision !== want) throw new Error(`${name}: expected ${want}`);
    rows.push({ name: `rbac authorize: ${name}`, metric: 'per decision', value: perCall(n, () => authz.authorize(attrs)), unit: 'µs', goal: '< 20 µs' });
  }
  // The whole filter as the HTTP handler calls it: path parse, attributes, decision.
  const filter = requestAuthorizer(authz);
  const req = { method: 'GET', headers: {}, headersDistinct: {} } as unknown as IncomingMessage;
  const query = new URLSearchParams('watch=true&resourceVersion=10');
  rows.push({
    name: 'rbac request filter: service account watch pods', metric: 'per request',
    value: perCall(n, () => filter(req, sa, '/api/v1/namespaces/ns-500/pods', query)), unit: 'µs', goal: '< 20 µs',
  });
  return rows;
};

export default bench;
