/**
 * The kubelet: registers the Node and keeps its status and Lease fresh, waits for the node's
 * pod CIDR and writes the CNI network for it, watches the pods bound to the node and runs one
 * serialized sync per pod uid (driven by pod changes, runtime changes found by the relist and
 * requeue timers), writes pod status when it changed, terminates and deletes pods being
 * deleted, and adopts on start whatever the runtime already runs for this node's pods.
 */
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isConflict, isNotFound } from '../api/errors.js';
import { configMaps, nodes, pods, secrets, services, type PodObject } from '../api/resources/core/index.js';
import type { KubeObject } from '../api/types.js';
import { deferred, isAbort, sleep, spawn, type Clock, type Logger } from '../base/index.js';
import {
  createInformer, eventRecorder, sharedInformerFactory, workQueue, type Client, type SharedInformerFactory,
} from '../client/index.js';
import { writeCniConflist } from './cni-conflist.js';
import type { CriClient } from './cri/client.js';
import { nodeRuntimeConfig } from './node-config.js';
import { readMachineInfo } from './node/machine-info.js';
import { runNodeLease } from './node/node-lease.js';
import { createNodeStatusReporter } from './node/node-status-reporter.js';
import { createPodWorker, type EventType, type ProbeView } from './pod-worker.js';
import { createLifecycleRunner, createProber } from './probes/index.js';
import { createVolumeManager } from './volumes/index.js';
import { writePodStatus } from './pod-status-writer.js';
import { createRuntimeCache } from './runtime-cache.js';
import { podServiceEnv } from './service-env.js';

/** Probes as the kubelet drives them: told which containers run, they report changes per pod uid. */
export interface PodProber extends ProbeView {
  /** Starts probing the running containers of `pod`, stops probing the others. */
  update(pod: Pod, running: ReadonlyMap<string, string>, podIP: string | undefined): void;
  forget(uid: string): void;
  run(signal: AbortSignal): Promise<void>;
}

export interface KubeletDeps {
  client: Client;
  /** Shared informers for configMaps, secrets, services, PVCs and PVs; run by the caller. Without it the kubelet makes and runs its own. */
  informers?: SharedInformerFactory;
  cri: CriClient;
  /** kubeletPort: where the kubelet's HTTPS server listens, reported in daemonEndpoints (default 10250). */
  node: { name: string; ip: string; podCIDR?: string; kubeletPort?: number };
  /** The agent's data dir: pod dirs, logs and the CNI state live under `<dataDir>/agent`. */
  dataDir: string;
  clock: Clock;
  log: Logger;
  /** Runs inside `k8ts server`: the Node is labelled as a control-plane node. */
  controlPlane?: boolean;
  clusterDNS?: string[];
  clusterDomain?: string;
  /** cgroupfs parent of the pods (default `/k8ts`). */
  cgroupRoot?: string;
  /** Where containerd reads CNI config; when set, the conflist for the node's podCIDR is written there. */
  cniConfDir?: string;
  cniBridge?: string;
  /** Concurrent pod syncs (default 16). */
  workers?: number;
  /** Runtime relist period (default 1 s), full pod resync period (default 60 s). */
  relistMs?: number;
  resyncMs?: number;
  nodeStatusUpdateMs?: number;
  leaseRenewMs?: number;
  /** Awaited (bounded) before a deleted pod's containers are stopped: see PodWorkerDeps.beforeStop. */
  beforeStop?: (pod: Pod, signal: AbortSignal) => Promise<void>;
}

export interface Kubelet {
  /** Resolves once the Node is registered and the pod informer has synced. */
  ready(signal: AbortSignal): Promise<void>;
  run(signal: AbortSignal): Promise<void>;
}

