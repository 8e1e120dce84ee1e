/**
 * The kubelet's view of what the runtime runs, kept between syncs (the role of the kubelet's
 * PLEG and pod cache): pod workers record the results of their own CRI calls, and a periodic
 * relist — two list calls, plus a status call only for what changed — picks up what happened
 * on its own (a container exiting) and names the pods to sync again.
 */
import type { CriClient } from './cri/client.js';
import { isCriNotFound } from './cri/client.js';
import type { ContainerState, PodSandboxState } from './cri/types.js';
import { managedLabel, podUIDLabel } from './labels.js';
import {
  containerFromStatus, readRuntimeState, sandboxFrom, sortRuntimeState, type PodRuntimeState, type RuntimeContainer, type RuntimeSandbox,
} from './runtime-state.js';

export interface RuntimeCache {
  /** The pod's runtime state (newest first); read from the runtime when not known yet. */
  state(uid: string, signal?: AbortSignal): Promise<PodRuntimeState>;
  /** Re-reads one container (after creating, starting or stopping it); a new one needs its sandbox id. */
  refreshContainer(uid: string, id: string, signal?: AbortSignal, sandboxId?: string): Promise<RuntimeContainer | undefined>;
  /** Re-reads one sandbox (after running or stopping it). */
  refreshSandbox(uid: string, id: string, signal?: AbortSignal): Promise<RuntimeSandbox | undefined>;
  removeContainer(uid: string, id: string): void;
  removeSandbox(uid: string, id: string): void;
  /** Drops everything known about a pod (after removing it from the runtime). */
  forget(uid: string): void;
  /** Lists every k8ts-managed sandbox and container; returns the uids whose state changed. */
  relist(signal?: AbortSignal): Promise<Set<string>>;
  /** Uids the runtime holds anything for (as of the last relist and own calls). */
  uids(): string[];
}

function ipsOf(net: { ip?: string; additionalIps?: { ip?: string }[] } | null | undefined): string[] {
  return [net?.ip ?? '', ...(net?.additionalIps ?? []).map((x) => x.ip ?? '')].filter(Boolean);
}

const clone = (s: PodRuntimeState): PodRuntimeState => ({ sandboxes: [...s.sandboxes], containers: [...s.containers] });

