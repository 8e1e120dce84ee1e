/**
 * The kubelet's runtime side of a pod: one `sync` converges the runtime toward the pod spec
 * (sandbox, init containers in order, containers, restarts with back-off, spec changes) and
 * returns the pod status as Kubernetes reports it; `terminate` stops a pod gracefully and
 * `remove` deletes what the runtime and the kubelet kept for it.
 */
import { mkdir, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { Clock, Logger } from '../base/index.js';
import { Backoff } from './backoff.js';
import { containerConfig, etcHostsContent } from './container-config.js';
import { isCriNotFound, type CriClient } from './cri/client.js';
import { containerEnv, ContainerConfigError, type EnvContext } from './env.js';
import { createImagePuller, isWaiting, type ImagePuller } from './image-puller.js';
import { podDirectory, podLogDirectory, type NodeRuntimeConfig } from './node-config.js';
import { computePodActions, type StartAction } from './pod-actions.js';
import { podQOSClass } from './qos.js';
import { readRuntimeState, readTerminationMessage, type PodRuntimeState } from './runtime-state.js';
import { podKeyOf, podSandboxConfig } from './sandbox-config.js';
import { computePodStatus, type WaitingReason } from './status.js';

export interface PodWorkerDeps {
  cri: CriClient;
  node: NodeRuntimeConfig;
  clock: Clock;
  log: Logger;
  /** ConfigMap/Secret lookups and Service env vars for a pod's containers. */
  envContext?: (pod: Pod) => Omit<EnvContext, 'podIP' | 'podIPs'>;
  /** Readiness by container name (from probes), for the Ready conditions. */
  readiness?: (pod: Pod) => ReadonlyMap<string, boolean> | undefined;
  images?: ImagePuller;
  backoff?: Backoff;
}

export interface PodSyncResult {
  status: PodStatus;
  /** Sync again after this long (a back-off expiring), when set. */
  requeueAfterMs?: number;
}

export interface PodWorker {
  sync(pod: Pod, signal?: AbortSignal): Promise<PodSyncResult>;
  /** Current status without changing anything. */
  status(pod: Pod, signal?: AbortSignal): Promise<PodStatus>;
  /** Stops every container (SIGTERM, then SIGKILL after the grace period) and the sandboxes. */
  terminate(pod: Pod, gracePeriodSeconds?: number, signal?: AbortSignal): Promise<void>;
  /** Removes containers, sandboxes, log and pod directories and cgroups of a pod uid. */
  remove(uid: string, signal?: AbortSignal): Promise<void>;
}

export function createPodWorker(deps: PodWorkerDeps): PodWorker {
  const { cri, node, clock } = deps;
  const log = deps.log.child({ component: 'pod-worker' });
  const backoff = deps.backoff ?? new Backoff(clock);
  const images = deps.images ?? createImagePuller(cri, clock);
  /** Waiting reasons decided by the last sync (image, config errors), by pod uid. */
  const waitingByPod = new Map<string, Map<string, WaitingReason>>();

  const graceOf = (pod: Pod) => pod.spec?.terminationGracePeriodSeconds ?? 30;

  async function stopContainer(id: string, timeoutSec: number, signal?: AbortSignal): Promise<void> {
    try {
      await cri.runtime.stopContainer({ containerId: id, timeout: timeoutSec }, { signal, timeoutMs: (timeoutSec + 30) * 1000 });
    } catch (err) {
      if (!isCriNotFound(err)) throw err;
    }
  }

  async function runSandbox(pod: Pod, attempt: number, signal?: AbortSignal): Promise<{ id: string; ips: string[] }> {
    const config = podSandboxConfig(pod, node, attempt);
    await mkdir(config.logDirectory!, { recursive: true });
    const { podSandboxId = '' } = await cri.runtime.runPodSandbox({ config }, { signal });
    const st = await cri.runtime.podSandboxStatus({ podSandboxId }, { signal });
    const net = st.status?.network;
    const ips = [net?.ip ?? '', ...(net?.additionalIps ?? []).map((x) => x.ip ?? '')].filter(Boolean);
    log.info('sandbox started', { pod: `${config.metadata?.namespace}/${config.metadata?.name}`, id: podSandboxId, ips });
    return { id: podSandboxId, ips };
  }

  async function startContainer(pod: Pod, sandboxId: string, ips: string[], a: StartAction, waiting: Map<string, WaitingReason>, signal?: AbortSignal): Promise<void> {
    const c = a.container;
    if (c.volumeMounts?.length) {
      // Volumes are the next step; running without the declared mounts would be wrong.
      waiting.set(c.name, { reason: 'CreateContainerConfigError', message: `volume mounts are not supported by this kubelet yet: ${c.volumeMounts.map((m) => m.name).join(', ')}` });
      return;
    }
    const pulled = await images.ensure(pod, c, signal);
    if (isWaiting(pulled)) { waiting.set(c.name, pulled); return; }
    let env: [string, string][];
    try {
      env = containerEnv(pod, c, { ...deps.envContext?.(pod), podIP: ips[0], podIPs: ips, hostIP: node.hostIP, nodeName: node.nodeName });
    } catch (err) {
      if (!(err instanceof ContainerConfigError)) throw err;
      waiting.set(c.name, { reason: 'CreateContainerConfigError', message: err.message });
      return;
    }
    const key = podKeyOf(pod);
    const podDir = podDirectory(node, key.uid);
    const containerDir = join(podDir, 'containers', c.name);
    await mkdir(containerDir, { recursive: true });
    await mkdir(join(podLogDirectory(node, key), c.name), { recursive: true });
    const terminationLogPath = join(containerDir, `${a.restartCount}-termination-log`);
    await writeFile(terminationLogPath, '');
    const etcHostsPath = join(podDir, 'etc-hosts');
    const sandboxConfig = podSandboxConfig(pod, node, 0);
    const config = containerConfig(pod, c, {
      type: a.type, restartCount: a.restartCount, env, qos: podQOSClass(pod), memoryCapacityBytes: node.memoryCapacityBytes,
      podDir, image: pulled.imageRef, etcHostsPath: pod.spec?.hostNetwork ? undefined : etcHostsPath, terminationLogPath,
    });
    let id = '';
    try {
      ({ containerId: id = '' } = await cri.runtime.createContainer({ podSandboxId: sandboxId, config, sandboxConfig }, { signal }));
      await cri.runtime.startContainer({ containerId: id }, { signal });
      waiting.delete(c.name);
      log.info('container started', { pod: `${key.namespace}/${key.name}`, container: c.name, id, restartCount: a.restartCount });
    } catch (err) {
      if (signal?.aborted) throw err;
      const message = err instanceof Error ? err.message : String(err);
      waiting.set(c.name, { reason: id ? 'RunContainerError' : 'CreateContainerError', message });
      log.warn('container failed to start', { pod: `${key.namespace}/${key.name}`, container: c.name, err });
    }
  }

  async function statusFrom(pod: Pod, state: PodRuntimeState, waiting: ReadonlyMap<string, WaitingReason>): Promise<PodStatus> {
    const messages = new Map<string, string>();
    for (const c of state.containers) {
      if (c.state !== 'CONTAINER_EXITED') continue;
      const m = await readTerminationMessage(c);
      if (m) messages.set(c.id, m);
    }
    return computePodStatus({
      pod, runtime: state, waiting, terminationMessages: messages, readiness: deps.readiness?.(pod), hostIP: node.hostIP, now: clock.now(),
    });
  }

  async function sync(pod: Pod, signal?: AbortSignal): Promise<PodSyncResult> {
    const key = podKeyOf(pod);
    let state = await readRuntimeState(cri, key.uid, signal);
    const actions = computePodActions(pod, state, backoff);
    // Reasons hold only for this sync: containers held back are retried (and re-reasoned) on the next.
    const waiting = new Map(actions.waiting);
    let changed = false;

    await Promise.all(actions.killContainers.map(async (k) => {
      log.info('killing container', { pod: `${key.namespace}/${key.name}`, container: k.name, reason: k.reason });
      await stopContainer(k.id, graceOf(pod), signal);
      changed = true;
    }));
    for (const id of actions.stopSandboxes) {
      await cri.runtime.stopPodSandbox({ podSandboxId: id }, { signal }).catch((err: unknown) => { if (!isCriNotFound(err)) throw err; });
      changed = true;
    }
    let sandboxId = actions.sandboxId;
    let ips = state.sandboxes[0]?.ready ? state.sandboxes[0].ips : [];
    if (actions.createSandbox) {
      ({ id: sandboxId, ips } = await runSandbox(pod, actions.sandboxAttempt, signal));
      changed = true;
    }
    if (sandboxId && !pod.spec?.hostNetwork && (actions.createSandbox || actions.start.length > 0)) {
      const podDir = podDirectory(node, key.uid);
      await mkdir(podDir, { recursive: true });
      await writeFile(join(podDir, 'etc-hosts'), etcHostsContent(pod, ips, node.clusterDomain));
    }
    if (sandboxId) {
      for (const a of actions.start) {
        await startContainer(pod, sandboxId, ips, a, waiting, signal);
        changed = true;
      }
    }
    for (const id of actions.removeContainers) {
      await cri.runtime.removeContainer({ containerId: id }, { signal }).catch((err: unknown) => { if (!isCriNotFound(err)) throw err; });
    }
    waitingByPod.set(key.uid, waiting);
    if (changed) state = await readRuntimeState(cri, key.uid, signal);
    const retryImage = [...waiting.values()].some((w) => w.reason === 'ErrImagePull' || w.reason === 'ImagePullBackOff' || w.reason === 'CreateContainerConfigError');
    const requeueAfterMs = actions.requeueAfterMs !== undefined ? actions.requeueAfterMs : retryImage ? 1000 : undefined;
    return { status: await statusFrom(pod, state, waiting), requeueAfterMs };
  }

  async function terminate(pod: Pod, gracePeriodSeconds?: number, signal?: AbortSignal): Promise<void> {
    const key = podKeyOf(pod);
    const state = await readRuntimeState(cri, key.uid, signal);
    const grace = gracePeriodSeconds ?? graceOf(pod);
    await Promise.all(state.containers.filter((c) => c.state === 'CONTAINER_RUNNING' || c.state === 'CONTAINER_CREATED')
      .map((c) => stopContainer(c.id, grace, signal)));
    for (const s of state.sandboxes) {
      await cri.runtime.stopPodSandbox({ podSandboxId: s.id }, { signal }).catch((err: unknown) => { if (!isCriNotFound(err)) throw err; });
    }
    log.info('pod terminated', { pod: `${key.namespace}/${key.name}`, grace });
  }

  async function removeCgroups(uid: string): Promise<void> {
    const root = join('/sys/fs/cgroup');
    const controllers = await readdir(root).catch(() => [] as string[]);
    const base = node.cgroupRoot.replace(/^\/+/, '');
    for (const ctl of controllers) {
      for (const tier of ['', 'burstable', 'besteffort']) {
        const dir = join(root, ctl, base, 'kubepods', tier, `pod${uid}`);
        // Only empty directories can go (runc removed the containers' own); a busy one stays.
        await rmdir(dir).catch(() => undefined);
      }
    }
  }

  async function remove(uid: string, signal?: AbortSignal): Promise<void> {
    const state = await readRuntimeState(cri, uid, signal);
    for (const c of state.containers) {
      if (c.state === 'CONTAINER_RUNNING') await stopContainer(c.id, 0, signal);
      await cri.runtime.removeContainer({ containerId: c.id }, { signal }).catch((err: unknown) => { if (!isCriNotFound(err)) throw err; });
    }
    for (const s of state.sandboxes) {
      await cri.runtime.stopPodSandbox({ podSandboxId: s.id }, { signal }).catch((err: unknown) => { if (!isCriNotFound(err)) throw err; });
      await cri.runtime.removePodSandbox({ podSandboxId: s.id }, { signal }).catch((err: unknown) => { if (!isCriNotFound(err)) throw err; });
      await rm(podLogDirectory(node, s), { recursive: true, force: true });
    }
    await rm(podDirectory(node, uid), { recursive: true, force: true });
    await removeCgroups(uid);
    waitingByPod.delete(uid);
    backoff.forgetPrefix(`${uid}/`);
  }

  return {
    sync,
    async status(pod, signal) {
      const key = podKeyOf(pod);
      return statusFrom(pod, await readRuntimeState(cri, key.uid, signal), waitingByPod.get(key.uid) ?? new Map());
    },
    terminate,
    remove,
  };
}
