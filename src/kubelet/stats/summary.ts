/**
 * Shapes what the runtime and the node report into the Summary API: one entry per pod (its
 * newest ready sandbox), its newest container per name, pod CPU/memory from the sandbox's
 * cgroup (or the sum of its containers when the runtime has no sandbox stats), and
 * usageNanoCores from the previous sample of the same container, pod or node.
 */
import { rfc3339 } from '../../base/clock.js';
import type { Container, ContainerStats as CriContainerStats, CpuUsage, MemoryUsage, NetworkInterfaceUsage, PodSandbox, PodSandboxStats } from '../cri/types.js';
import { podNameLabel, podNamespaceLabel, podUIDLabel } from '../labels.js';
import type { FsSample, NodeSample } from './node-sample.js';
import type { ContainerStats, CPUStats, FsStats, InterfaceStats, MemoryStats, PodStats, Summary } from './types.js';

/**
 * The previous cumulative CPU sample per key, for usageNanoCores. A sample closer than
 * `minWindowMs` to the previous one reuses the last rate and keeps the older baseline.
 */
export class CpuRateCache {
  readonly #samples = new Map<string, { usageNs: number; timeNs: number; rate?: number }>();
  constructor(readonly minWindowMs = 1000) {}

  /** Records a cumulative sample; returns nanocores over the window since the previous one. */
  rate(key: string, usageNs: number, timeNs: number): number | undefined {
    const prev = this.#samples.get(key);
    if (!prev || usageNs < prev.usageNs || timeNs <= prev.timeNs) {
      this.#samples.set(key, { usageNs, timeNs });
      return undefined;
    }
    if (timeNs - prev.timeNs < this.minWindowMs * 1e6) return prev.rate;
    const rate = Math.round(((usageNs - prev.usageNs) / (timeNs - prev.timeNs)) * 1e9);
    this.#samples.set(key, { usageNs, timeNs, rate });
    return rate;
  }

