import type { DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import { intOrPercentValue, type DaemonSetObject, type NodeObject, type PodObject } from '../../api/resources/index.js';
import { isPodAvailable, isPodReady } from '../podutil/index.js';
import { isPodUpdated, nodeShouldRunDaemonPod, revisionHashLabel } from './daemon-pod.js';

/** What one sync does: pods to delete (with why) and nodes to create a pod on. */
export interface DaemonPlan {
  create: string[];
  remove: PodObject[];
  /** Failed pods among `remove` (they get the FailedDaemonPod warning). */
  failed: PodObject[];
}

const byAge = (a: PodObject, b: PodObject) =>
  (a.metadata.creationTimestamp ?? '') < (b.metadata.creationTimestamp ?? '') ? -1 : (a.metadata.creationTimestamp ?? '') > (b.metadata.creationTimestamp ?? '') ? 1 : (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;

/** Pods by the node they are on or pinned to, oldest first; terminal pods being deleted are left out. */
export function podsByNode(owned: readonly PodObject[], target: (p: PodObject) => string | undefined): Map<string, PodObject[]> {
  const m = new Map<string, PodObject[]>();
  for (const p of owned) {
    const terminal = p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
    if (terminal && p.metadata.deletionTimestamp) continue;
    const n = target(p);
    if (n === undefined) continue;
    let l = m.get(n);
    if (!l) m.set(n, (l = []));
    l.push(p);
  }
  for (const l of m.values()) l.sort(byAge);
  return m;
}

function scaled(v: number | string | undefined, total: number): number {
  if (typeof v === 'string' && v.endsWith('%')) return Math.ceil((intOrPercentValue(v) * total) / 100);
  return intOrPercentValue(v);
}

/** maxSurge and maxUnavailable scaled against the desired count (rounding up); both 0 means one unavailable. */
export function rollingBudget(ds: DaemonSetObject, desired: number): { maxSurge: number; maxUnavailable: number } {
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  const maxSurge = scaled(ru?.maxSurge ?? 0, desired);
  let maxUnavailable = scaled(ru?.maxUnavailable ?? 1, desired);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/**
 * manage (podsShouldBeOnNode over all nodes): create where a daemon pod should run and none is
 * running, delete failed pods, surplus pods (keeping the oldest, and during a surge the oldest
 * updated one too), pods on nodes they must leave, and unscheduled pods pinned to missing nodes.
 */
export function planManage(ds: DaemonSetObject, nodes: readonly NodeObject[], byNode: ReadonlyMap<string, PodObject[]>, hash: string): DaemonPlan {
  const plan: DaemonPlan = { create: [], remove: [], failed: [] };
  const surge = ds.spec?.updateStrategy?.type !== 'OnDelete' && rollingBudget(ds, nodes.length).maxSurge > 0;
  const known = new Set<string>();
  for (const node of [...nodes].sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1))) {
    const name = node.metadata.name ?? '';
    known.add(name);
    const pods = byNode.get(name) ?? [];
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    const running: PodObject[] = [];
    for (const p of pods) {
      if (p.metadata.deletionTimestamp) continue;
      if (p.status?.phase === 'Failed') { plan.remove.push(p); plan.failed.push(p); continue; }
      running.push(p);
    }
    if (shouldRun && running.length === 0 && !pods.some((p) => p.metadata.deletionTimestamp && p.status?.phase !== 'Failed')) {
      plan.create.push(name);
    } else if (!shouldContinueRunning) {
      plan.remove.push(...running);
    } else if (running.length > 1) {
      if (!surge) { plan.remove.push(...running.slice(1)); continue; }
      let newest: PodObject | undefined, oldest: PodObject | undefined;
      for (const p of running) {
        const isNew = p.metadata.labels?.[revisionHashLabel] === hash;
        if (isNew && !newest) { newest = p; continue; }
        if (!isNew && !oldest) { oldest = p; continue; }
        plan.remove.push(p);
      }
    }
  }
  for (const [name, pods] of byNode) {
    if (known.has(name)) continue;
    for (const p of pods) if (!p.spec?.nodeName && !p.metadata.deletionTimestamp) plan.remove.push(p);
  }
  return plan;
}

/** rollingUpdate: old pods to delete and nodes to surge onto, within maxUnavailable/maxSurge. */
export function planRollingUpdate(ds: DaemonSetObject, nodes: readonly NodeObject[], byNode: ReadonlyMap<string, PodObject[]>, hash: string, now: number): DaemonPlan {
  const generation = ds.metadata.annotations?.['deprecated.daemonset.template.generation'];
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const eligible = [...nodes].filter((n) => nodeShouldRunDaemonPod(n, ds).shouldRun).map((n) => n.metadata.name ?? '').sort();
  const { maxSurge, maxUnavailable } = rollingBudget(ds, eligible.length);
  const plan: DaemonPlan = { create: [], remove: [], failed: [] };
  const allowedRemove: PodObject[] = [], candidateRemove: PodObject[] = [];
  const allowedNodes: string[] = [], candidateNodes: string[] = [];
  let unavailable = 0, surging = 0;
  for (const name of eligible) {
    const pods = (byNode.get(name) ?? []).filter((p) => !p.metadata.deletionTimestamp);
    const fresh = pods.filter((p) => isPodUpdated(p, hash, generation));
    const old = pods.filter((p) => !isPodUpdated(p, hash, generation));
    if (fresh.length > 1 || old.length > 1) { unavailable++; surging++; continue; }
    const [newPod] = fresh, [oldPod] = old;
    if (maxSurge === 0) {
      if ((!oldPod && !newPod) || (oldPod && newPod)) { unavailable++; continue; }
      if (newPod) { if (!isPodAvailable(newPod, minReady, now)) unavailable++; continue; }
      if (!isPodAvailable(oldPod!, minReady, now)) allowedRemove.push(oldPod!);
      else if (unavailable < maxUnavailable) candidateRemove.push(oldPod!);
      continue;
    }
    if (!oldPod) continue;
    if (!newPod) {
      if (!isPodAvailable(oldPod, minReady, now)) allowedNodes.push(name);
      else if (surging < maxSurge) candidateNodes.push(name);
      continue;
    }
    if (!isPodAvailable(newPod, minReady, now)) { surging++; continue; }
    plan.remove.push(oldPod);
  }
  if (maxSurge === 0) {
    const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidateRemove.length);
    plan.remove.push(...allowedRemove, ...candidateRemove.slice(0, room));
  } else {
    const room = Math.min(Math.max(0, maxSurge - surging), candidateNodes.length);
    plan.create.push(...allowedNodes, ...candidateNodes.slice(0, room));
  }
  return plan;
}

