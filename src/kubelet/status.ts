/** Pod status from runtime state, computed the way the Kubernetes kubelet reports it (pure). */
import type { Container, ContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../base/index.js';
import { podQOSClass } from './qos.js';
import type { PodRuntimeState, RuntimeContainer } from './runtime-state.js';

export interface WaitingReason { reason: string; message?: string }

export interface StatusInput {
  pod: Pod;
  runtime: PodRuntimeState;
  /** Waiting reasons the worker decided on (CrashLoopBackOff, ErrImagePull, …), by container name. */
  waiting?: ReadonlyMap<string, WaitingReason>;
  /** Termination messages read from containers' files, by container id. */
  terminationMessages?: ReadonlyMap<string, string>;
  /** Readiness by container name (probes); without an entry a running container is ready. */
  readiness?: ReadonlyMap<string, boolean>;
  /** Started by container name (startup probes); without an entry a running container has started. */
  started?: ReadonlyMap<string, boolean>;
  hostIP?: string;
  now: number;
}

export const runtimeName = 'containerd';

function terminatedState(c: RuntimeContainer, messages?: ReadonlyMap<string, string>): ContainerState {
  const message = messages?.get(c.id) ?? (c.message || undefined);
  return {
    terminated: {
      exitCode: c.exitCode,
      reason: c.reason || (c.exitCode === 0 ? 'Completed' : 'Error'),
      ...(message ? { message } : {}),
      startedAt: c.startedAt ? rfc3339(c.startedAt) : undefined,
      finishedAt: c.finishedAt ? rfc3339(c.finishedAt) : undefined,
      containerID: `${runtimeName}://${c.id}`,
    } as NonNullable<ContainerState['terminated']>,
  };
}

function byName(runtime: PodRuntimeState, name: string): RuntimeContainer[] {
  return runtime.containers.filter((c) => c.name === name); // already newest first
}

/** True when the container ended in success, in its latest or (while waiting) previous run. */
function succeeded(s: ContainerStatus | undefined): boolean {
  if (!s) return false;
  if (s.state?.terminated) return s.state.terminated.exitCode === 0;
  return false;
}

function containerStatus(spec: Container, isInit: boolean, initDone: boolean, i: StatusInput): ContainerStatus {
  const runs = byName(i.runtime, spec.name);
  const latest = runs[0];
  const previous = runs[1];
  const waiting = i.waiting?.get(spec.name);
  // As the kubelet: the image the runtime reports for the container (containerd: its first repo
  // tag, `docker.io/library/nginx:latest`), the spec's until a container exists.
  const base = { name: spec.name, image: latest?.image || spec.image || '', imageID: latest?.imageRef ?? '', restartCount: latest?.restartCount ?? 0 };
  if (!latest) {
    const reason = waiting?.reason ?? (isInit || initDone ? 'ContainerCreating' : 'PodInitializing');
    return {
      ...base, ready: false, started: false, lastState: {},
      state: { waiting: { reason, ...(waiting?.message ? { message: waiting.message } : {}) } },
    };
  }
  const containerID = `${runtimeName}://${latest.id}`;
  if (latest.state === 'CONTAINER_RUNNING') {
    const started = i.started?.get(spec.name) ?? true;
    const ready = started && (i.readiness?.get(spec.name) ?? true);
    return {
      ...base, containerID, ready, started,
      state: { running: { startedAt: rfc3339(latest.startedAt || latest.createdAt) } },
      lastState: previous && previous.state === 'CONTAINER_EXITED' ? terminatedState(previous, i.terminationMessages) : {},
    };
  }
  if (latest.state === 'CONTAINER_EXITED') {
    if (waiting) {
      // Dead and waiting to be restarted: the dead run becomes lastState.
      return {
        ...base, containerID, ready: false, started: false,
        state: { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } },
        lastState: terminatedState(latest, i.terminationMessages),
      };
    }
    return {
      ...base, containerID, ready: false, started: false,
      state: terminatedState(latest, i.terminationMessages),
      lastState: previous && previous.state === 'CONTAINER_EXITED' ? terminatedState(previous, i.terminationMessages) : {},
    };
  }
  // Created but not started yet (or unknown to the runtime).
  return {
    ...base, containerID, ready: false, started: false,
    state: { waiting: { reason: waiting?.reason ?? 'ContainerCreating', ...(waiting?.message ? { message: waiting.message } : {}) } },
    lastState: previous && previous.state === 'CONTAINER_EXITED' ? terminatedState(previous, i.terminationMessages) : {},
  };
}

