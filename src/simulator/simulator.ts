import { setMaxListeners } from 'node:events';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ResourceDefinition } from '../api/resource.js';
import type { KubeObject } from '../api/types.js';
import { nodes, pods, type NodeObject, type PodObject } from '../api/resources/core/index.js';
import { leases, type LeaseObject } from '../api/resources/coordination/index.js';
import { isAlreadyExists, isConflict, isNotFound } from '../api/errors.js';
import type { Clock } from '../base/clock.js';
import { rfc3339Micro } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import { isAbort, sleep, spawn } from '../base/async.js';
import type { Client, ListOptions, WatchOptions } from '../client/types.js';
import { sharedInformerFactory } from '../client/informer.js';
import { workQueue, type Key } from '../client/work-queue.js';
import { runController, type Controller } from '../client/run-controller.js';
import { controllerRefOf } from '../client/controller-ref.js';
import { fallbackPodBlock, nodeInternalIP, PodIpAllocator } from './addresses.js';
import { healthyConditions, simulatedNode } from './node-object.js';
import { completedStatus, parseDuration, runningStatus } from './pod-status.js';

export interface SimulateDeps { client: Client; log: Logger; clock: Clock }

export interface SimulateOptions {
  nodes: number;
  /** Nodes are named `<namePrefix><index>`, index from 0. */
  namePrefix: string;
  /** Capacity and allocatable of every node: `32`, `256Gi`, 110. */
  cpu: string;
  memory: string;
  pods: number;
  /** Take pod IPs from spec.podCIDR (the nodeipam controller's); default true. False: the fallback block at once. */
  podCidrFromNode?: boolean;
  /** How long a node waits for its podCIDR before using the fallback block. Default 3 s. */
  podCidrWaitMs?: number;
  /** Lease renewal period (10 s) and Ready-condition heartbeat period (60 s; the Lease is the liveness signal, as upstream). */
  leaseRenewMs?: number;
  nodeStatusMs?: number;
  /** Concurrent status writes (pod workers). Default 64. */
  concurrency?: number;
}

export interface Simulation {
  /** Registers the nodes, then plays their kubelets until `signal` aborts (heartbeats stop with it). */
  run(signal: AbortSignal): Promise<void>;
}

export const nodeLeaseNamespace = 'kube-node-lease';
export const simulatedDurationAnnotation = 'k8ts.io/simulated-duration';
const leaseDurationSeconds = 40;
const defaultJobDurationMs = 1000;