/** updateDaemonSetStatus's counting, per node (the oldest daemon pod on a node stands for it). */
export function daemonSetStatus(ds: DaemonSetObject, nodes: readonly NodeObject[], byNode: ReadonlyMap<string, PodObject[]>, hash: string, collisionCount: number, now: number): DaemonSetStatus {
  const generation = ds.metadata.annotations?.['deprecated.daemonset.template.generation'];
  const minReady = ds.spec?.minReadySeconds ?? 0;
  let desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
  for (const node of nodes) {
    const pods = byNode.get(node.metadata.name ?? '') ?? [];
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    if (shouldRun) {
      desired++;
      if (pods.length === 0) continue;
      current++;
      const pod = pods[0]!;
      if (isPodReady(pod)) { ready++; if (isPodAvailable(pod, minReady, now)) available++; }
      if (isPodUpdated(pod, hash, generation)) updated++;
    } else if (pods.length > 0) {
      misscheduled++;
    }
  }
  const s: DaemonSetStatus = {
    currentNumberScheduled: current, desiredNumberScheduled: desired, numberMisscheduled: misscheduled, numberReady: ready,
    observedGeneration: ds.metadata.generation, updatedNumberScheduled: updated, numberAvailable: available, numberUnavailable: desired - available,
  };
  if (collisionCount) s.collisionCount = collisionCount;
  return s;
}

/** True when writing `next` would change what the API holds (zero counts are omitted there). */
export function daemonSetStatusChanged(prev: DaemonSetStatus | undefined, next: DaemonSetStatus): boolean {
  const keys: (keyof DaemonSetStatus)[] = ['currentNumberScheduled', 'desiredNumberScheduled', 'numberMisscheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount'];
  const z = (v: unknown) => v ?? 0;
  return keys.some((k) => z(prev?.[k]) !== z(next[k]));
}
