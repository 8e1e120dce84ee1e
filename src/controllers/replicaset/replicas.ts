import type { PodObject } from '../../api/resources/index.js';
import { podsToDelete } from './pod-ranking.js';

/** Upstream's BurstReplicas: the most creates or deletes one sync issues. */
export const burstReplicas = 500;

export interface ReplicaPlan {
  /** Pods to create now. */
  create: number;
  /** Pods to delete now, in deletion order. */
  remove: PodObject[];
  /** active − desired (negative: too few). */
  diff: number;
}

/** manageReplicas' decision, pure: how many to create, which to delete. */
export function planReplicas(desired: number, active: readonly PodObject[], related: readonly PodObject[], now: number): ReplicaPlan {
  const diff = active.length - desired;
  if (diff < 0) return { create: Math.min(-diff, burstReplicas), remove: [], diff };
  if (diff > 0) return { create: 0, remove: podsToDelete(active, related, Math.min(diff, burstReplicas), now), diff };
  return { create: 0, remove: [], diff };
}
