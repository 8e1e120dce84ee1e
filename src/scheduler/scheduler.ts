import { setMaxListeners } from 'node:events';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { namespaces, nodes, pods, replicationControllers, services } from '../api/resources/core/index.js';
import { replicaSets, statefulSets } from '../api/resources/apps/index.js';
import type { LabelRequirement, LabelRequirements } from '../api/selectors/index.js';
import { labelSelectorAsRequirements, matchesLabels, selectorFromSet } from '../api/selectors/index.js';
import type { KubeObject } from '../api/types.js';
import type { Clock } from '../base/clock.js';
import { rfc3339 } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import { isAbort, spawn } from '../base/async.js';
import type { Client } from '../client/types.js';
import type { SharedInformerFactory } from '../client/informer.js';
import { sharedInformerFactory } from '../client/informer.js';
import { eventRecorder, type EventRecorder } from '../client/event-recorder.js';
import { controllerRefOf } from '../client/controller-ref.js';
import { fitErrorMessage } from './framework/fit-error.js';
import { Framework } from './framework/framework.js';
import { podKey } from './framework/node-info.js';
import type { ClusterEvent } from './framework/types.js';
import { isSuccess } from './framework/types.js';
import { SchedulerCache } from './cache/scheduler-cache.js';
import { SchedulingQueue, type QueuedPodInfo } from './queue/scheduling-queue.js';
import { SchedulingAlgorithm, type CycleResult } from './schedule-one.js';
import { defaultProfile, registry, type PluginDeps, type ProfileConfig } from './plugins/registry.js';

export interface SchedulerDeps {
  client: Client;
  log: Logger;
  clock: Clock;
  /** The process's shared informers; a private factory (run by the scheduler) when absent. */
  informers?: SharedInformerFactory;
  /** Tie-break randomness in [0, 1) (tests). */
  random?: () => number;
}

export interface SchedulerOptions {
  profile?: ProfileConfig;
  /** 0 (default) = adaptive, as upstream: 50% − nodes/125, at least 5% and 100 nodes. */
  percentageOfNodesToScore?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Bindings and status writes in flight at once. Default 512. */
  maxConcurrentWrites?: number;
  /** reportingInstance / source.host of Events. */
  host?: string;
}

export interface Scheduler {
  /** Schedules until `signal` aborts; resolves when bindings and writes in flight have ended. */
  run(signal: AbortSignal): Promise<void>;
  readonly queue: SchedulingQueue;
  readonly cache: SchedulerCache;
}

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const isAssigned = (p: Pod) => !!p.spec?.nodeName;

/** Tracks concurrent async writes so that the loop can wait for a free slot, and drain at shutdown. */
function writeTracker(max: number) {
  const all = new Set<Promise<void>>();
  let waiting: (() => void) | undefined;
  return {
    get full() { return all.size >= max; },
    start(task: Promise<void>): void {
      const p = task.finally(() => {
        all.delete(p);
        const w = waiting;
        waiting = undefined;
        w?.();
      });
      all.add(p);
    },
    async slot(): Promise<void> {
      while (all.size >= max) await new Promise<void>((r) => { waiting = r; });
    },
    async drain(): Promise<void> { while (all.size) await Promise.all([...all]); },
  };
}

/**
 * kube-scheduler: watches unassigned pods of its schedulerName and all nodes, runs each pod
 * through the profile's PreFilter → Filter (a sample of nodes on large clusters) → PreScore →
 * Score, assumes it on the best node (random tie-break) and binds it asynchronously. A pod that
 * fits nowhere gets PostFilter (preemption), a PodScheduled=False condition and a
 * FailedScheduling event, and waits in the queue until a relevant cluster event.
 */
