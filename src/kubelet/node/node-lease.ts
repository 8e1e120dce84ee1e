/**
 * The node heartbeat: a Lease `kube-node-lease/<node>` held by the node, renewed every
 * `renewMs` (10 s, a quarter of its 40 s duration), owned by the Node so it goes with it.
 */
import type { LeaseObject } from '../../api/resources/coordination/index.js';
import { leases } from '../../api/resources/coordination/index.js';
import { isConflict, isNotFound } from '../../api/errors.js';
import { isAbort, rfc3339Micro, sleep, type Clock, type Logger } from '../../base/index.js';
import type { Client } from '../../client/index.js';

export const nodeLeaseNamespace = 'kube-node-lease';
export const nodeLeaseDurationSeconds = 40;

export interface NodeLeaseDeps {
  client: Client;
  nodeName: string;
  /** The Node's uid for the owner reference (when known). */
  nodeUID?: () => string | undefined;
  clock: Clock;
  log: Logger;
  renewMs?: number;
  durationSeconds?: number;
}

/** The Lease as the kubelet writes it (pure). */
export function desiredLease(nodeName: string, nodeUID: string | undefined, now: number, durationSeconds: number, current?: LeaseObject): LeaseObject {
  return {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    ...current,
    metadata: {
      ...current?.metadata,
      name: nodeName, namespace: nodeLeaseNamespace,
      ...(nodeUID ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUID }] } : {}),
    },
    spec: { ...current?.spec, holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime: rfc3339Micro(now) },
  };
}

/** Renews once: creates the Lease when missing. */
export async function renewNodeLease(deps: NodeLeaseDeps, signal: AbortSignal): Promise<LeaseObject> {
  const duration = deps.durationSeconds ?? nodeLeaseDurationSeconds;
  for (let attempt = 0; attempt < 5; attempt++) {
    let current: LeaseObject | undefined;
    try {
      current = await deps.client.get(leases, nodeLeaseNamespace, deps.nodeName, { signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const lease = desiredLease(deps.nodeName, deps.nodeUID?.(), deps.clock.now(), duration, current);
    try {
      return current
        ? await deps.client.update(leases, lease, { signal, fieldManager: 'kubelet' })
        : await deps.client.create(leases, lease, { signal, fieldManager: 'kubelet' });
    } catch (err) {
      if (!isConflict(err) && !(err instanceof Error && 'reason' in err && (err as { reason?: string }).reason === 'AlreadyExists')) throw err;
    }
  }
  throw new Error(`renewing lease ${nodeLeaseNamespace}/${deps.nodeName}: too many conflicts`);
}

/** Renews the Lease until `signal` aborts; failures are retried sooner (as the kubelet's controller backs off up to 7 s). */
export async function runNodeLease(deps: NodeLeaseDeps, signal: AbortSignal): Promise<void> {
  const log = deps.log.child({ component: 'node-lease' });
  const renewMs = deps.renewMs ?? 10_000;
  let retryMs = 200;
  while (!signal.aborted) {
    let wait = renewMs;
    try {
      await renewNodeLease(deps, signal);
      retryMs = 200;
    } catch (err) {
      if (isAbort(err, signal) || signal.aborted) return;
      log.warn('lease renewal failed', { err, retryMs });
      wait = retryMs;
      retryMs = Math.min(retryMs * 2, 7000);
    }
    try {
      await sleep(wait, signal);
    } catch {
      return; // aborted
    }
  }
}