export function createRuntimeCache(cri: CriClient): RuntimeCache {
  const pods = new Map<string, PodRuntimeState>();
  /** Bumped on every change a worker records, so a relist that started earlier does not undo it. */
  const versions = new Map<string, number>();
  let primed = false;

  const bump = (uid: string) => versions.set(uid, (versions.get(uid) ?? 0) + 1);
  const entry = (uid: string) => {
    let s = pods.get(uid);
    if (!s) pods.set(uid, (s = { sandboxes: [], containers: [] }));
    return s;
  };

  function upsertContainer(uid: string, c: RuntimeContainer): void {
    const s = entry(uid);
    s.containers = s.containers.filter((x) => x.id !== c.id);
    s.containers.push(c);
    sortRuntimeState(s);
  }
  function upsertSandbox(uid: string, sb: RuntimeSandbox): void {
    const s = entry(uid);
    s.sandboxes = s.sandboxes.filter((x) => x.id !== sb.id);
    s.sandboxes.push(sb);
    sortRuntimeState(s);
  }

  async function readContainer(id: string, sandboxId: string | undefined, signal?: AbortSignal): Promise<RuntimeContainer | undefined> {
    try {
      const st = await cri.runtime.containerStatus({ containerId: id }, { signal });
      if (!st.status) return undefined;
      return containerFromStatus(st.status, sandboxId ?? '');
    } catch (err) {
      if (isCriNotFound(err)) return undefined;
      throw err;
    }
  }

  async function readSandbox(id: string, signal?: AbortSignal): Promise<RuntimeSandbox | undefined> {
    try {
      const st = await cri.runtime.podSandboxStatus({ podSandboxId: id }, { signal });
      if (!st.status) return undefined;
      const s = st.status;
      return sandboxFrom(s, s.state === 'SANDBOX_READY' ? ipsOf(s.network) : []);
    } catch (err) {
      if (isCriNotFound(err)) return undefined;
      throw err;
    }
  }

  return {
    async state(uid, signal) {
      const known = pods.get(uid);
      if (known) return clone(known);
      if (primed) return { sandboxes: [], containers: [] };
      const v = versions.get(uid);
      const read = await readRuntimeState(cri, uid, signal);
      if (versions.get(uid) === v && !pods.has(uid)) pods.set(uid, read);
      return clone(pods.get(uid) ?? read);
    },
    async refreshContainer(uid, id, signal, sandboxId) {
      const c = await readContainer(id, sandboxId ?? pods.get(uid)?.containers.find((x) => x.id === id)?.sandboxId, signal);
      bump(uid);
      if (!c) { this.removeContainer(uid, id); return undefined; }
      if (!c.sandboxId) {
        // A new container: its sandbox comes from the list call.
        const { containers = [] } = await cri.runtime.listContainers({ filter: { id } }, { signal });
        c.sandboxId = containers[0]?.podSandboxId ?? '';
      }
      upsertContainer(uid, c);
      return c;
    },
    async refreshSandbox(uid, id, signal) {
      const sb = await readSandbox(id, signal);
      bump(uid);
      if (!sb) { this.removeSandbox(uid, id); return undefined; }
      upsertSandbox(uid, sb);
      return sb;
    },
    removeContainer(uid, id) {
      bump(uid);
      const s = pods.get(uid);
      if (s) s.containers = s.containers.filter((c) => c.id !== id);
    },
    removeSandbox(uid, id) {
      bump(uid);
      const s = pods.get(uid);
      if (s) s.sandboxes = s.sandboxes.filter((x) => x.id !== id);
    },
    forget(uid) {
      bump(uid);
      pods.delete(uid);
    },
    async relist(signal) {
      const started = new Map(versions);
      const selector = { [managedLabel]: 'true' };
      const [{ items = [] }, { containers = [] }] = await Promise.all([
        cri.runtime.listPodSandbox({ filter: { labelSelector: selector } }, { signal }),
        cri.runtime.listContainers({ filter: { labelSelector: selector } }, { signal }),
      ]);
      const next = new Map<string, PodRuntimeState>();
      const changed = new Set<string>();
      const uidOf = (l: Record<string, string> | undefined, fallback?: string) => l?.[podUIDLabel] ?? fallback ?? '';
      const sandboxStates = new Map<string, PodSandboxState | undefined>();
      for (const s of items) {
        const uid = uidOf(s.labels, s.metadata?.uid);
        if (!uid) continue;
        sandboxStates.set(s.id ?? '', s.state);
        const known = pods.get(uid)?.sandboxes.find((x) => x.id === s.id);
        const wasReady = known?.ready;
        let sb: RuntimeSandbox | undefined = known;
        if (!known || wasReady !== (s.state === 'SANDBOX_READY')) {
          sb = await readSandbox(s.id ?? '', signal);
          changed.add(uid);
        }
        if (!sb) continue;
        let st = next.get(uid);
        if (!st) next.set(uid, (st = { sandboxes: [], containers: [] }));
        st.sandboxes.push(sb);
      }
      const containerStates = new Map<string, ContainerState | undefined>();
      for (const c of containers) {
        const uid = uidOf(c.labels);
        if (!uid) continue;
        containerStates.set(c.id ?? '', c.state);
        const known = pods.get(uid)?.containers.find((x) => x.id === c.id);
        let rc: RuntimeContainer | undefined = known;
        if (!known || known.state !== c.state) {
          rc = await readContainer(c.id ?? '', c.podSandboxId, signal);
          changed.add(uid);
        }
        if (!rc) continue;
        rc = { ...rc, sandboxId: c.podSandboxId ?? rc.sandboxId };
        let st = next.get(uid);
        if (!st) next.set(uid, (st = { sandboxes: [], containers: [] }));
        st.containers.push(rc);
      }
      // Pods with runtime objects gone since the last look changed too.
      for (const [uid, st] of pods) {
        const n = next.get(uid);
        if (!n || n.sandboxes.length !== st.sandboxes.length || n.containers.length !== st.containers.length) changed.add(uid);
      }
      // Apply, except for pods a worker changed while the lists were being read: its view is newer.
      const touched = (uid: string) => (versions.get(uid) ?? 0) !== (started.get(uid) ?? 0);
      for (const uid of new Set([...pods.keys(), ...next.keys()])) {
        if (touched(uid)) { changed.delete(uid); continue; }
        const n = next.get(uid);
        if (n) pods.set(uid, sortRuntimeState(n));
        else pods.delete(uid);
      }
      primed = true;
      return changed;
    },
    uids: () => [...pods.keys()],
  };
}

/** No cache: every read asks the runtime (one-off tools and tests of the worker alone). */
export function directRuntime(cri: CriClient): RuntimeCache {
  return {
    state: (uid, signal) => readRuntimeState(cri, uid, signal),
    refreshContainer: async () => undefined,
    refreshSandbox: async () => undefined,
    removeContainer() {},
    removeSandbox() {},
    forget() {},
    relist: async () => new Set(),
    uids: () => [],
  };
}
