import type { PodCondition } from 'kubernetes-types/core/v1.js';
import { leases, nodes, pods, type NodeObject, type PodObject } from '../../api/resources/index.js';
import { isNotFound } from '../../api/errors.js';
import { rfc3339 } from '../../base/clock.js';
import type { Controller } from '../../client/run-controller.js';
import type { Key } from '../../client/work-queue.js';
import { keyFor, keyOf } from '../../client/object-key.js';
import type { ControllerDeps } from '../controller-deps.js';
import { nodeStatusMessage } from '../nodeipam/index.js';
import { evictionTime, readyStatus, reconcileTaints, unknownConditions } from './node-health.js';

export interface NodeLifecycleOptions {
  /** --node-monitor-grace-period (ms). Default 40 s. */
  nodeMonitorGracePeriodMs?: number;
}

export const nodeLeaseNamespace = 'kube-node-lease';
const nodeKey = (name: string): Key => `node/${name}`;
const podKey = (pod: PodObject): Key => `pod/${keyOf(pod)}`;
const podsByNode = 'nodeName';

/**
 * The node lifecycle controller with the taint eviction controller
 * (pkg/controller/nodelifecycle, pkg/controller/tainteviction): a node whose Lease and status
 * have not moved for the grace period gets its conditions set Unknown and its pods marked
 * not ready; the not-ready/unreachable taints follow the Ready condition; pods that do not
 * tolerate a NoExecute taint are deleted at once, or when their tolerationSeconds run out.
 */
export function nodeLifecycleController(deps: ControllerDeps, opts: NodeLifecycleOptions = {}): Controller {
  const { client, informers, queue, clock, recorder } = deps;
  const log = deps.log.child({ controller: 'nodelifecycle' });
  const grace = opts.nodeMonitorGracePeriodMs ?? 40_000;
  const nodeCache = informers.for(nodes);
  const leaseCache = informers.for(leases);
  const podCache = informers.for(pods);
  podCache.addIndex(podsByNode, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
  /** When each node's heartbeat (Ready heartbeat, Lease renewTime) was last seen to move, by our clock. */
  const probes = new Map<string, { signature: string; at: number }>();

  nodeCache.onChange((n) => queue.add(nodeKey(n.metadata.name ?? '')));
  nodeCache.onUpdate((old, n) => {
    if (JSON.stringify(old.spec?.taints ?? []) === JSON.stringify(n.spec?.taints ?? [])) return;
    for (const p of podCache.byIndex(podsByNode, n.metadata.name ?? '')) queue.add(podKey(p));
  });
  leaseCache.onChange((l) => { if (l.metadata.namespace === nodeLeaseNamespace) queue.add(nodeKey(l.metadata.name ?? '')); });
  podCache.onAdd((p) => { if (p.spec?.nodeName) queue.add(podKey(p)); });
  podCache.onUpdate((old, p) => { if (old !== p && p.spec?.nodeName) queue.add(podKey(p)); });

  /** MarkPodsNotReady: the Ready condition of every pod on the node goes False. */
  async function markPodsNotReady(node: NodeObject, signal: AbortSignal): Promise<void> {
    const now = rfc3339(clock.now());
    for (const pod of podCache.byIndex(podsByNode, node.metadata.name ?? '')) {
      const conditions = (pod.status?.conditions ?? []).map((c) => ({ ...c }));
      const ready = conditions.find((c) => c.type === 'Ready');
      if (!ready || ready.status === 'False') continue;
      ready.status = 'False';
      ready.lastTransitionTime = now;
      try {
        await client.updateStatus(pods, { ...pod, status: { ...pod.status, conditions } } as PodObject, { signal });
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      recorder.event(pods, pod, 'Warning', 'NodeNotReady', 'Node is not ready');
    }
  }

  async function syncNode(name: string, signal: AbortSignal): Promise<void> {
    let node = nodeCache.get(name);
    if (!node) { probes.delete(name); return; }
    const now = clock.now();
    const lease = leaseCache.get(keyFor(nodeLeaseNamespace, name));
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    const signature = `${ready?.lastHeartbeatTime ?? ''}|${ready?.status ?? ''}|${lease?.spec?.renewTime ?? ''}`;
    let probe = probes.get(name);
    if (!probe || probe.signature !== signature) probes.set(name, (probe = { signature, at: now }));
    const before = readyStatus(node);
    if (now - probe.at >= grace) {
      const conditions = unknownConditions(node.status?.conditions, now);
      if (conditions) {
        log.info('node stopped posting status', { node: name, graceMs: grace });
        node = await client.updateStatus(nodes, { ...structuredClone(node), status: { ...node.status, conditions } } as NodeObject, { signal });
        if (before === 'True') recorder.event(nodes, node, 'Normal', 'NodeNotReady', nodeStatusMessage(name, 'NodeNotReady'));
        await markPodsNotReady(node, signal);
      }
    } else {
      queue.addAfter(nodeKey(name), grace - (now - probe.at) + 1);
    }
    const taints = reconcileTaints(node.spec?.taints, readyStatus(node), now);
    if (taints) {
      const next = structuredClone(node) as NodeObject;
      next.spec = { ...next.spec, taints };
      if (taints.length === 0) delete next.spec.taints;
      await client.update(nodes, next, { signal });
    }
  }

  async function syncPod(key: Key, signal: AbortSignal): Promise<void> {
    const pod = podCache.get(key);
    if (!pod?.spec?.nodeName || pod.metadata.deletionTimestamp) return;
    const node = nodeCache.get(pod.spec.nodeName);
    if (!node) return;
    const now = clock.now();
    const when = evictionTime(pod.spec.tolerations, node.spec?.taints, now);
    if (when === undefined) return;
    if (when !== 'now' && when > now) { queue.addAfter(`pod/${key}`, when - now); return; }
    recorder.event(pods, pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    const condition: PodCondition = {
      type: 'DisruptionTarget', status: 'True', lastTransitionTime: rfc3339(now),
      reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint',
    };
    const conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), condition];
    const ns = pod.metadata.namespace ?? '';
    try {
      await client.updateStatus(pods, { ...pod, status: { ...pod.status, conditions } } as PodObject, { signal });
      await client.delete(pods, ns, pod.metadata.name ?? '', { signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    if (key.startsWith('node/')) return syncNode(key.slice(5), signal);
    if (key.startsWith('pod/')) return syncPod(key.slice(4), signal);
  }

  return { name: 'nodelifecycle', queue, informers: [nodeCache, leaseCache, podCache], sync, workers: 5 };
}
