/**
 * Writes pod status through the API (the kubelet's status manager): only when it changed, keeping
 * what other writers own (PodScheduled from the scheduler, nominatedNodeName, conditions set by
 * controllers), retrying on conflicts with the freshest object.
 */
import type { PodStatus } from 'kubernetes-types/core/v1.js';
import { isConflict, isNotFound } from '../api/errors.js';
import { pods, type PodObject } from '../api/resources/core/index.js';
import { semanticEqual } from '../api/validation/index.js';
import type { Client } from '../client/index.js';

/** The status to write: the kubelet's, with the fields it does not own taken from the stored one. */
export function mergePodStatus(stored: PodStatus | undefined, status: PodStatus): PodStatus {
  const out: PodStatus = { ...status };
  const scheduled = stored?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled) out.conditions = (out.conditions ?? []).map((c) => (c.type === 'PodScheduled' ? scheduled : c));
  if (stored?.nominatedNodeName) out.nominatedNodeName = stored.nominatedNodeName;
  return out;
}

export function podStatusChanged(stored: PodStatus | undefined, status: PodStatus): boolean {
  return !semanticEqual(stored ?? {}, status);
}

/** Writes `status` for `pod` when it differs; returns the stored pod, or undefined when it is gone. */
export async function writePodStatus(client: Client, pod: PodObject, status: PodStatus, signal?: AbortSignal): Promise<PodObject | undefined> {
  let current = pod;
  for (let attempt = 0; attempt < 5; attempt++) {
    const merged = mergePodStatus(current.status, status);
    if (!podStatusChanged(current.status, merged)) return current;
    try {
      // Informer objects are frozen: the write gets its own copy.
      return await client.updateStatus(pods, structuredClone({ ...current, status: merged }), { signal, fieldManager: 'kubelet' });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      if (!isConflict(err)) throw err;
    }
    try {
      current = await client.get(pods, current.metadata.namespace ?? '', current.metadata.name ?? '', { signal });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    if (current.metadata.uid !== pod.metadata.uid) return undefined; // a new pod with the same name
  }
  throw new Error(`writing the status of pod ${pod.metadata.namespace}/${pod.metadata.name}: too many conflicts`);
}
