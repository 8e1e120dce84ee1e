/** What the runtime holds for pods, read back from the CRI by the labels the kubelet set. */
import { readFile } from 'node:fs/promises';
import type { CriClient } from './cri/client.js';
import { isCriNotFound } from './cri/client.js';
import type { ContainerState, ContainerStatus, PodSandbox } from './cri/types.js';
import type { ContainerType } from './container-config.js';
import {
  containerHashAnnotation, containerNameLabel, containerRestartCountAnnotation, containerTerminationMessagePathAnnotation,
  containerTypeAnnotation, managedLabel, podNameLabel, podNamespaceLabel, podUIDLabel,
} from './labels.js';

export interface RuntimeSandbox {
  id: string;
  attempt: number;
  ready: boolean;
  /** ms since the epoch. */
  createdAt: number;
  ips: string[];
  namespace: string;
  name: string;
  uid: string;
}

export interface RuntimeContainer {
  id: string;
  sandboxId: string;
  name: string;
  type?: ContainerType;
  restartCount: number;
  hash: string;
  state: ContainerState;
  /** ms since the epoch; 0 when not (yet). */
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  image: string;
  imageRef: string;
  logPath: string;
  /** Host path of the file mounted at the termination-message path, if any. */
  terminationLogHostPath?: string;
}

/** Newest first, both lists. */
export interface PodRuntimeState {
  sandboxes: RuntimeSandbox[];
  containers: RuntimeContainer[];
}

export const emptyRuntimeState: PodRuntimeState = { sandboxes: [], containers: [] };

const nsToMs = (ns: number | undefined) => (ns ? Math.floor(ns / 1e6) : 0);

/** Newest first: by creation, then attempt / restart count. */
export function sortRuntimeState(state: PodRuntimeState): PodRuntimeState {
  state.sandboxes.sort((a, b) => b.createdAt - a.createdAt || b.attempt - a.attempt);
  state.containers.sort((a, b) => b.createdAt - a.createdAt || b.restartCount - a.restartCount);
  return state;
}

export function sandboxFrom(s: PodSandbox, ips: string[]): RuntimeSandbox {
  const l = s.labels ?? {};
  return {
    id: s.id ?? '', attempt: s.metadata?.attempt ?? 0, ready: s.state === 'SANDBOX_READY', createdAt: nsToMs(s.createdAt), ips,
    namespace: s.metadata?.namespace ?? l[podNamespaceLabel] ?? '', name: s.metadata?.name ?? l[podNameLabel] ?? '', uid: s.metadata?.uid ?? l[podUIDLabel] ?? '',
  };
}

export function containerFromStatus(s: ContainerStatus, sandboxId: string): RuntimeContainer {
  const a = s.annotations ?? {};
  const l = s.labels ?? {};
  const termPath = a[containerTerminationMessagePathAnnotation];
  const termMount = termPath ? (s.mounts ?? []).find((m) => m.containerPath === termPath) : undefined;
  return {
    id: s.id ?? '',
    sandboxId,
    name: l[containerNameLabel] ?? s.metadata?.name ?? '',
    type: a[containerTypeAnnotation] === 'init' ? 'init' : a[containerTypeAnnotation] === 'regular' ? 'regular' : undefined,
    restartCount: Number(a[containerRestartCountAnnotation] ?? s.metadata?.attempt ?? 0) || 0,
    hash: a[containerHashAnnotation] ?? '',
    state: s.state ?? 'CONTAINER_UNKNOWN',
    createdAt: nsToMs(s.createdAt),
    startedAt: nsToMs(s.startedAt),
    finishedAt: nsToMs(s.finishedAt),
    exitCode: s.exitCode ?? 0,
    reason: s.reason ?? '',
    message: s.message ?? '',
    image: s.image?.userSpecifiedImage || s.image?.image || '',
    imageRef: s.imageRef ?? '',
    logPath: s.logPath ?? '',
    terminationLogHostPath: termMount?.hostPath || undefined,
  };
}

/** Everything the runtime has for one pod uid (or, without a uid, for every managed pod). */
export async function readRuntimeState(cri: CriClient, uid: string, signal?: AbortSignal): Promise<PodRuntimeState> {
  const selector = { [podUIDLabel]: uid };
  const [{ items = [] }, { containers = [] }] = await Promise.all([
    cri.runtime.listPodSandbox({ filter: { labelSelector: selector } }, { signal }),
    cri.runtime.listContainers({ filter: { labelSelector: selector } }, { signal }),
  ]);
  const sandboxes: RuntimeSandbox[] = [];
  for (const s of items) {
    let ips: string[] = [];
    if (s.state === 'SANDBOX_READY') {
      try {
        const st = await cri.runtime.podSandboxStatus({ podSandboxId: s.id ?? '' }, { signal });
        const net = st.status?.network;
        ips = [net?.ip ?? '', ...(net?.additionalIps ?? []).map((x) => x.ip ?? '')].filter(Boolean);
      } catch (err) {
        if (!isCriNotFound(err)) throw err; // removed meanwhile: keep it without IPs
      }
    }
    sandboxes.push(sandboxFrom(s, ips));
  }
  const out: RuntimeContainer[] = [];
  for (const c of containers) {
    try {
      const st = await cri.runtime.containerStatus({ containerId: c.id ?? '' }, { signal });
      if (st.status) out.push(containerFromStatus(st.status, c.podSandboxId ?? ''));
    } catch (err) {
      if (!isCriNotFound(err)) throw err;
    }
  }
  sandboxes.sort((a, b) => b.createdAt - a.createdAt || b.attempt - a.attempt);
  out.sort((a, b) => b.createdAt - a.createdAt || b.restartCount - a.restartCount);
  return { sandboxes, containers: out };
}

/** Uids of every pod the runtime holds sandboxes for (k8ts-managed only). */
export async function runtimePodUIDs(cri: CriClient, signal?: AbortSignal): Promise<Set<string>> {
  const { items = [] } = await cri.runtime.listPodSandbox({ filter: { labelSelector: { [managedLabel]: 'true' } } }, { signal });
  return new Set(items.map((s) => s.labels?.[podUIDLabel] ?? s.metadata?.uid ?? '').filter(Boolean));
}

/** The termination message a container left in its file (at most 4096 bytes, as Kubernetes caps it). */
export async function readTerminationMessage(c: RuntimeContainer): Promise<string | undefined> {
  if (!c.terminationLogHostPath) return undefined;
  try {
    const buf = await readFile(c.terminationLogHostPath);
    return buf.length ? buf.subarray(0, 4096).toString('utf8') : undefined;
  } catch {
    return undefined; // no file: no message
  }
}
