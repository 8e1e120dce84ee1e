import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { jsonEqual } from '../../api/patch/json-value.js';
import type { AffinityTerm, WeightedAffinityTerm } from './affinity-term.js';
import { affinityTerm, weightedAffinityTerms } from './affinity-term.js';
import type { Resource } from './resources.js';
import { addResource, emptyResource, podResources, resourceOf } from './resources.js';

export interface HostPort {
  readonly ip: string;
  readonly protocol: string;
  readonly port: number;
}

/** A pod with what the scheduler reads of it parsed once. */
export interface PodInfo {
  readonly pod: Pod;
  /** `namespace/name` */
  readonly key: string;
  readonly requests: Resource;
  /** Requests with 100m / 200Mi for containers that ask for nothing (scoring). */
  readonly nonZeroMilliCPU: number;
  readonly nonZeroMemory: number;
  readonly hostPorts: readonly HostPort[];
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinity: readonly WeightedAffinityTerm[];
}

export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

export function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

const noTerms: readonly never[] = Object.freeze([]);

export function newPodInfo(pod: Pod): PodInfo {
  const { requests, nonZeroMilliCPU, nonZeroMemory } = podResources(pod);
  const a = pod.spec?.affinity;
  const pa = a?.podAffinity;
  const paa = a?.podAntiAffinity;
  return {
    pod,
    key: podKey(pod),
    requests,
    nonZeroMilliCPU,
    nonZeroMemory,
    hostPorts: hostPortsOf(pod),
    requiredAffinity: pa?.requiredDuringSchedulingIgnoredDuringExecution?.map((t) => affinityTerm(pod, t)) ?? noTerms,
    requiredAntiAffinity: paa?.requiredDuringSchedulingIgnoredDuringExecution?.map((t) => affinityTerm(pod, t)) ?? noTerms,
    preferredAffinity: pa?.preferredDuringSchedulingIgnoredDuringExecution ? weightedAffinityTerms(pod, pa.preferredDuringSchedulingIgnoredDuringExecution) : noTerms,
    preferredAntiAffinity: paa?.preferredDuringSchedulingIgnoredDuringExecution ? weightedAffinityTerms(pod, paa.preferredDuringSchedulingIgnoredDuringExecution) : noTerms,
  };
}

/**
 * True when newPodInfo(a) and newPodInfo(b) would hold the same figures: same key, labels and
 * the spec fields it parses (containers, init containers, overhead, affinity), compared as JSON
 * values (a field set to undefined differs from an absent one: such pods are just parsed again).
 */
export function samePodInfoInputs(a: Pod, b: Pod): boolean {
  const am = a.metadata; const bm = b.metadata;
  const as = a.spec; const bs = b.spec;
  return am?.namespace === bm?.namespace && am?.name === bm?.name && jsonEqual(am?.labels, bm?.labels)
    && jsonEqual(as?.containers, bs?.containers) && jsonEqual(as?.initContainers, bs?.initContainers)
    && jsonEqual(as?.overhead, bs?.overhead) && jsonEqual(as?.affinity, bs?.affinity);
}

/**
 * The PodInfo of `pod`, whose PodInfo inputs are those of `info.pod` (the cache's assumed copy
 * bound to its node; the informer's bound pod, see samePodInfoInputs): what was parsed is
 * reused, as kube-scheduler reuses the queued PodInfo.
 */
export function boundPodInfo(info: PodInfo, pod: Pod): PodInfo {
  return { ...info, pod };
}

function hasAffinity(p: PodInfo): boolean {
  return p.requiredAffinity.length + p.requiredAntiAffinity.length + p.preferredAffinity.length + p.preferredAntiAffinity.length > 0;
}

/**
 * A node with the pods on it (bound and assumed) and what they add up to. Mutated only by the
 * scheduler cache between cycles; preemption edits `clone()`s.
 */
