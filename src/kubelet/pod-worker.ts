/**
 * The kubelet's runtime side of a pod: one `sync` converges the runtime toward the pod spec
 * (sandbox, init containers in order, containers, restarts with back-off, spec changes) and
 * returns the pod status as Kubernetes reports it; `terminate` stops a pod gracefully and
 * `remove` deletes what the runtime and the kubelet kept for it.
 */
import { mkdir, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Container, LifecycleHandler, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { Clock, Logger } from '../base/index.js';
import { sleep } from '../base/index.js';
import { Backoff } from './backoff.js';
import { containerConfig, etcHostsContent } from './container-config.js';
import { isCriNotFound, type CriClient } from './cri/client.js';
import type { Mount } from './cri/types.js';
import { containerEnv, ContainerConfigError, type EnvContext } from './env.js';
import { createImagePuller, isWaiting, type ImagePuller } from './image-puller.js';
import { podDirectory, podLogDirectory, type NodeRuntimeConfig } from './node-config.js';
import { computePodActions, specChangedReason, type StartAction } from './pod-actions.js';
import { podQOSClass } from './qos.js';
import { directRuntime, type RuntimeCache } from './runtime-cache.js';
import { readTerminationMessage, type PodRuntimeState } from './runtime-state.js';
import { podKeyOf, podSandboxConfig } from './sandbox-config.js';
import { computePodStatus, type WaitingReason } from './status.js';

export type EventType = 'Normal' | 'Warning';

/** What probes know about running containers (by container id, so a restart starts afresh). */
export interface ProbeView {
  /** Readiness of a running container; undefined when it has no readiness probe. */
  readiness(pod: Pod, c: Container, containerId: string): boolean | undefined;
  /** Whether its startup probe succeeded; undefined when it has none. */
  started(pod: Pod, c: Container, containerId: string): boolean | undefined;
  /** Why the container must be restarted (a failed liveness or startup probe), if it must. */
  unhealthy(pod: Pod, c: Container, containerId: string): string | undefined;
}

/** Runs postStart/preStop handlers; resolves with an error message when the handler failed. */
export type LifecycleRunner = (pod: Pod, c: Container, containerId: string, handler: LifecycleHandler, podIP: string | undefined,
  timeoutSeconds: number, signal?: AbortSignal) => Promise<string | undefined>;

/** The mounts of a pod's containers once its volumes are set up, or why they cannot be. */
export type VolumeSetupResult = { mounts(c: Container): Mount[] } | { error: string };

export interface PodVolumes {
  setUp(pod: Pod, signal?: AbortSignal): Promise<VolumeSetupResult>;
  /** Unmounts and removes what the pod's volumes left on the host. */
  tearDown(uid: string, signal?: AbortSignal): Promise<void>;
}

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
  /** The runtime state cache shared with the relist; without it every sync reads the runtime. */
  runtime?: RuntimeCache;
  probes?: ProbeView;
  lifecycle?: LifecycleRunner;
  /** Volumes; without them containers with volumeMounts are held at CreateContainerConfigError. */
  volumes?: PodVolumes;
  /** Events about the pod (Created, Started, Killing, BackOff, Unhealthy, FailedMount …). */
  event?: (pod: Pod, type: EventType, reason: string, message: string) => void;
  /**
   * Awaited before the containers of a pod being deleted get preStop and SIGTERM (never for
   * restarts), at most `beforeStopMaxMs` or the grace period: the node's service proxy stops
   * sending the pod new connections first, so a rolling update drops no request.
   */
  beforeStop?: (pod: Pod, signal: AbortSignal) => Promise<void>;
}

/** The longest a deleted pod's stop waits for `beforeStop`. */
export const beforeStopMaxMs = 2000;

/**
 * Awaits `hook(pod)` for at most `timeoutMs` (a failure or the timeout is logged, never thrown:
 * the pod stops anyway) and returns how long it waited. Rejects only when `signal` aborts.
 */
