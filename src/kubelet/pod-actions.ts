/**
 * What one sync of a pod must do, decided from the pod spec and the runtime state (pure but
 * for the back-off bookkeeping it is handed) — the kubelet's computePodActions.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { formatDuration, type Backoff } from './backoff.js';
import { containerHash, type ContainerType } from './container-config.js';
import type { PodRuntimeState, RuntimeContainer } from './runtime-state.js';
import type { WaitingReason } from './status.js';

export interface StartAction { container: Container; type: ContainerType; restartCount: number }
/** Why a running container is replaced: its spec (image, command, …) changed. */
export const specChangedReason = 'Container spec hash changed';

export interface KillAction { id: string; name: string; reason: string }

export interface PodActions {
  /** Create a new sandbox (after killing `killSandboxes`), with this attempt number. */
  createSandbox: boolean;
  sandboxAttempt: number;
  /** Sandbox the containers go into when no new one is needed. */
  sandboxId?: string;
  /** Sandboxes to stop (dead ones being replaced, or the pod is done). */
  stopSandboxes: string[];
  killContainers: KillAction[];
  /** Exited containers no longer needed (older runs beyond the latest per name). */
  removeContainers: string[];
  start: StartAction[];
  /** Waiting reasons to report for containers that are held back. */
  waiting: Map<string, WaitingReason>;
  /** Ask to be synced again after this many ms (a back-off expiring), if set. */
  requeueAfterMs?: number;
}

function podRef(pod: Pod): string {
  return `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;
}

/** The back-off key of a container: pod, name and spec hash, as the kubelet keys it. */
export function containerBackoffKey(pod: Pod, c: Container): string {
  return `${pod.metadata?.uid}/${c.name}/${containerHash(c)}`;
}

function shouldRestart(policy: string, c: RuntimeContainer): boolean {
  if (policy === 'Always') return true;
  if (policy === 'OnFailure') return c.exitCode !== 0;
  return false;
}

export function computePodActions(pod: Pod, state: PodRuntimeState, backoff: Backoff): PodActions {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const actions: PodActions = {
    createSandbox: false, sandboxAttempt: 0, stopSandboxes: [], killContainers: [], removeContainers: [], start: [], waiting: new Map(),
  };
  const latest = state.sandboxes[0];
  const initSpecs = pod.spec?.initContainers ?? [];
  const specs = pod.spec?.containers ?? [];
  const runsOf = (name: string) => state.containers.filter((c) => c.name === name);

  // Containers the spec no longer has are killed; older exited runs are garbage (keep the latest
  // and the one before it, which `kubectl logs --previous` reads).
  const specNames = new Set([...initSpecs, ...specs].map((c) => c.name));
  for (const c of state.containers) {
    if (!specNames.has(c.name) && c.state === 'CONTAINER_RUNNING') actions.killContainers.push({ id: c.id, name: c.name, reason: 'not in the pod spec' });
  }
  for (const name of specNames) {
    for (const old of runsOf(name).slice(2)) if (old.state !== 'CONTAINER_RUNNING') actions.removeContainers.push(old.id);
  }

  const anyRegularRan = specs.some((c) => runsOf(c.name).length > 0);
  if (!latest || !latest.ready) {
    // No usable sandbox. A pod whose containers have all finished for good, or a Never pod whose
    // containers have run, is done: do not start over.
    const finished = specs.length > 0 && specs.every((c) => {
      const last = runsOf(c.name)[0];
      return last !== undefined && last.state === 'CONTAINER_EXITED' && !shouldRestart(policy, last);
    });
    if (latest && (finished || (policy === 'Never' && state.containers.length > 0))) return actions;
    actions.createSandbox = true;
    actions.sandboxAttempt = latest ? latest.attempt + 1 : 0;
    for (const s of state.sandboxes) if (s.ready) actions.stopSandboxes.push(s.id);
    for (const c of state.containers) {
      if (c.state === 'CONTAINER_RUNNING') actions.killContainers.push({ id: c.id, name: c.name, reason: 'sandbox changed' });
    }
    // Containers start after the sandbox exists: the first init container, or all containers.
    const first = initSpecs[0];
    if (first) actions.start.push({ container: first, type: 'init', restartCount: nextRestartCount(runsOf(first.name)) });
    else for (const c of specs) actions.start.push({ container: c, type: 'regular', restartCount: nextRestartCount(runsOf(c.name)) });
    return actions;
  }
  actions.sandboxId = latest.id;
  const inSandbox = (c: RuntimeContainer) => c.sandboxId === latest.id;

  const tryRestart = (c: Container, type: ContainerType, dead: RuntimeContainer) => {
    const key = containerBackoffKey(pod, c);
    if (backoff.isInBackOffSince(key, dead.finishedAt || dead.createdAt)) {
      const delay = backoff.get(key);
      actions.waiting.set(c.name, { reason: 'CrashLoopBackOff', message: `back-off ${formatDuration(delay)} restarting failed container=${c.name} pod=${podRef(pod)}` });
      const left = backoff.remaining(key, dead.finishedAt || dead.createdAt);
      actions.requeueAfterMs = Math.min(actions.requeueAfterMs ?? Infinity, left);
      return;
    }
    backoff.next(key);
    actions.start.push({ container: c, type, restartCount: dead.restartCount + 1 });
  };

  // Init containers run one at a time, in order, each to success, unless regular containers already ran.
  if (!anyRegularRan) {
    for (const c of initSpecs) {
      const last = runsOf(c.name).find(inSandbox) ?? runsOf(c.name)[0];
      if (!last) { actions.start.push({ container: c, type: 'init', restartCount: 0 }); return actions; }
      if (last.state === 'CONTAINER_RUNNING' || last.state === 'CONTAINER_CREATED') return actions; // wait for it
      if (last.state === 'CONTAINER_EXITED' && last.exitCode === 0 && inSandbox(last)) continue; // done
      if (last.state === 'CONTAINER_EXITED' && last.exitCode === 0) { actions.start.push({ container: c, type: 'init', restartCount: last.restartCount + 1 }); return actions; }
      // Failed (or unknown): retried unless the pod never restarts, which makes the pod Failed.
      if (policy === 'Never') { actions.stopSandboxes.push(latest.id); return actions; }
      tryRestart(c, 'init', last);
      return actions;
    }
  }

  let live = 0;
  for (const c of specs) {
    const last = runsOf(c.name)[0];
    if (!last) { actions.start.push({ container: c, type: 'regular', restartCount: 0 }); live++; continue; }
    if (last.state === 'CONTAINER_RUNNING' || last.state === 'CONTAINER_CREATED') {
      live++;
      if (last.hash && last.hash !== containerHash(c)) {
        // The spec changed (e.g. a new image): replace the container in place.
        actions.killContainers.push({ id: last.id, name: c.name, reason: specChangedReason });
        actions.start.push({ container: c, type: 'regular', restartCount: last.restartCount + 1 });
      }
      continue;
    }
    const changed = last.hash && last.hash !== containerHash(c);
    if (shouldRestart(policy, last) || (changed && policy !== 'Never')) {
      live++;
      if (changed) actions.start.push({ container: c, type: 'regular', restartCount: last.restartCount + 1 });
      else tryRestart(c, 'regular', last);
    }
  }
  // Everything has finished for good: the sandbox is no longer needed.
  if (live === 0 && specs.length > 0 && actions.start.length === 0) actions.stopSandboxes.push(latest.id);
  return actions;
}

function nextRestartCount(runs: readonly RuntimeContainer[]): number {
  return runs.length ? runs[0]!.restartCount + 1 : 0;
}