  /** Forgets every key not in `keep` (containers and pods that are gone). */
  retain(keep: ReadonlySet<string>): void {
    for (const k of this.#samples.keys()) if (!keep.has(k)) this.#samples.delete(k);
  }

  get size(): number { return this.#samples.size; }
}

export interface SummaryInput {
  nodeName: string;
  node: NodeSample;
  imageFs?: FsSample & { time: number };
  sandboxes: readonly PodSandbox[];
  containers: readonly Container[];
  /** Per sandbox, from ListPodSandboxStats; undefined when the runtime does not implement it. */
  sandboxStats?: readonly PodSandboxStats[];
  containerStats: readonly CriContainerStats[];
}

const nsToMs = (ns: number | undefined) => (ns ? Math.floor(ns / 1e6) : 0);
const val = (v: { value?: number } | null | undefined) => (v ? v.value ?? 0 : undefined);

function fsStats(s: FsSample | undefined, time: number): FsStats | undefined {
  if (!s) return undefined;
  return { time: rfc3339(time), ...s };
}

function cpuStats(u: CpuUsage | null | undefined, key: string, rates: CpuRateCache, fallbackMs: number): CPUStats | undefined {
  const usage = val(u?.usageCoreNanoSeconds);
  if (!u || usage === undefined) return undefined;
  const timeNs = u.timestamp || fallbackMs * 1e6;
  const out: CPUStats = { time: rfc3339(nsToMs(timeNs)) };
  const rate = rates.rate(key, usage, timeNs);
  if (rate !== undefined) out.usageNanoCores = rate;
  out.usageCoreNanoSeconds = usage;
  return out;
}

function memoryStats(m: MemoryUsage | null | undefined, fallbackMs: number): MemoryStats | undefined {
  if (!m || !m.workingSetBytes) return undefined;
  const out: MemoryStats = { time: rfc3339(nsToMs(m.timestamp) || fallbackMs) };
  // The runtime reports 0 available bytes for an unlimited cgroup; the kubelet omits it then.
  const available = val(m.availableBytes);
  if (available) out.availableBytes = available;
  out.usageBytes = val(m.usageBytes) ?? 0;
  out.workingSetBytes = val(m.workingSetBytes) ?? 0;
  out.rssBytes = val(m.rssBytes) ?? 0;
  out.pageFaults = val(m.pageFaults) ?? 0;
  out.majorPageFaults = val(m.majorPageFaults) ?? 0;
  return out;
}

function ifaceStats(i: NetworkInterfaceUsage): InterfaceStats {
  return { name: i.name ?? '', rxBytes: val(i.rxBytes) ?? 0, rxErrors: val(i.rxErrors) ?? 0, txBytes: val(i.txBytes) ?? 0, txErrors: val(i.txErrors) ?? 0 };
}

/** Sums the containers' CPU and memory (a pod without sandbox stats). */
function sumUsage(stats: readonly CriContainerStats[]): { cpu?: CpuUsage; memory?: MemoryUsage } {
  if (stats.length === 0) return {};
  const add = (pick: (s: CriContainerStats) => { value?: number } | null | undefined) => ({ value: stats.reduce((a, s) => a + (val(pick(s)) ?? 0), 0) });
  const ts = Math.max(...stats.map((s) => s.cpu?.timestamp ?? 0));
  return {
    cpu: { timestamp: ts, usageCoreNanoSeconds: add((s) => s.cpu?.usageCoreNanoSeconds) },
    memory: {
      timestamp: Math.max(...stats.map((s) => s.memory?.timestamp ?? 0)),
      workingSetBytes: add((s) => s.memory?.workingSetBytes), usageBytes: add((s) => s.memory?.usageBytes),
      rssBytes: add((s) => s.memory?.rssBytes), pageFaults: add((s) => s.memory?.pageFaults), majorPageFaults: add((s) => s.memory?.majorPageFaults),
    },
  };
}

/** The newest ready sandbox per pod uid. */
function podSandboxes(sandboxes: readonly PodSandbox[]): PodSandbox[] {
  const byUid = new Map<string, PodSandbox>();
  for (const s of sandboxes) {
    if (s.state !== 'SANDBOX_READY') continue;
    const uid = s.metadata?.uid || s.labels?.[podUIDLabel] || '';
    const known = byUid.get(uid);
    if (!known || (s.createdAt ?? 0) > (known.createdAt ?? 0)) byUid.set(uid, s);
  }
  return [...byUid.values()];
}

export function buildSummary(input: SummaryInput, rates: CpuRateCache, opts: { onlyCpuAndMemory?: boolean } = {}): Summary {
  const { node } = input;
  const now = node.time;
  const seen = new Set<string>(['node']);
  const nodeCpu = node.cpuUsageCoreNanoSeconds === undefined ? undefined
    : cpuStats({ timestamp: now * 1e6, usageCoreNanoSeconds: { value: node.cpuUsageCoreNanoSeconds } }, 'node', rates, now);
  const nodeMemory: MemoryStats | undefined = node.memory && {
    time: rfc3339(now),
    availableBytes: Math.max(0, node.memory.capacityBytes - node.memory.workingSetBytes),
    usageBytes: node.memory.usageBytes, workingSetBytes: node.memory.workingSetBytes, rssBytes: node.memory.rssBytes,
    pageFaults: node.memory.pageFaults, majorPageFaults: node.memory.majorPageFaults,
  };
  const summary: Summary = {
    node: { nodeName: input.nodeName, startTime: rfc3339(node.bootTime), ...(nodeCpu ? { cpu: nodeCpu } : {}), ...(nodeMemory ? { memory: nodeMemory } : {}) },
    pods: [],
  };
  if (!opts.onlyCpuAndMemory) {
    const main = node.interfaces.find((i) => i.name === (node.defaultInterface ?? 'eth0'));
    if (main || node.interfaces.length) {
      summary.node.network = { time: rfc3339(now), ...(main ?? { name: node.defaultInterface ?? 'eth0' }), interfaces: node.interfaces.map((i) => ({ ...i })) };
    }
    const fs = fsStats(node.fs, now);
    if (fs) summary.node.fs = fs;
    const imageFs = fsStats(input.imageFs, input.imageFs?.time ?? now);
    if (imageFs) summary.node.runtime = { imageFs };
    if (node.rlimit) summary.node.rlimit = { time: rfc3339(now), ...node.rlimit };
  }

  const containerStatsById = new Map(input.containerStats.map((s) => [s.attributes?.id ?? '', s]));
  const sandboxStatsById = new Map((input.sandboxStats ?? []).map((s) => [s.attributes?.id ?? '', s]));
  for (const sb of podSandboxes(input.sandboxes)) {
    const id = sb.id ?? '';
    const podRef = {
      name: sb.metadata?.name || sb.labels?.[podNameLabel] || '',
      namespace: sb.metadata?.namespace || sb.labels?.[podNamespaceLabel] || '',
      uid: sb.metadata?.uid || sb.labels?.[podUIDLabel] || '',
    };
    // The newest container per name in this sandbox.
    const newest = new Map<string, Container>();
    for (const c of input.containers) {
      if (c.podSandboxId !== id) continue;
      const name = c.metadata?.name ?? '';
      const known = newest.get(name);
      if (!known || (c.createdAt ?? 0) > (known.createdAt ?? 0)) newest.set(name, c);
    }
    const containers: ContainerStats[] = [];
    const used: CriContainerStats[] = [];
    let rootfsUsed = 0;
    let rootfsInodes = 0;
    for (const c of [...newest.values()].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
      const s = containerStatsById.get(c.id ?? '');
      const out: ContainerStats = { name: c.metadata?.name ?? '', startTime: rfc3339(nsToMs(c.createdAt)) };
      if (s && c.state === 'CONTAINER_RUNNING') {
        used.push(s);
        seen.add(`c/${c.id}`);
        const cpu = cpuStats(s.cpu, `c/${c.id}`, rates, now);
        const memory = memoryStats(s.memory, now);
        if (cpu) out.cpu = cpu;
        if (memory) out.memory = memory;
        if (!opts.onlyCpuAndMemory && s.writableLayer) {
          const used = val(s.writableLayer.usedBytes) ?? 0;
          const inodesUsed = val(s.writableLayer.inodesUsed) ?? 0;
          rootfsUsed += used;
          rootfsInodes += inodesUsed;
          const base = input.imageFs;
          out.rootfs = {
            time: rfc3339(nsToMs(s.writableLayer.timestamp) || now),
            ...(base ? { availableBytes: base.availableBytes, capacityBytes: base.capacityBytes } : {}),
            usedBytes: used,
            ...(base ? { inodesFree: base.inodesFree, inodes: base.inodes } : {}),
            inodesUsed,
          };
        }
      }
      containers.push(out);
    }
    const pod: PodStats = { podRef, startTime: rfc3339(nsToMs(sb.createdAt)), containers };
    const sbs = sandboxStatsById.get(id)?.linux;
    const usage = sbs?.cpu || sbs?.memory ? { cpu: sbs.cpu ?? undefined, memory: sbs.memory ?? undefined } : sumUsage(used);
    seen.add(`p/${id}`);
    const cpu = cpuStats(usage.cpu, `p/${id}`, rates, now);
    const memory = memoryStats(usage.memory, now);
    if (cpu) pod.cpu = cpu;
    if (memory) pod.memory = memory;
    if (!opts.onlyCpuAndMemory) {
      const net = sbs?.network;
      if (net?.defaultInterface) {
        pod.network = {
          time: rfc3339(nsToMs(net.timestamp) || now),
          ...ifaceStats(net.defaultInterface),
          interfaces: (net.interfaces?.length ? net.interfaces : [net.defaultInterface]).map(ifaceStats),
        };
      }
      if (containers.some((c) => c.rootfs)) {
        const base = input.imageFs;
        pod['ephemeral-storage'] = {
          time: rfc3339(now),
          ...(base ? { availableBytes: base.availableBytes, capacityBytes: base.capacityBytes } : {}),
          usedBytes: rootfsUsed,
          ...(base ? { inodesFree: base.inodesFree, inodes: base.inodes } : {}),
          inodesUsed: rootfsInodes,
        };
      }
      const procs = val(sbs?.process?.processCount);
      if (procs !== undefined) pod.process_stats = { process_count: procs };
    }
    summary.pods.push(pod);
  }
  summary.pods.sort((a, b) => a.podRef.namespace.localeCompare(b.podRef.namespace) || a.podRef.name.localeCompare(b.podRef.name));
  rates.retain(seen);
  return summary;
}