export class NodeInfo {
  node!: Node;
  readonly name: string;
  allocatable!: Resource;
  allowedPodNumber!: number;
  taints!: readonly Taint[];
  /** spec.unschedulable */
  unschedulable!: boolean;
  /** The taints with effect NoSchedule or NoExecute, in spec order (what the Filter checks). */
  noScheduleTaints!: readonly Taint[];
  /** The PreferNoSchedule taints, in spec order (what the Score counts). */
  preferNoScheduleTaints!: readonly Taint[];
  readonly requested: Resource = emptyResource();
  nonZeroMilliCPU = 0;
  nonZeroMemory = 0;
  readonly #pods = new Map<string, PodInfo>();
  /** #pods.size, kept beside the fields the filters read (one memory load fewer per node). */
  #podCount = 0;
  /** `protocol/port` → host IP → count. */
  readonly usedPorts = new Map<string, Map<string, number>>();
  podsWithAffinity = 0;
  podsWithRequiredAntiAffinity = 0;
  /** Bumped on every change; plugins may memoise per-node results on it. */
  generation = 0;

  constructor(node: Node) {
    this.name = node.metadata?.name ?? '';
    this.#read(node);
  }

  setNode(node: Node): void {
    this.#read(node);
    this.generation++;
  }

  /** What the filters and scores read of the Node, derived once per node version. */
  #read(node: Node): void {
    this.node = node;
    this.allocatable = resourceOf(node.status?.allocatable as Record<string, string>);
    this.allowedPodNumber = Number(node.status?.allocatable?.pods ?? 0) || 0;
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = !!node.spec?.unschedulable;
    this.noScheduleTaints = this.taints.filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
    this.preferNoScheduleTaints = this.taints.filter((t) => t.effect === 'PreferNoSchedule');
  }

  get labels(): Readonly<Record<string, string>> {
    return this.node.metadata?.labels ?? {};
  }

  get podCount(): number { return this.#podCount; }
  pods(): IterableIterator<PodInfo> { return this.#pods.values(); }
  getPod(key: string): PodInfo | undefined { return this.#pods.get(key); }

  addPod(p: PodInfo): void {
    if (this.#pods.has(p.key)) this.removePod(p.key);
    this.#pods.set(p.key, p);
    this.#podCount = this.#pods.size;
    addResource(this.requested, p.requests);
    this.nonZeroMilliCPU += p.nonZeroMilliCPU;
    this.nonZeroMemory += p.nonZeroMemory;
    for (const hp of p.hostPorts) {
      const k = `${hp.protocol}/${hp.port}`;
      let ips = this.usedPorts.get(k);
      if (!ips) this.usedPorts.set(k, (ips = new Map()));
      ips.set(hp.ip, (ips.get(hp.ip) ?? 0) + 1);
    }
    if (hasAffinity(p)) this.podsWithAffinity++;
    if (p.requiredAntiAffinity.length) this.podsWithRequiredAntiAffinity++;
    this.generation++;
  }

  removePod(key: string): PodInfo | undefined {
    const p = this.#pods.get(key);
    if (!p) return undefined;
    this.#pods.delete(key);
    this.#podCount = this.#pods.size;
    addResource(this.requested, p.requests, -1);
    this.nonZeroMilliCPU -= p.nonZeroMilliCPU;
    this.nonZeroMemory -= p.nonZeroMemory;
    for (const hp of p.hostPorts) {
      const k = `${hp.protocol}/${hp.port}`;
      const ips = this.usedPorts.get(k);
      if (!ips) continue;
      const n = (ips.get(hp.ip) ?? 0) - 1;
      if (n <= 0) ips.delete(hp.ip); else ips.set(hp.ip, n);
      if (ips.size === 0) this.usedPorts.delete(k);
    }
    if (hasAffinity(p)) this.podsWithAffinity--;
    if (p.requiredAntiAffinity.length) this.podsWithRequiredAntiAffinity--;
    this.generation++;
    return p;
  }

  /** True when `hp` conflicts with a used port: same protocol and port, and same IP or either is 0.0.0.0. */
  portConflicts(hp: HostPort): boolean {
    const ips = this.usedPorts.get(`${hp.protocol}/${hp.port}`);
    if (!ips) return false;
    if (hp.ip === '0.0.0.0') return ips.size > 0;
    return ips.has(hp.ip) || ips.has('0.0.0.0');
  }

  /** A copy preemption may edit. */
  clone(): NodeInfo {
    const c = new NodeInfo(this.node);
    for (const p of this.#pods.values()) c.addPod(p);
    return c;
  }
}