/** A client whose pod lists and watches only see pods bound to `nodeName`. */
function nodeScopedClient(client: Client, nodeName: string): Client {
  const fieldSelector = `spec.nodeName=${nodeName}`;
  return {
    ...client,
    get: client.get.bind(client),
    list: (res, opts) => client.list(res, { ...opts, fieldSelector }),
    watch: (res, opts, signal) => client.watch(res, { ...opts, fieldSelector }, signal),
  } as Client;
}

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** Names of configMaps and secrets a pod reads (volumes, env, envFrom). */
function referencedObjects(pod: Pod): { configMaps: Set<string>; secrets: Set<string> } {
  const cms = new Set<string>();
  const ss = new Set<string>();
  for (const v of pod.spec?.volumes ?? []) {
    if (v.configMap?.name) cms.add(v.configMap.name);
    if (v.secret?.secretName) ss.add(v.secret.secretName);
    for (const src of v.projected?.sources ?? []) {
      if (src.configMap?.name) cms.add(src.configMap.name);
      if (src.secret?.name) ss.add(src.secret.name);
    }
  }
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const e of c.envFrom ?? []) {
      if (e.configMapRef?.name) cms.add(e.configMapRef.name);
      if (e.secretRef?.name) ss.add(e.secretRef.name);
    }
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef?.name) cms.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef?.name) ss.add(e.valueFrom.secretKeyRef.name);
    }
  }
  return { configMaps: cms, secrets: ss };
}

