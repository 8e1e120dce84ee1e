import type { Binding, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { ResourceDefinition } from '../../api/resource.js';
import type { KubeObject, Status } from '../../api/types.js';
import { badRequest, conflict, statusError, tooManyRequests } from '../../api/errors.js';
import { labelSelectorMatches } from '../../api/selectors/index.js';
import type { Clock } from '../../base/clock.js';
import { rfc3339 } from '../../base/clock.js';
import { cloneMetadata, cloneObject, type JsonValue } from '../../api/patch/json-value.js';
import type { RequestContext } from '../context.js';
import type { RestStorage } from './rest-storage.js';

/**
 * POST pods/<name>/binding: assigns the pod to a node (the scheduler's last step). Fails with
 * 409 when it is already assigned or being deleted.
 */
export async function bindPod(rest: RestStorage, pods: ResourceDefinition, clock: Clock, namespace: string, name: string, body: unknown, ctx: RequestContext): Promise<Status> {
  const binding = body as Binding;
  const node = binding?.target?.name;
  if (!node) throw statusError(422, 'Invalid', `Binding "${name}" is invalid: target.name: Required value`, { name, kind: 'Binding', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }] });
  if (binding.target.kind && binding.target.kind !== 'Node') throw badRequest(`Binding "${name}" is invalid: target.kind: Unsupported value: "${binding.target.kind}"`);
  const q = { resource: 'pods/binding', name };
  await rest.guaranteedUpdate(pods, namespace, name, ctx, (current) => {
    const cur = current as unknown as Pod & KubeObject;
    if (cur.metadata.deletionTimestamp) throw conflict(q, `pod ${name} is being deleted, cannot be assigned to a host`);
    if (cur.spec?.nodeName) throw conflict(q, `pod ${name} is already assigned to node "${cur.spec.nodeName}"`);
    if (binding.metadata?.uid && binding.metadata.uid !== cur.metadata.uid) throw conflict(q, 'the UID in the precondition does not match');
    // New objects along the paths that change; the rest (containers, volumes…) is the current
    // pod's own, read-only and shared by the new version.
    const metadata = cloneMetadata(cur.metadata as unknown as JsonValue) as unknown as KubeObject['metadata'];
    for (const [k, v] of Object.entries(binding.metadata?.annotations ?? {})) {
      metadata.annotations = { ...metadata.annotations, [k]: v };
    }
    const scheduled: PodCondition = { type: 'PodScheduled', status: 'True', lastProbeTime: null as unknown as string, lastTransitionTime: rfc3339(clock.now()) };
    const conditions = [...(cur.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled'), scheduled];
    return { ...cur, metadata, spec: { ...cur.spec!, nodeName: node }, status: { ...cur.status, conditions } } as unknown as KubeObject;
  }, { subresource: 'binding' });
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}

/**
 * POST pods/<name>/eviction: deletes the pod unless a PodDisruptionBudget forbids it now
 * (429 with the DisruptionBudget cause), consuming one allowed disruption.
 */
export async function evictPod(rest: RestStorage, pods: ResourceDefinition, pdbs: ResourceDefinition, clock: Clock, namespace: string, name: string, body: unknown, ctx: RequestContext): Promise<Status> {
  const eviction = (body ?? {}) as { metadata?: { name?: string }; deleteOptions?: { gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string }; dryRun?: string[] } };
  if (eviction.metadata?.name && eviction.metadata.name !== name) throw badRequest(`name in URL does not match name in Eviction object`);
  const pod = (await rest.get(pods, namespace, name)) as unknown as Pod & KubeObject;
  const phase = pod.status?.phase;
  const terminal = phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending';
  if (!terminal && !pod.metadata.deletionTimestamp) {
    const budgets = (await rest.list(pdbs, namespace)).items as unknown as (PodDisruptionBudget & KubeObject)[];
    const matching = budgets.filter((b) => b.spec?.selector && labelSelectorMatches(b.spec.selector, pod.metadata.labels ?? {}));
    if (matching.length > 1) throw statusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    const pdb = matching[0];
    if (pdb) {
      const st = pdb.status;
      if (!st || (st.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0) || st.disruptionsAllowed <= 0) {
        const err = tooManyRequests('Cannot evict pod as it would violate the pod\'s disruption budget.', 0);
        err.status.details = { causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb.metadata.name} needs ${st?.desiredHealthy ?? 0} healthy pods and has ${st?.currentHealthy ?? 0} currently` }] };
        throw err;
      }
      if (!ctx.dryRun) {
        await rest.guaranteedUpdate(pdbs, namespace, pdb.metadata.name!, ctx, (cur) => {
          const b = cloneObject(cur) as unknown as PodDisruptionBudget & KubeObject;
          const s = b.status!;
          if (s.disruptionsAllowed <= 0) throw tooManyRequests('Cannot evict pod as it would violate the pod\'s disruption budget.', 0);
          (s as { disruptionsAllowed: number }).disruptionsAllowed = s.disruptionsAllowed - 1;
          (s as { disruptedPods?: Record<string, string> }).disruptedPods = { ...(s.disruptedPods ?? {}), [name]: rfc3339(clock.now()) };
          return b;
        }, { subresource: 'status' });
      }
    }
  }
  await rest.delete(pods, namespace, name, {
    gracePeriodSeconds: eviction.deleteOptions?.gracePeriodSeconds,
    preconditions: eviction.deleteOptions?.preconditions,
  }, { ...ctx, dryRun: ctx.dryRun || (eviction.deleteOptions?.dryRun ?? []).includes('All') });
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}
