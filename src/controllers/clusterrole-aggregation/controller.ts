import type { ClusterRole } from 'kubernetes-types/rbac/v1.js';
import { clusterRoles } from '../../api/resources/index.js';
import type { Kube } from '../../api/types.js';
import { isNotFound } from '../../api/errors.js';
import type { Controller } from '../../client/run-controller.js';
import type { Key } from '../../client/work-queue.js';
import type { ControllerDeps } from '../controller-deps.js';
import { aggregatedRules, sameRules } from './aggregation.js';

/**
 * The ClusterRole aggregation controller: a ClusterRole with an aggregationRule holds the rules
 * of the ClusterRoles its selectors match (admin, edit and view are built this way). Any
 * ClusterRole change revisits every aggregated role, since labels and rules may both move.
 */
export function clusterRoleAggregationController(deps: ControllerDeps): Controller {
  const { client, informers, queue } = deps;
  const roles = informers.for(clusterRoles);

  const enqueueAggregated = () => {
    for (const r of roles.list()) if (r.aggregationRule) queue.add(r.metadata.name ?? '');
  };
  roles.onChange(enqueueAggregated);
  roles.onDelete(enqueueAggregated);

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    const role = roles.get(key);
    if (!role) return;
    const want = aggregatedRules(role, roles.list());
    if (want === undefined || sameRules(want, role.rules)) return;
    const updated = { ...structuredClone(role), rules: structuredClone(want) } as Kube<ClusterRole>;
    try {
      await client.update(clusterRoles, updated, { signal, fieldManager: 'clusterrole-aggregation-controller' });
    } catch (err) {
      if (isNotFound(err)) return;   // deleted meanwhile
      throw err;                      // a conflict requeues quietly; the informer brings the new version
    }
  }

  return { name: 'clusterrole-aggregation', queue, informers: [roles], sync };
}