export function kubelet(deps: KubeletDeps): Kubelet {
  const { client, cri, clock } = deps;
  const log = deps.log.child({ component: 'kubelet', node: deps.node.name });
  const ownInformers = !deps.informers;
  const informers = deps.informers ?? sharedInformerFactory({ client, log });
  const podInformer = createInformer(pods, { client: nodeScopedClient(client, deps.node.name), log });
  const cmInformer = informers.for(configMaps);
  const secretInformer = informers.for(secrets);
  const serviceInformer = informers.for(services);
  const recorder = eventRecorder({ client, clock, log, component: 'kubelet', host: deps.node.name });
  const runtime = createRuntimeCache(cri);
  const queue = workQueue({ clock });
  /** The latest pod object per uid, from the informer. */
  const podsByUid = new Map<string, PodObject>();
  const readyGate = deferred<void>();
  readyGate.promise.catch(() => undefined);

  const statusReporter = createNodeStatusReporter({
    client, cri, dataDir: deps.dataDir, clock, log,
    identity: { name: deps.node.name, ip: deps.node.ip, controlPlane: deps.controlPlane, kubeletPort: deps.node.kubeletPort },
    updateMs: deps.nodeStatusUpdateMs,
  });

  const event = (pod: Pod, type: EventType, reason: string, message: string) => {
    recorder.event(pods, pod as KubeObject, type, reason, message);
  };
  const prober: PodProber = createProber({ cri, clock, log, onChange: (uid) => queue.add(uid), event });

  const onPod = (pod: PodObject) => {
    const uid = pod.metadata.uid ?? '';
    if (!uid || pod.spec?.nodeName !== deps.node.name) return;
    podsByUid.set(uid, pod);
    queue.add(uid);
  };
  podInformer.onAdd(onPod);
  podInformer.onUpdate((_old, pod) => onPod(pod));
  podInformer.onDelete((pod) => {
    const uid = pod.metadata.uid ?? '';
    podsByUid.delete(uid);
    queue.add(uid);
  });
  // A changed configMap or secret: resync the pods that read it (volumes refresh, env for new starts).
  const onReferenced = (kind: 'configMaps' | 'secrets') => (obj: KubeObject) => {
    for (const pod of podInformer.list(obj.metadata.namespace ?? '')) {
      if (referencedObjects(pod)[kind].has(obj.metadata.name ?? '')) queue.add(pod.metadata.uid ?? '');
    }
  };
  cmInformer.onChange(onReferenced('configMaps'));
  secretInformer.onChange(onReferenced('secrets'));

  async function syncPod(uid: string, signal: AbortSignal, worker: ReturnType<typeof createPodWorker>): Promise<void> {
    const pod = podsByUid.get(uid);
    if (!pod) {
      // Gone from the API (deleted, or force-deleted): nothing of it may keep running.
      if (runtime.uids().includes(uid)) {
        log.info('removing pod no longer in the API', { uid });
        await worker.remove(uid, signal);
      }
      prober.forget(uid);
      return;
    }
    const ref = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (pod.metadata.deletionTimestamp) {
      const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
      await worker.terminate(pod, grace, signal);
      prober.forget(uid);
      const final = await worker.status(pod, signal);
      await writePodStatus(client, pod, final, signal);
      try {
        await client.delete(pods, pod.metadata.namespace ?? '', pod.metadata.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid }, signal });
        log.info('pod deleted', { pod: ref });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      return;
    }
    if (isTerminal(pod)) {
      // Finished pods stay in the API; their containers stay stopped.
      const state = await runtime.state(uid, signal);
      if (state.containers.some((c) => c.state === 'CONTAINER_RUNNING') || state.sandboxes.some((s) => s.ready)) {
        await worker.terminate(pod, pod.spec?.terminationGracePeriodSeconds ?? 30, signal);
      }
      prober.forget(uid);
      await writePodStatus(client, pod, await worker.status(pod, signal), signal);
      return;
    }
    const result = await worker.sync(pod, signal);
    const stored = await writePodStatus(client, pod, result.status, signal);
    if (stored && podsByUid.get(uid)?.metadata.resourceVersion === pod.metadata.resourceVersion) podsByUid.set(uid, stored);
    if (result.status.phase === 'Succeeded' || result.status.phase === 'Failed') {
      prober.forget(uid);
      queue.add(uid); // stop what is left, as for any finished pod
      return;
    }
    {
      const state = await runtime.state(uid, signal);
      const running = new Map<string, string>();
      for (const c of pod.spec?.containers ?? []) {
        const latest = state.containers.find((x) => x.name === c.name);
        if (latest?.state === 'CONTAINER_RUNNING') running.set(c.name, latest.id);
      }
      prober.update(pod, running, state.sandboxes[0]?.ready ? state.sandboxes[0].ips[0] : undefined);
    }
    if (result.requeueAfterMs !== undefined) queue.addAfter(uid, Math.max(100, result.requeueAfterMs));
  }

  async function waitForPodCIDR(signal: AbortSignal): Promise<string> {
    if (deps.node.podCIDR) return deps.node.podCIDR;
    let logged = false;
    for (;;) {
      try {
        const node = await client.get(nodes, '', deps.node.name, { signal });
        if (node.spec?.podCIDR) return node.spec.podCIDR;
      } catch (err) {
        if (signal.aborted) throw err;
        if (!isNotFound(err)) log.warn('reading the node failed', { err });
      }
      if (!logged) { log.info('waiting for the node to be given a pod CIDR'); logged = true; }
      await sleep(1000, signal);
    }
  }

  async function run(outer: AbortSignal): Promise<void> {
    // One signal of our own: many workers and loops listen to it.
    const stop = new AbortController();
    setMaxListeners(0, stop.signal);
    const signal = stop.signal;
    const onOuterAbort = () => stop.abort(outer.reason);
    if (outer.aborted) onOuterAbort();
    else outer.addEventListener('abort', onOuterAbort, { once: true });
    const background: Promise<void>[] = [];
    const stopQueue = () => { void queue.shutDown(); };
    signal.addEventListener('abort', stopQueue, { once: true });
    try {
      const machine = await readMachineInfo(deps.dataDir);
      const node = nodeRuntimeConfig(deps.dataDir, {
        nodeName: deps.node.name, hostIP: deps.node.ip, memoryCapacityBytes: machine.memoryBytes,
        ...(deps.cgroupRoot ? { cgroupRoot: deps.cgroupRoot } : {}),
        clusterDNS: deps.clusterDNS ?? [], clusterDomain: deps.clusterDomain ?? 'cluster.local',
      });
      const worker = createPodWorker({
        cri, node, clock, log, runtime, event,
        probes: prober, lifecycle: createLifecycleRunner(cri),
        ...(deps.beforeStop ? { beforeStop: deps.beforeStop } : {}),
        volumes: createVolumeManager({
          client, node, clock, log,
          configMap: (ns, name) => cmInformer.get(`${ns}/${name}`),
          secret: (ns, name) => secretInformer.get(`${ns}/${name}`),
          resources: { nodeAllocatable: { cpu: String(machine.cpus), memory: String(machine.memoryBytes) } },
        }),
        envContext: (pod) => ({
          nodeName: deps.node.name,
          serviceEnv: podServiceEnv(pod, serviceInformer.list()),
          nodeAllocatable: { cpu: String(machine.cpus), memory: String(machine.memoryBytes) },
          configMap: (ns, name) => cmInformer.get(`${ns}/${name}`),
          secret: (ns, name) => secretInformer.get(`${ns}/${name}`),
        }),
      });

      if (ownInformers) background.push(informers.run(signal));
      background.push(podInformer.run(signal).catch((err: unknown) => { if (!isAbort(err, signal)) log.error('pod informer stopped', { err }); }));
      background.push(spawn(signal, log, 'prober', (s) => prober.run(s)));

      const registered = await retrying(signal, 'node registration', () => statusReporter.register(signal));
      background.push(spawn(signal, log, 'node-status', (s) => statusReporter.run(s)));
      background.push(spawn(signal, log, 'node-lease', (s) => runNodeLease({
        client, nodeName: deps.node.name, nodeUID: () => statusReporter.current()?.metadata.uid ?? registered.metadata.uid,
        clock, log, renewMs: deps.leaseRenewMs,
      }, s)));

      if (deps.cniConfDir) {
        const confDir = deps.cniConfDir;
        const podCIDR = await waitForPodCIDR(signal);
        if (await writeCniConflist(confDir, { podCIDR, bridge: deps.cniBridge, ipamDir: join(deps.dataDir, 'agent', 'cni-ipam') })) {
          log.info('CNI network configured', { podCIDR });
        }
        // containerd notices the new conflist itself; the next status update reports the network ready.
        void statusReporter.update(signal, true).catch(() => undefined);
      }

      await Promise.all([podInformer.waitForSync(signal), cmInformer.waitForSync(signal), secretInformer.waitForSync(signal), serviceInformer.waitForSync(signal)]);
      // Adoption: what the runtime already runs is learned before any sync, so nothing restarts.
      await retrying(signal, 'runtime relist', () => runtime.relist(signal));
      for (const uid of runtime.uids()) queue.add(uid);
      for (const uid of podsByUid.keys()) queue.add(uid);
      log.info('kubelet started', { pods: podsByUid.size, runtimePods: runtime.uids().length });
      readyGate.resolve();

      background.push(spawn(signal, log, 'relist', async (s) => {
        while (!s.aborted) {
          await sleep(deps.relistMs ?? 1000, s);
          try {
            for (const uid of await runtime.relist(s)) queue.add(uid);
          } catch (err) {
            if (s.aborted) return;
            log.warn('runtime relist failed', { err });
          }
        }
      }));
      background.push(spawn(signal, log, 'resync', async (s) => {
        while (!s.aborted) {
          await sleep(deps.resyncMs ?? 60_000, s);
          for (const uid of podsByUid.keys()) queue.add(uid);
        }
      }));

      const workers = Array.from({ length: deps.workers ?? 16 }, async () => {
        for (;;) {
          const uid = await queue.get(signal);
          if (uid === undefined) return;
          try {
            await syncPod(uid, signal, worker);
            queue.forget(uid);
          } catch (err) {
            if (!signal.aborted) {
              log.warn('pod sync failed, requeuing', { uid, pod: podRef(podsByUid.get(uid)), err });
              queue.addRateLimited(uid);
            }
          } finally {
            queue.done(uid);
          }
        }
      });
      await Promise.all(workers);
    } catch (err) {
      readyGate.reject(err);
      if (!isAbort(err, signal)) throw err;
    } finally {
      signal.removeEventListener('abort', stopQueue);
      outer.removeEventListener('abort', onOuterAbort);
      await queue.shutDown();
      await Promise.all(background);
      await recorder.flush();
      readyGate.reject(new Error('kubelet stopped'));
    }
  }

  async function retrying<T>(signal: AbortSignal, what: string, fn: () => Promise<T>): Promise<T> {
    let delay = 500;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (signal.aborted) throw err;
        log.warn(`${what} failed; retrying`, { err, retryMs: delay });
        await sleep(delay, signal);
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  return {
    ready: (signal) => Promise.race([readyGate.promise, new Promise<void>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    })]),
    run,
  };
}

function podRef(p: Pod | undefined): string | undefined {
  return p ? `${p.metadata?.namespace}/${p.metadata?.name}` : undefined;
}