export async function awaitBeforeStop(hook: (pod: Pod, signal: AbortSignal) => Promise<void>, pod: Pod, timeoutMs: number, log: Logger, signal?: AbortSignal): Promise<number> {
  const started = performance.now();
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const ref = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  try {
    signal?.throwIfAborted();
    const outcome = await Promise.race([
      hook(pod, ctl.signal).then(() => 'done' as const, (err: unknown) => {
        if (!ctl.signal.aborted) log.warn('waiting before stopping the pod failed', { pod: ref, err });
        return 'failed' as const;
      }),
      sleep(timeoutMs, ctl.signal).then(() => 'timeout' as const, () => 'aborted' as const),
    ]);
    if (outcome === 'timeout') log.info('pod stops before its endpoints were confirmed drained', { pod: ref, waitedMs: timeoutMs });
    signal?.throwIfAborted();
    return performance.now() - started;
  } finally {
    ctl.abort();
    signal?.removeEventListener('abort', onAbort);
  }
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
  const runtime = deps.runtime ?? directRuntime(cri);
  const event = (pod: Pod, type: EventType, reason: string, message: string) => deps.event?.(pod, type, reason, message);
  /** The upstream minimum for the stop after a preStop hook. */
  const minimumGraceSeconds = 2;
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

  const specOf = (pod: Pod, name: string): Container | undefined =>
    [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === name);

  /** Runs the preStop hook (if any) within the grace period, then stops the container with what is left. */
  async function killContainer(pod: Pod, id: string, name: string, graceSec: number, message: string | undefined, podIP: string | undefined, signal?: AbortSignal): Promise<void> {
    const key = podKeyOf(pod);
    const spec = specOf(pod, name);
    if (message !== undefined) event(pod, 'Normal', 'Killing', message || `Stopping container ${name}`);
    let grace = graceSec;
    const preStop = spec?.lifecycle?.preStop;
    if (preStop && deps.lifecycle && graceSec > 0) {
      const started = clock.now();
      const failure = await deps.lifecycle(pod, spec, id, preStop, podIP, graceSec, signal);
      if (failure) {
        log.warn('preStop hook failed', { pod: `${key.namespace}/${key.name}`, container: name, message: failure });
        event(pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed`);
      }
      grace = Math.max(minimumGraceSeconds, graceSec - Math.floor((clock.now() - started) / 1000));
    }
    await stopContainer(id, grace, signal);
    await runtime.refreshContainer(key.uid, id, signal);
  }

  async function runSandbox(pod: Pod, attempt: number, signal?: AbortSignal): Promise<{ id: string; ips: string[] }> {
    const config = podSandboxConfig(pod, node, attempt);
    await mkdir(config.logDirectory!, { recursive: true });
    const { podSandboxId = '' } = await cri.runtime.runPodSandbox({ config }, { signal });
    const key = podKeyOf(pod);
    let ips: string[];
    const cached = await runtime.refreshSandbox(key.uid, podSandboxId, signal);
    if (cached) ips = cached.ips;
    else {
      const st = await cri.runtime.podSandboxStatus({ podSandboxId }, { signal });
      const net = st.status?.network;
      ips = [net?.ip ?? '', ...(net?.additionalIps ?? []).map((x) => x.ip ?? '')].filter(Boolean);
    }
    log.info('sandbox started', { pod: `${key.namespace}/${key.name}`, id: podSandboxId, ips });
    return { id: podSandboxId, ips };
  }

  async function startContainer(pod: Pod, sandboxId: string, ips: string[], a: StartAction, waiting: Map<string, WaitingReason>,
    volumes: VolumeSetupResult | undefined, signal?: AbortSignal): Promise<void> {
    const c = a.container;
    let volumeMounts: Mount[] = [];
    if (c.volumeMounts?.length) {
      if (!volumes) {
        // Running without the declared mounts would be wrong.
        waiting.set(c.name, { reason: 'CreateContainerConfigError', message: `volume mounts are not supported by this kubelet: ${c.volumeMounts.map((m) => m.name).join(', ')}` });
        return;
      }
      if ('error' in volumes) { waiting.set(c.name, { reason: 'ContainerCreating' }); return; }
      try {
        volumeMounts = volumes.mounts(c);
      } catch (err) {
        if (!(err instanceof ContainerConfigError)) throw err;
        waiting.set(c.name, { reason: 'CreateContainerConfigError', message: err.message });
        event(pod, 'Warning', 'Failed', `Error: ${err.message}`);
        return;
      }
    }
    const pulled = await images.ensure(pod, c, signal, event);
    if (isWaiting(pulled)) { waiting.set(c.name, pulled); return; }
    let env: [string, string][];
    try {
      env = containerEnv(pod, c, { ...deps.envContext?.(pod), podIP: ips[0], podIPs: ips, hostIP: node.hostIP, nodeName: node.nodeName });
    } catch (err) {
      if (!(err instanceof ContainerConfigError)) throw err;
      waiting.set(c.name, { reason: 'CreateContainerConfigError', message: err.message });
      event(pod, 'Warning', 'Failed', `Error: ${err.message}`);
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
      podDir, image: pulled.imageRef, etcHostsPath: pod.spec?.hostNetwork ? undefined : etcHostsPath, terminationLogPath, volumeMounts,
    });
    let id = '';
    try {
      ({ containerId: id = '' } = await cri.runtime.createContainer({ podSandboxId: sandboxId, config, sandboxConfig }, { signal }));
      event(pod, 'Normal', 'Created', `Created container ${c.name}`);
      await cri.runtime.startContainer({ containerId: id }, { signal });
      event(pod, 'Normal', 'Started', `Started container ${c.name}`);
      waiting.delete(c.name);
      log.info('container started', { pod: `${key.namespace}/${key.name}`, container: c.name, id, restartCount: a.restartCount });
    } catch (err) {
      if (signal?.aborted) throw err;
      const message = err instanceof Error ? err.message : String(err);
      waiting.set(c.name, { reason: id ? 'RunContainerError' : 'CreateContainerError', message });
      event(pod, 'Warning', 'Failed', `Error: ${message}`);
      log.warn('container failed to start', { pod: `${key.namespace}/${key.name}`, container: c.name, err });
    } finally {
      if (id) await runtime.refreshContainer(key.uid, id, signal, sandboxId);
    }
    const postStart = c.lifecycle?.postStart;
    if (id && !waiting.has(c.name) && postStart && deps.lifecycle) {
      const failure = await deps.lifecycle(pod, c, id, postStart, ips[0], graceOf(pod), signal);
      if (failure) {
        // As the kubelet: a failed postStart hook kills the container; the restart policy decides what follows.
        log.warn('postStart hook failed', { pod: `${key.namespace}/${key.name}`, container: c.name, message: failure });
        event(pod, 'Warning', 'FailedPostStartHook', failure);
        await killContainer(pod, id, c.name, graceOf(pod), `FailedPostStartHook`, ips[0], signal);
      }
    }
  }

  async function statusFrom(pod: Pod, state: PodRuntimeState, waiting: ReadonlyMap<string, WaitingReason>): Promise<PodStatus> {
    const messages = new Map<string, string>();
    for (const c of state.containers) {
      if (c.state !== 'CONTAINER_EXITED') continue;
      const m = await readTerminationMessage(c);
      if (m) messages.set(c.id, m);
    }
    let readiness = deps.readiness?.(pod);
    let started: Map<string, boolean> | undefined;
    if (deps.probes) {
      const r = new Map(readiness ?? []);
      started = new Map();
      for (const c of pod.spec?.containers ?? []) {
        const latest = state.containers.find((x) => x.name === c.name);
        if (!latest || latest.state !== 'CONTAINER_RUNNING') continue;
        const ready = deps.probes.readiness(pod, c, latest.id);
        const ok = deps.probes.started(pod, c, latest.id);
        if (ready !== undefined) r.set(c.name, ready);
        if (ok !== undefined) started.set(c.name, ok);
      }
      readiness = r;
    }
    return computePodStatus({
      pod, runtime: state, waiting, terminationMessages: messages, readiness, started, hostIP: node.hostIP, now: clock.now(),
    });
  }

  async function sync(pod: Pod, signal?: AbortSignal): Promise<PodSyncResult> {
    const key = podKeyOf(pod);
    let state = await runtime.state(key.uid, signal);
    const actions = computePodActions(pod, state, backoff);
    // Reasons hold only for this sync: containers held back are retried (and re-reasoned) on the next.
    const waiting = new Map(actions.waiting);
    for (const [name, w] of actions.waiting) {
      if (w.reason === 'CrashLoopBackOff' && pod.status?.containerStatuses?.find((s) => s.name === name)?.state?.waiting?.reason !== 'CrashLoopBackOff') {
        event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${name} in pod ${key.name}_${key.namespace}(${key.uid})`);
      }
    }
    const podIP = state.sandboxes[0]?.ready ? state.sandboxes[0].ips[0] : undefined;

    // Containers a probe found unhealthy are killed, and restarted unless the pod never restarts.
    if (deps.probes && !actions.createSandbox) {
      const policy = pod.spec?.restartPolicy ?? 'Always';
      for (const c of pod.spec?.containers ?? []) {
        const latest = state.containers.find((x) => x.name === c.name);
        if (!latest || latest.state !== 'CONTAINER_RUNNING') continue;
        if (actions.killContainers.some((k) => k.id === latest.id)) continue;
        const why = deps.probes.unhealthy(pod, c, latest.id);
        if (!why) continue;
        actions.killContainers.push({ id: latest.id, name: c.name, reason: why });
        if (policy !== 'Never' && !actions.start.some((x) => x.container.name === c.name)) {
          actions.start.push({ container: c, type: 'regular', restartCount: latest.restartCount + 1 });
        }
      }
    }

    let changed = false;
    await Promise.all(actions.killContainers.map(async (k) => {
      log.info('killing container', { pod: `${key.namespace}/${key.name}`, container: k.name, reason: k.reason });
      const message = k.reason.startsWith('failed ') ? `Container ${k.name} ${k.reason}, will be restarted`
        : k.reason === specChangedReason ? `Container ${k.name} definition changed, will be restarted` : `Stopping container ${k.name}`;
      await killContainer(pod, k.id, k.name, graceOf(pod), message, podIP, signal);
      changed = true;
    }));
    for (const id of actions.stopSandboxes) {
      await cri.runtime.stopPodSandbox({ podSandboxId: id }, { signal }).catch((err: unknown) => { if (!isCriNotFound(err)) throw err; });
      await runtime.refreshSandbox(key.uid, id, signal);
      changed = true;
    }
    let sandboxId = actions.sandboxId;
    let ips = state.sandboxes[0]?.ready ? state.sandboxes[0].ips : [];
    let volumes: VolumeSetupResult | undefined;
    if (deps.volumes && (actions.createSandbox || actions.start.length > 0 || state.containers.some((c) => c.state === 'CONTAINER_RUNNING'))) {
      // Set up (and refresh: configMaps and secrets change) before anything starts, as the kubelet waits for volumes.
      volumes = await deps.volumes.setUp(pod, signal);
      if ('error' in volumes) {
        event(pod, 'Warning', 'FailedMount', volumes.error);
        for (const a of actions.start) waiting.set(a.container.name, { reason: 'ContainerCreating' });
        if (actions.createSandbox || state.sandboxes.length === 0) {
          waitingByPod.set(key.uid, waiting);
          return { status: await statusFrom(pod, await runtime.state(key.uid, signal), waiting), requeueAfterMs: 2000 };
        }
      }
    }
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
        await startContainer(pod, sandboxId, ips, a, waiting, volumes, signal);
        changed = true;
      }
    }
    for (const id of actions.removeContainers) {
      await cri.runtime.removeContainer({ containerId: id }, { signal }).catch((err: unknown) => { if (!isCriNotFound(err)) throw err; });
      runtime.removeContainer(key.uid, id);
    }
    waitingByPod.set(key.uid, waiting);
    if (changed) state = await runtime.state(key.uid, signal);
    const retry = [...waiting.values()].some((w) => ['ErrImagePull', 'ImagePullBackOff', 'CreateContainerConfigError', 'ContainerCreating'].includes(w.reason));
    const requeueAfterMs = actions.requeueAfterMs !== undefined ? actions.requeueAfterMs : retry ? 1000 : undefined;
    return { status: await statusFrom(pod, state, waiting), requeueAfterMs };
  }

  async function terminate(pod: Pod, gracePeriodSeconds?: number, signal?: AbortSignal): Promise<void> {
    const key = podKeyOf(pod);
    const state = await runtime.state(key.uid, signal);
    let grace = gracePeriodSeconds ?? graceOf(pod);
    const podIP = state.sandboxes[0]?.ready ? state.sandboxes[0].ips[0] : undefined;
    const running = state.containers.filter((c) => c.state === 'CONTAINER_RUNNING' || c.state === 'CONTAINER_CREATED');
    if (pod.metadata?.deletionTimestamp && deps.beforeStop && grace > 0 && running.length > 0) {
      const waitedMs = await awaitBeforeStop(deps.beforeStop, pod, Math.min(beforeStopMaxMs, grace * 1000), log, signal);
      grace = Math.max(1, grace - Math.floor(waitedMs / 1000));
    }
    await Promise.all(running.map((c) => killContainer(pod, c.id, c.name, grace, `Stopping container ${c.name}`, podIP, signal)));
    for (const s of state.sandboxes) {
      if (!s.ready) continue;
      await cri.runtime.stopPodSandbox({ podSandboxId: s.id }, { signal }).catch((err: unknown) => { if (!isCriNotFound(err)) throw err; });
      await runtime.refreshSandbox(key.uid, s.id, signal);
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
    const state = await runtime.state(uid, signal);
    for (const c of state.containers) {
      if (c.state === 'CONTAINER_RUNNING') await stopContainer(c.id, 0, signal);
      await cri.runtime.removeContainer({ containerId: c.id }, { signal }).catch((err: unknown) => { if (!isCriNotFound(err)) throw err; });
    }
    for (const s of state.sandboxes) {
      await cri.runtime.stopPodSandbox({ podSandboxId: s.id }, { signal }).catch((err: unknown) => { if (!isCriNotFound(err)) throw err; });
      await cri.runtime.removePodSandbox({ podSandboxId: s.id }, { signal }).catch((err: unknown) => { if (!isCriNotFound(err)) throw err; });
      await rm(podLogDirectory(node, s), { recursive: true, force: true });
    }
    await deps.volumes?.tearDown(uid, signal);
    await rm(podDirectory(node, uid), { recursive: true, force: true });
    await removeCgroups(uid);
    runtime.forget(uid);
    waitingByPod.delete(uid);
    backoff.forgetPrefix(`${uid}/`);
  }

  return {
    sync,
    async status(pod, signal) {
      const key = podKeyOf(pod);
      return statusFrom(pod, await runtime.state(key.uid, signal), waitingByPod.get(key.uid) ?? new Map());
    },
    terminate,
    remove,
  };
}