export function scheduler(deps: SchedulerDeps, opts: SchedulerOptions = {}): Scheduler {
  const { client, clock } = deps;
  const log = deps.log.child({ component: 'scheduler' });
  const random = deps.random ?? Math.random;
  const profile = opts.profile ?? defaultProfile;
  const informers = deps.informers ?? sharedInformerFactory({ client, log });
  const ownInformers = !deps.informers;
  const podInf = informers.for(pods);
  const nodeInf = informers.for(nodes);
  const nsInf = informers.for(namespaces);
  const svcInf = informers.for(services);
  const rcInf = informers.for(replicationControllers);
  const rsInf = informers.for(replicaSets);
  const ssInf = informers.for(statefulSets);

  const pluginDeps: PluginDeps = {
    client,
    namespaceLabels: (ns) => nsInf.get(ns)?.metadata.labels,
    defaultSelector: (pod) => defaultSelector(pod),
  };
  const fw = new Framework(profile.schedulerName, profile.plugins.map((p) => {
    const factory = registry[p.name];
    if (!factory) throw new Error(`scheduler profile ${profile.schedulerName}: plugin ${p.name} is not registered`);
    return { plugin: factory(p.args, pluginDeps), weight: p.weight };
  }));
  const cache = new SchedulerCache();
  const queue = new SchedulingQueue({
    clock, initialBackoffMs: opts.initialBackoffMs, maxBackoffMs: opts.maxBackoffMs,
    pluginEvents: new Map(fw.plugins.map((p) => [p.name, new Set(p.events ?? [])])),
  });
  const writes = writeTracker(opts.maxConcurrentWrites ?? 512);
  const algorithm = new SchedulingAlgorithm(fw, cache, { percentageOfNodesToScore: opts.percentageOfNodesToScore, random });
  let recorder: EventRecorder | undefined;

  function defaultSelector(pod: Pod): LabelRequirements {
    const ns = pod.metadata?.namespace ?? '';
    const labels = pod.metadata?.labels ?? {};
    const set: Record<string, string> = {};
    for (const svc of svcInf.list(ns)) {
      const sel = svc.spec?.selector;
      if (sel && Object.keys(sel).length && matchesLabels(selectorFromSet(sel), labels)) Object.assign(set, sel);
    }
    const extra: LabelRequirement[] = [];
    const ref = controllerRefOf(pod as Pick<KubeObject, 'metadata'>);
    if (ref) {
      const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
      const key = `${ns}/${ref.name}`;
      if (ref.kind === 'ReplicationController' && group === '') Object.assign(set, rcInf.get(key)?.spec?.selector ?? {});
      else if (ref.kind === 'ReplicaSet' && group === 'apps') extra.push(...(labelSelectorAsRequirements(rsInf.get(key)?.spec?.selector) ?? []));
      else if (ref.kind === 'StatefulSet' && group === 'apps') extra.push(...(labelSelectorAsRequirements(ssInf.get(key)?.spec?.selector) ?? []));
    }
    return [...selectorFromSet(set), ...extra];
  }

  const responsible = (p: Pod) => (p.spec?.schedulerName || 'default-scheduler') === profile.schedulerName;
  const wantsScheduling = (p: Pod) => !isAssigned(p) && responsible(p) && !p.metadata?.deletionTimestamp && !isTerminal(p) && !(p.spec?.schedulingGates ?? []).length;
  const move = (event: ClusterEvent) => queue.moveAllToActiveOrBackoff(event);

  // ---- informer handlers: they only update the cache and the queue ----
  podInf.onAdd((pod) => {
    if (isAssigned(pod)) {
      if (!isTerminal(pod)) cache.addPod(pod);
      move('AssignedPodAdd');
    } else if (wantsScheduling(pod)) {
      queue.add(pod);
    }
  });
  podInf.onUpdate((old, pod) => {
    if (old === pod) return; // resync
    const key = podKey(pod);
    if (isAssigned(pod)) {
      if (!isAssigned(old)) queue.delete(key);
      if (isTerminal(pod)) { cache.removePod(pod); move('AssignedPodDelete'); }
      else { cache.updatePod(pod); if (isAssigned(old)) move('AssignedPodUpdate'); else move('AssignedPodAdd'); }
    } else if (wantsScheduling(pod)) {
      queue.update(old, pod);
    } else {
      queue.delete(key);
    }
  });
  podInf.onDelete((pod) => {
    const key = podKey(pod);
    queue.delete(key);
    if (isAssigned(pod) || cache.isAssumed(key)) { cache.removePod(pod); move('AssignedPodDelete'); }
  });
  nodeInf.onAdd((node) => { cache.addNode(node); move('NodeAdd'); });
  nodeInf.onUpdate((old, node) => {
    if (old === node) return;
    cache.updateNode(node);
    if (schedulingPropertiesChanged(old, node)) move('NodeUpdate');
  });
  nodeInf.onDelete((node) => cache.removeNode(node.metadata.name ?? ''));

  // ---- after the cycle ----
  async function bindingCycle(q: QueuedPodInfo, pod: Pod, node: string, signal: AbortSignal): Promise<void> {
    const status = await fw.runBind(pod, node, signal);
    if (isSuccess(status)) {
      cache.finishBinding(q.key);
      queue.done(q.key);
      recorder!.event(pods, pod as never, 'Normal', 'Scheduled', `Successfully assigned ${q.key} to ${node}`);
      return;
    }
    cache.forget(q.key);
    if (signal.aborted) return;
    const msg = `Binding rejected: ${status.reasons.join(', ')}`;
    log.warn('binding failed', { pod: q.key, node, err: msg });
    move('AssignedPodDelete');
    if (/already assigned|already bound|conflict/i.test(msg)) { queue.done(q.key); return; }
    queue.addUnschedulable(q, { error: true });
    await recordFailure(pod, 'SchedulerError', msg, undefined, signal);
  }

  async function recordFailure(pod: Pod, reason: string, message: string, nominatedNodeName: string | undefined, signal: AbortSignal): Promise<void> {
    recorder!.event(pods, pod as never, 'Warning', 'FailedScheduling', message);
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const current = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
    const same = current && current.status === 'False' && current.reason === reason && current.message === message;
    if (same && !nominatedNodeName) return;
    const condition = {
      type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: null,
      lastTransitionTime: current?.status === 'False' && current.lastTransitionTime ? current.lastTransitionTime : rfc3339(clock.now()),
    };
    const patch = { status: { conditions: [condition], ...(nominatedNodeName ? { nominatedNodeName } : {}) } };
    try {
      await client.patch(pods, ns, name, 'strategic', patch, { subresource: 'status', signal });
    } catch (err) {
      if (!signal.aborted) log.debug('could not update pod condition', { pod: `${ns}/${name}`, err });
    }
  }

  async function preempt(pod: Pod, nominated: { nodeName: string; victims: readonly Pod[] }, signal: AbortSignal): Promise<void> {
    for (const v of nominated.victims) {
      const vns = v.metadata?.namespace ?? '';
      const vname = v.metadata?.name ?? '';
      recorder!.event(pods, v as never, 'Normal', 'Preempted', `Preempted by pod ${pod.metadata?.uid ?? ''} on node ${nominated.nodeName}`);
      try {
        await client.delete(pods, vns, vname, { preconditions: v.metadata?.uid ? { uid: v.metadata.uid } : undefined, signal });
      } catch (err) {
        if (!signal.aborted) log.warn('could not delete preemption victim', { pod: `${vns}/${vname}`, err });
      }
    }
  }

  function scheduleOne(q: QueuedPodInfo, signal: AbortSignal): void {
    const pod = (podInf.get(q.key) as Pod | undefined) ?? q.pod;
    if (isAssigned(pod) || pod.metadata?.deletionTimestamp || cache.isAssumed(q.key) || !wantsScheduling(pod)) {
      queue.done(q.key);
      return;
    }
    q.pod = pod;
    let r: CycleResult;
    try {
      r = algorithm.schedulePod(pod);
    } catch (err) {
      r = { error: err instanceof Error ? err.message : String(err) };
    }
    if ('node' in r) {
      cache.assume(pod, r.node, r.podInfo);
      log.debug('assumed', { pod: q.key, node: r.node, evaluated: r.evaluated, feasible: r.feasible });
      writes.start(bindingCycle(q, pod, r.node, signal));
      return;
    }
    if ('error' in r) {
      log.warn('scheduling failed', { pod: q.key, err: r.error });
      queue.addUnschedulable(q, { error: true });
      writes.start(recordFailure(pod, 'SchedulerError', r.error, undefined, signal));
      return;
    }
    q.unschedulablePlugins = new Set(r.fit.unschedulablePlugins);
    queue.addUnschedulable(q);
    const message = fitErrorMessage(r.numAllNodes, r.fit);
    log.debug('unschedulable', { pod: q.key, message });
    const nominated = r.nominated;
    writes.start((async () => {
      if (nominated) await preempt(pod, nominated, signal);
      await recordFailure(pod, 'Unschedulable', message, nominated?.nodeName, signal);
    })());
  }

  async function run(outer: AbortSignal): Promise<void> {
    // Informers, the queue and in-flight bindings all wait on this signal: many listeners are expected.
    setMaxListeners(0, outer);
    // Every binding and status write listens on this signal: a private one without the listener cap.
    const stop = new AbortController();
    setMaxListeners(0, stop.signal);
    const onAbort = () => stop.abort(outer.reason);
    if (outer.aborted) onAbort(); else outer.addEventListener('abort', onAbort, { once: true });
    const signal = stop.signal;
    recorder = eventRecorder({ client, clock, log, component: profile.schedulerName, host: opts.host, maxQueued: 10_000 });
    const informing = ownInformers ? spawn(signal, log, 'scheduler-informers', (s) => informers.run(s)) : undefined;
    const queueRun = spawn(signal, log, 'scheduling-queue', (s) => queue.run(s));
    try {
      await Promise.all([podInf, nodeInf, nsInf, svcInf, rcInf, rsInf, ssInf].map((i) => i.waitForSync(signal)));
      log.info('caches synced, scheduling', { nodes: cache.nodes.length });
      let sinceYield = 0;
      for (;;) {
        if (writes.full) await writes.slot();
        const q = await queue.pop(signal);
        if (!q) break;
        scheduleOne(q, signal);
        // Let I/O (watch events, binding responses) in now and then.
        if (++sinceYield >= 64) { sinceYield = 0; await new Promise<void>((r) => setImmediate(r)); }
      }
    } catch (err) {
      if (!isAbort(err, signal)) throw err;
    } finally {
      queue.close();
      await writes.drain();
      await recorder.flush();
      await queueRun;
      await informing;
      outer.removeEventListener('abort', onAbort);
      log.info('stopped');
    }
  }

  return { run, queue, cache };
}

/** nodeSchedulingPropertiesChange: what a NodeUpdate event is about (heartbeats are not). */
function schedulingPropertiesChanged(old: Node, node: Node): boolean {
  const props = (n: Node) => JSON.stringify([n.metadata?.labels, n.spec?.taints, n.spec?.unschedulable, n.status?.allocatable]);
  return props(old) !== props(node);
}
