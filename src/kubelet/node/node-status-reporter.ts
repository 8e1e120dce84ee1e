/**
 * Registers the kubelet's Node and keeps its status current: every `updateMs` (10 s) the status
 * is rebuilt from the machine and the runtime and written when it changed, or when `reportMs`
 * (the kubelet's nodeStatusReportFrequency, 5 min) passed since the last write.
 */
import type { NodeStatus } from 'kubernetes-types/core/v1.js';
import { isConflict, isNotFound, isAlreadyExists } from '../../api/errors.js';
import { nodes, type NodeObject } from '../../api/resources/core/index.js';
import { isAbort, sleep, type Clock, type Logger } from '../../base/index.js';
import type { Client } from '../../client/index.js';
import type { CriClient } from '../cri/client.js';
import { readMachineInfo, type MachineInfo } from './machine-info.js';
import { buildNodeStatus, newNode, nodeLabels, nodeStatusChanged, type NodeIdentity, type RuntimeHealth } from './node-status.js';

export interface NodeStatusReporterDeps {
  client: Client;
  cri: CriClient;
  identity: NodeIdentity;
  /** The kubelet's data dir: its filesystem is the node's ephemeral storage. */
  dataDir: string;
  clock: Clock;
  log: Logger;
  updateMs?: number;
  reportMs?: number;
  /** Machine facts (replaceable in tests). */
  machineInfo?: () => Promise<MachineInfo>;
}

export interface NodeStatusReporter {
  /** Creates the Node, or reconciles the labels of an existing one; returns it as stored. */
  register(signal: AbortSignal): Promise<NodeObject>;
  /** Rebuilds the status and writes it when changed or due; returns the Node as stored. */
  update(signal: AbortSignal, force?: boolean): Promise<NodeObject | undefined>;
  /** Updates every `updateMs` until `signal` aborts. */
  run(signal: AbortSignal): Promise<void>;
  /** The Node as last read or written. */
  current(): NodeObject | undefined;
}

/** Runtime readiness and version from the CRI; an unreachable runtime is reported, not thrown. */
export async function runtimeHealth(cri: CriClient, signal?: AbortSignal): Promise<RuntimeHealth> {
  try {
    const [version, status] = await Promise.all([
      cri.runtime.version({ version: 'v1' }, { signal, timeoutMs: 5000 }),
      cri.runtime.status({}, { signal, timeoutMs: 5000 }),
    ]);
    const conds = status.status?.conditions ?? [];
    const net = conds.find((c) => c.type === 'NetworkReady');
    return {
      runtimeVersion: `${version.runtimeName ?? 'containerd'}://${version.runtimeVersion ?? ''}`,
      runtimeReady: conds.find((c) => c.type === 'RuntimeReady')?.status === true,
      networkReady: net?.status === true,
      networkReason: net?.reason, networkMessage: net?.message,
    };
  } catch (err) {
    if (signal?.aborted) throw err;
    return { runtimeVersion: '', runtimeReady: false, networkReady: false, runtimeError: err instanceof Error ? err.message : String(err) };
  }
}

async function runtimeImages(cri: CriClient, signal?: AbortSignal): Promise<{ names: string[]; sizeBytes: number }[]> {
  const { images = [] } = await cri.image.listImages({}, { signal, timeoutMs: 10_000 });
  return images.map((i) => ({ names: [...(i.repoDigests ?? []), ...(i.repoTags ?? [])], sizeBytes: Number(i.size ?? 0) }));
}

export function createNodeStatusReporter(deps: NodeStatusReporterDeps): NodeStatusReporter {
  const { client, cri, identity, clock } = deps;
  const log = deps.log.child({ component: 'node-status' });
  const updateMs = deps.updateMs ?? 10_000;
  const reportMs = deps.reportMs ?? 300_000;
  const machineInfo = deps.machineInfo ?? (() => readMachineInfo(deps.dataDir));
  let node: NodeObject | undefined;
  let lastReport = 0;
  let runtimeVersion = '';

  async function desiredStatus(previous: NodeStatus | undefined, signal: AbortSignal): Promise<NodeStatus> {
    const [machine, runtime, images] = await Promise.all([
      machineInfo(), runtimeHealth(cri, signal), runtimeImages(cri, signal).catch(() => undefined),
    ]);
    // A runtime that is down still has the version it had.
    if (runtime.runtimeVersion) runtimeVersion = runtime.runtimeVersion;
    else runtime.runtimeVersion = runtimeVersion;
    return buildNodeStatus({ node: identity, machine, runtime, images, previous, now: clock.now() });
  }

  async function register(signal: AbortSignal): Promise<NodeObject> {
    const machine = await machineInfo();
    for (;;) {
      let existing: NodeObject | undefined;
      try {
        existing = await client.get(nodes, '', identity.name, { signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (!existing) {
        const status = await desiredStatus(undefined, signal);
        try {
          node = await client.create(nodes, newNode(identity, machine, status) as NodeObject, { signal, fieldManager: 'kubelet' });
          lastReport = clock.now();
          log.info('node registered', { node: identity.name });
          return node;
        } catch (err) {
          if (isAlreadyExists(err)) continue;
          throw err;
        }
      }
      // An existing Node (a restarted agent): reconcile the labels the kubelet owns.
      const labels = { ...existing.metadata.labels, ...nodeLabels(identity, machine) };
      if (!identity.controlPlane) delete labels['node-role.kubernetes.io/control-plane'];
      if (JSON.stringify(labels) !== JSON.stringify(existing.metadata.labels ?? {})) {
        try {
          existing = await client.update(nodes, { ...existing, metadata: { ...existing.metadata, labels } }, { signal, fieldManager: 'kubelet' });
        } catch (err) {
          if (isConflict(err)) continue;
          throw err;
        }
      }
      node = existing;
      log.info('node already registered', { node: identity.name });
      await update(signal, true);
      return node;
    }
  }

  async function update(signal: AbortSignal, force = false): Promise<NodeObject | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      // Fresh from the API on retries (a conflict) and when nothing is known yet.
      if (!node || attempt > 0) node = await client.get(nodes, '', identity.name, { signal });
      const status = await desiredStatus(node.status, signal);
      const due = clock.now() - lastReport >= reportMs;
      if (!force && !due && !nodeStatusChanged(node.status, status)) return node;
      try {
        node = await client.updateStatus(nodes, { ...node, status } as NodeObject, { signal, fieldManager: 'kubelet' });
        lastReport = clock.now();
        return node;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    throw new Error(`updating the status of node ${identity.name}: too many conflicts`);
  }

  return {
    register,
    update,
    current: () => node,
    async run(signal) {
      while (!signal.aborted) {
        try {
          await sleep(updateMs, signal);
          await update(signal);
        } catch (err) {
          if (isAbort(err, signal) || signal.aborted) return;
          if (isNotFound(err)) {
            // Someone deleted our Node: register it again, as the kubelet does on restart.
            log.warn('node object is gone; registering again', { node: identity.name });
            node = undefined;
            await register(signal).catch((e: unknown) => { if (!signal.aborted) log.warn('node registration failed', { err: e }); });
            continue;
          }
          log.warn('node status update failed', { err });
        }
      }
    },
  };
}