/** The kubelet's getPhase over API container statuses (sidecar init containers not supported yet). */
export function podPhase(pod: Pod, init: readonly ContainerStatus[], regular: readonly ContainerStatus[]): NonNullable<PodStatus['phase']> {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  let pendingInit = 0;
  let failedInit = 0;
  for (const c of pod.spec?.initContainers ?? []) {
    const s = init.find((x) => x.name === c.name);
    if (!s) { pendingInit++; continue; }
    if (s.state?.running) pendingInit++;
    else if (s.state?.terminated) { if (s.state.terminated.exitCode !== 0) failedInit++; }
    else if (s.state?.waiting) {
      if (s.lastState?.terminated) { if (s.lastState.terminated.exitCode !== 0) failedInit++; }
      else pendingInit++;
    } else pendingInit++;
  }
  let unknown = 0, running = 0, waiting = 0, stopped = 0, ok = 0;
  for (const c of pod.spec?.containers ?? []) {
    const s = regular.find((x) => x.name === c.name);
    if (!s) { unknown++; continue; }
    if (s.state?.running) running++;
    else if (s.state?.terminated) { stopped++; if (s.state.terminated.exitCode === 0) ok++; }
    else if (s.state?.waiting) { if (s.lastState?.terminated) stopped++; else waiting++; }
    else unknown++;
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  const anyRegularStarted = regular.some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated);
  if ((pendingInit > 0 && !anyRegularStarted) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === ok) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(type: string, status: boolean, now: number, previous: readonly PodCondition[] | undefined, reason?: string, message?: string): PodCondition {
  const prev = previous?.find((c) => c.type === type);
  const s = status ? 'True' : 'False';
  return {
    type, status: s, lastProbeTime: null as unknown as undefined,
    lastTransitionTime: prev && prev.status === s && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(now),
    ...(reason ? { reason } : {}), ...(message ? { message } : {}),
  };
}

function unreadyMessage(specs: readonly Container[], statuses: readonly ContainerStatus[]): string | undefined {
  const unknown: string[] = [];
  const unready: string[] = [];
  for (const c of specs) {
    const s = statuses.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  const parts: string[] = [];
  if (unknown.length) parts.push(`containers with unknown status: [${unknown.join(' ')}]`);
  if (unready.length) parts.push(`containers with unready status: [${unready.join(' ')}]`);
  return parts.length ? parts.join(', ') : undefined;
}

export function computePodStatus(i: StatusInput): PodStatus {
  const { pod, now } = i;
  const prev = pod.status;
  const initSpecs = pod.spec?.initContainers ?? [];
  const specs = pod.spec?.containers ?? [];
  const initStatuses: ContainerStatus[] = [];
  let initDone = true;
  for (const c of initSpecs) {
    const s = containerStatus(c, true, false, i);
    initStatuses.push(s);
    if (!succeeded(s)) initDone = false;
  }
  // Once a regular container has run, the pod counts as initialized even if init records are gone.
  const regularRan = specs.some((c) => byName(i.runtime, c.name).length > 0);
  if (regularRan) initDone = true;
  const statuses = specs.map((c) => containerStatus(c, false, initDone, i));

  let phase = podPhase(pod, initStatuses, statuses);
  // A pod never leaves a terminal phase.
  if (prev?.phase === 'Succeeded' || prev?.phase === 'Failed') phase = prev.phase;

  const sandbox = i.runtime.sandboxes[0];
  const podIPs = sandbox?.ready ? sandbox.ips : (prev?.podIPs ?? []).map((p) => p.ip ?? '').filter(Boolean);
  const hostNetwork = pod.spec?.hostNetwork ?? false;
  const ips = hostNetwork && i.hostIP ? [i.hostIP] : podIPs;

  const completed = phase === 'Succeeded';
  const conditions: PodCondition[] = [];
  const kubeletOwned = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
  for (const c of prev?.conditions ?? []) if (!kubeletOwned.has(c.type)) conditions.push(c);
  conditions.push(condition('PodReadyToStartContainers', !!sandbox?.ready, now, prev?.conditions));
  if (initDone) {
    conditions.push(condition('Initialized', true, now, prev?.conditions, completed && initSpecs.length === 0 ? 'PodCompleted' : undefined));
  } else {
    const incomplete = initSpecs.filter((c, n) => !succeeded(initStatuses[n])).map((c) => c.name);
    conditions.push(condition('Initialized', false, now, prev?.conditions, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`));
  }
  const unready = unreadyMessage(specs, statuses);
  const gatesOk = (pod.spec?.readinessGates ?? []).every((g) => (prev?.conditions ?? []).some((c) => c.type === g.conditionType && c.status === 'True'));
  if (completed) {
    conditions.push(condition('Ready', false, now, prev?.conditions, 'PodCompleted'));
    conditions.push(condition('ContainersReady', false, now, prev?.conditions, 'PodCompleted'));
  } else {
    const ready = !unready && initDone;
    conditions.push(condition('Ready', ready && gatesOk, now, prev?.conditions,
      ready ? (gatesOk ? undefined : 'ReadinessGatesNotReady') : 'ContainersNotReady', ready ? undefined : unready));
    conditions.push(condition('ContainersReady', ready, now, prev?.conditions, ready ? undefined : 'ContainersNotReady', ready ? undefined : unready));
  }
  conditions.push(condition('PodScheduled', true, now, prev?.conditions));

  const status: PodStatus = {
    phase,
    conditions,
    ...(i.hostIP ? { hostIP: i.hostIP, hostIPs: [{ ip: i.hostIP }] } : {}),
    ...(ips.length ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
    startTime: prev?.startTime ?? rfc3339(now),
    ...(initSpecs.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
    qosClass: podQOSClass(pod),
  };
  if (prev?.phase === phase) {
    if (prev.reason) status.reason = prev.reason;
    if (prev.message) status.message = prev.message;
  }
  return status;
}
