import type { PodCondition } from 'kubernetes-types/core/v1.js';
import { nodes, pods, type NodeObject, type PodObject } from '../../api/resources/index.js';
import { isNotFound } from '../../api/errors.js';
import type { Controller } from '../../client/run-controller.js';
import type { Key } from '../../client/work-queue.js';
import type { ControllerDeps } from '../controller-deps.js';
import {
  defaultTerminatedPodThreshold, failedStatus, gcCheckPeriodMs, isTerminated, missingNodes, nodeGoneCondition, quarantineMs,
  terminatedToDelete, terminatingOnOutOfServiceNodes, unscheduledTerminating,
} from './gc-plan.js';

export interface PodGCOptions {
  /** --terminated-pod-gc-threshold (0 disables the terminated-pod pass). Default 12500. */
  terminatedPodThreshold?: number;
  /** How often the whole pass runs. Default 20 s. */
  periodMs?: number;
  /** How long a node must stay missing before its pods go. Default 40 s. */
  quarantineMs?: number;
}

/** The queue key of the one periodic pass (PodGC is not per object). */
export const podGCKey: Key = 'podgc';

/**
 * The pod garbage collector (pkg/controller/podgc): every period, force-deletes terminated
 * pods beyond the threshold (oldest first), pods bound to nodes that stayed missing through the
 * quarantine (marked Failed with the DisruptionTarget condition first), terminating pods on
 * out-of-service nodes, and terminating pods that were never scheduled.
 */
export function podGCController(deps: ControllerDeps, opts: PodGCOptions = {}): Controller {
  const { client, informers, queue, clock } = deps;
  const log = deps.log.child({ controller: 'podgc' });
  const podCache = informers.for(pods);
  const nodeCache = informers.for(nodes);
  const threshold = opts.terminatedPodThreshold ?? defaultTerminatedPodThreshold;
  const period = opts.periodMs ?? gcCheckPeriodMs;
  const quarantine = opts.quarantineMs ?? quarantineMs;
  /** Missing node name → when it was first seen missing. */
  const missingSince = new Map<string, number>();
  queue.add(podGCKey);

  /** markFailedAndDeletePodWithCondition: a live pod first becomes Failed (with the condition), then goes at once. */
  async function markFailedAndDelete(pod: PodObject, condition: PodCondition | undefined, signal: AbortSignal): Promise<void> {
    const ns = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    try {
      if (!isTerminated(pod)) await client.patch(pods, ns, name, 'merge', { status: failedStatus(pod, condition) }, { subresource: 'status', signal });
      await client.delete(pods, ns, name, { gracePeriodSeconds: 0, signal });
      log.info('forced deletion of pod', { pod: `${ns}/${name}`, node: pod.spec?.nodeName });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async function gcOrphaned(all: readonly PodObject[], byName: ReadonlyMap<string, NodeObject>, signal: AbortSignal): Promise<void> {
    const now = clock.now();
    const missing = missingNodes(all, byName);
    for (const n of [...missingSince.keys()]) if (!missing.has(n)) missingSince.delete(n);
    const gone = new Set<string>();
    for (const n of missing) {
      const since = missingSince.get(n);
      if (since === undefined) { missingSince.set(n, now); continue; }
      if (now - since < quarantine) continue;
      try {
        await client.get(nodes, '', n, { signal });
        missingSince.delete(n); // it exists after all: the cache was behind
      } catch (err) {
        if (!isNotFound(err)) throw err;
        gone.add(n);
      }
    }
    for (const p of all) {
      if (!p.spec?.nodeName || !gone.has(p.spec.nodeName)) continue;
      await markFailedAndDelete(p, nodeGoneCondition(clock.now()), signal);
    }
    for (const n of gone) missingSince.delete(n);
  }

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    if (key !== podGCKey) return;
    try {
      const all = podCache.list();
      const byName = new Map(nodeCache.list().map((n) => [n.metadata.name ?? '', n] as const));
      for (const p of terminatingOnOutOfServiceNodes(all, byName)) await markFailedAndDelete(p, undefined, signal);
      for (const p of terminatedToDelete(all, threshold)) await markFailedAndDelete(p, undefined, signal);
      await gcOrphaned(all, byName, signal);
      for (const p of unscheduledTerminating(all)) await markFailedAndDelete(p, undefined, signal);
    } finally {
      queue.addAfter(podGCKey, period);
    }
  }

  return { name: 'podgc', queue, informers: [podCache, nodeCache], sync };
}