/** A client whose pod list/watch carry a field selector (the informer machinery takes none). */
function withPodFieldSelector(client: Client, fieldSelector: string): Client {
  const scoped = <T extends KubeObject>(res: ResourceDefinition<T>) => res.group === '' && res.plural === 'pods';
  const over: Partial<Client> = {
    list: <T extends KubeObject>(res: ResourceDefinition<T>, opts?: ListOptions & { signal?: AbortSignal }) =>
      client.list(res, scoped(res) ? { ...opts, fieldSelector } : opts),
    watch: <T extends KubeObject>(res: ResourceDefinition<T>, opts: WatchOptions, signal: AbortSignal) =>
      client.watch(res, scoped(res) ? { ...opts, fieldSelector } : opts, signal),
  };
  return new Proxy(client, {
    get(target, prop) {
      if (prop in over) return over[prop as keyof Client];
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Runs `fn` over `items` with at most `n` at once. */
async function eachLimit<T>(items: readonly T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

/**
 * Simulated nodes, as kwok plays them: N Nodes registered Ready with Leases renewed every
 * 10 s; bound pods become Running and Ready with a pod IP from the node's podCIDR; job pods
 * complete; deleted pods finish terminating. Stopping stops the heartbeats, so the node
 * lifecycle controller marks the nodes NotReady.
 */
export function simulate(deps: SimulateDeps, opts: SimulateOptions): Simulation {
  const { client, clock } = deps;
  const log = deps.log.child({ component: 'simulator' });
  if (!(opts.nodes > 0 && Number.isInteger(opts.nodes))) throw new Error('simulate: nodes must be a positive integer');
  if (opts.nodes > 4000) throw new Error('simulate: at most 4000 nodes (the simulated address range)');
  const names = Array.from({ length: opts.nodes }, (_, i) => `${opts.namePrefix}${i}`);
  const indexOf = new Map(names.map((n, i) => [n, i]));
  const leaseRenewMs = opts.leaseRenewMs ?? 10_000;
  const nodeStatusMs = opts.nodeStatusMs ?? 60_000;
  const cidrWaitMs = (opts.podCidrFromNode ?? true) ? opts.podCidrWaitMs ?? 3000 : 0;
  const informers = sharedInformerFactory({ client: withPodFieldSelector(client, 'spec.nodeName!='), log });
  const podInf = informers.for(pods);
  const nodeInf = informers.for(nodes);
  const queue = workQueue({ clock });
  const allocators = new Map<string, { cidr: string; ips: PodIpAllocator }>();
  const podNode = new Map<Key, string>();
  let registeredAt = 0;
  const ours = (p: Pod) => indexOf.has(p.spec?.nodeName ?? '');

  podInf.onChange((p) => { if (ours(p)) queue.add(`${p.metadata?.namespace}/${p.metadata?.name}`); });

  function allocatorFor(nodeName: string): PodIpAllocator | undefined {
    const node = nodeInf.get(nodeName);
    const cidr = cidrWaitMs > 0 ? node?.spec?.podCIDR : undefined;
    const have = allocators.get(nodeName);
    if (cidr) {
      if (have?.cidr !== cidr) allocators.set(nodeName, { cidr, ips: PodIpAllocator.ofCidr(cidr) });
      return allocators.get(nodeName)!.ips;
    }
    if (have) return have.ips;
    if (clock.now() - registeredAt < cidrWaitMs) return undefined; // nodeipam may still assign one
    const block = fallbackPodBlock(indexOf.get(nodeName)!, opts.nodes);
    const ips = new PodIpAllocator(block.base, block.size);
    allocators.set(nodeName, { cidr: '', ips });
    return ips;
  }

  function release(key: Key): void {
    const n = podNode.get(key);
    if (n === undefined) return;
    allocators.get(n)?.ips.release(key);
    podNode.delete(key);
  }

  function isJobPod(p: Pod): boolean {
    const owner = controllerRefOf(p as Pick<KubeObject, 'metadata'>);
    if (owner?.kind === 'Job' && owner.apiVersion.startsWith('batch/')) return true;
    const rp = p.spec?.restartPolicy;
    return (rp === 'Never' || rp === 'OnFailure') && p.metadata?.annotations?.[simulatedDurationAnnotation] !== undefined;
  }

  function runDurationMs(p: Pod): number {
    const a = p.metadata?.annotations?.[simulatedDurationAnnotation];
    return (a !== undefined ? parseDuration(a) : undefined) ?? defaultJobDurationMs;
  }

  async function writeStatus(p: PodObject, status: Pod['status'], signal: AbortSignal): Promise<void> {
    // The cached pod is frozen and clients may fill in metadata: send a copy. Without managedFields,
    // which an update keeps as they are (a kubelet does not send them either).
    const { managedFields: _kept, ...metadata } = p.metadata;
    await client.updateStatus(pods, { ...p, metadata: structuredClone(metadata), status } as PodObject, { signal, fieldManager: 'kubelet', readOnlyResult: true });
  }

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    const p = podInf.get(key);
    if (!p || !ours(p)) { release(key); return; }
    const ns = p.metadata.namespace ?? '';
    const name = p.metadata.name ?? '';
    const now = clock.now();
    const phase = p.status?.phase;
    if (p.metadata.deletionTimestamp) {
      if (phase !== 'Succeeded' && phase !== 'Failed' && p.status?.containerStatuses?.some((c) => c.state?.running)) {
        await writeStatus(p, completedStatus(p, now, 'Running'), signal);
      }
      try {
        await client.delete(pods, ns, name, { gracePeriodSeconds: 0, preconditions: { uid: p.metadata.uid }, signal });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      release(key);
      return;
    }
    if (phase === 'Succeeded' || phase === 'Failed') { release(key); return; }
    if (phase !== 'Running') {
      const node = nodeInf.get(p.spec!.nodeName!);
      const hostIP = node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? nodeInternalIP(indexOf.get(p.spec!.nodeName!)!);
      let podIP = hostIP;
      if (!p.spec?.hostNetwork) {
        const ips = allocatorFor(p.spec!.nodeName!);
        if (!ips) { queue.addAfter(key, 250); return; }
        podIP = ips.allocate(key);
        podNode.set(key, p.spec!.nodeName!);
      }
      await writeStatus(p, runningStatus(p, { hostIP, podIP }, now), signal);
      if (isJobPod(p)) queue.addAfter(key, runDurationMs(p));
      return;
    }
    if (isJobPod(p)) {
      const started = Date.parse(p.status?.startTime ?? '') || now;
      const left = started + runDurationMs(p) - now;
      if (left > 0) { queue.addAfter(key, left); return; }
      await writeStatus(p, completedStatus(p, now, 'Succeeded'), signal);
      release(key);
    }
  }

  // ---- nodes and heartbeats ----
  const leaseCache = new Map<string, LeaseObject>();

  async function registerNode(name: string, signal: AbortSignal): Promise<void> {
    const index = indexOf.get(name)!;
    const node = simulatedNode({ name, index, cpu: opts.cpu, memory: opts.memory, pods: opts.pods, internalIP: nodeInternalIP(index) }, clock.now());
    let created: NodeObject;
    try {
      created = await client.create(nodes, node, { signal, fieldManager: 'k8ts-simulator' });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // Taking over a node registered earlier: refresh its status.
      created = await client.patch(nodes, '', name, 'merge', { status: { ...node.status, conditions: healthyConditions(clock.now()) } }, { subresource: 'status', signal });
    }
    if (created.status?.conditions === undefined || !created.status.nodeInfo) {
      await client.patch(nodes, '', name, 'merge', { status: node.status }, { subresource: 'status', signal });
    }
    await renewLease(name, created.metadata.uid, signal);
  }

  async function renewLease(name: string, uid: string | undefined, signal: AbortSignal): Promise<void> {
    const spec = { holderIdentity: name, leaseDurationSeconds, renewTime: rfc3339Micro(clock.now()) };
    const current = leaseCache.get(name);
    try {
      if (current) {
        leaseCache.set(name, await client.update(leases, { ...current, spec: { ...current.spec, ...spec } }, { signal, fieldManager: 'k8ts-simulator' }));
        return;
      }
      const lease: LeaseObject = {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: { name, namespace: nodeLeaseNamespace, ...(uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid }] } : {}) },
        spec: { ...spec, acquireTime: spec.renewTime },
      };
      leaseCache.set(name, await client.create(leases, lease, { signal, fieldManager: 'k8ts-simulator' }));
    } catch (err) {
      if (!isConflict(err) && !isAlreadyExists(err) && !isNotFound(err)) throw err;
      // Someone else wrote it (or it went away): start from the server's copy next time.
      leaseCache.delete(name);
      try {
        const fresh = await client.get(leases, nodeLeaseNamespace, name, { signal });
        leaseCache.set(name, await client.update(leases, { ...fresh, spec: { ...fresh.spec, ...spec } }, { signal, fieldManager: 'k8ts-simulator' }));
      } catch (again) {
        if (!isNotFound(again)) throw again;
      }
    }
  }

  async function heartbeat(name: string, signal: AbortSignal): Promise<void> {
    const node = nodeInf.get(name);
    await client.patch(nodes, '', name, 'strategic', { status: { conditions: healthyConditions(clock.now(), node?.status?.conditions) } }, { subresource: 'status', signal });
  }

  async function every(ms: number, signal: AbortSignal, what: string, fn: (name: string, signal: AbortSignal) => Promise<void>): Promise<void> {
    while (!signal.aborted) {
      try { await sleep(ms, signal); } catch (err) { if (isAbort(err, signal)) return; throw err; }
      await eachLimit(names, 32, async (n) => {
        try { await fn(n, signal); } catch (err) {
          if (!signal.aborted) log.warn(`${what} failed`, { node: n, err });
        }
      });
    }
  }

  return {
    async run(outer) {
      // Many concurrent API calls listen on this signal: a private one without the listener cap.
      const stop = new AbortController();
      setMaxListeners(0, stop.signal);
      const onAbort = () => stop.abort(outer.reason);
      if (outer.aborted) onAbort(); else outer.addEventListener('abort', onAbort, { once: true });
      const signal = stop.signal;
      const started = clock.now();
      await eachLimit(names, 32, async (n) => {
        if (signal.aborted) return;
        try { await registerNode(n, signal); } catch (err) {
          if (!signal.aborted) log.warn('registering node failed', { node: n, err });
        }
      });
      registeredAt = clock.now();
      log.info('nodes registered', { nodes: names.length, ms: registeredAt - started });
      const uidOf = (n: string) => nodeInf.get(n)?.metadata.uid;
      const controller: Controller = { name: 'simulated-kubelets', informers: [podInf, nodeInf], queue, sync, workers: opts.concurrency ?? 64 };
      await Promise.all([
        spawn(signal, log, 'simulator-informers', (s) => informers.run(s)),
        spawn(signal, log, 'simulated-kubelets', (s) => runController(controller, s, { log })),
        spawn(signal, log, 'node-leases', (s) => every(leaseRenewMs, s, 'renewing lease', (n, s2) => renewLease(n, uidOf(n), s2))),
        spawn(signal, log, 'node-status', (s) => every(nodeStatusMs, s, 'node status heartbeat', heartbeat)),
      ]);
      outer.removeEventListener('abort', onAbort);
      log.info('stopped; simulated nodes are silent now', { nodes: names.length });
    },
  };
}
