import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Snapshot } from '../framework/types.js';
import type { PodInfo } from '../framework/node-info.js';
import { NodeInfo, boundPodInfo, newPodInfo, podKey, samePodInfoInputs } from '../framework/node-info.js';

interface PodState { nodeName: string; assumed: boolean; bindingFinished: boolean }

/**
 * Node infos kept up to date from the informers, plus assumed pods: a pod is placed on its node
 * as soon as the decision is made so that the next cycle sees its resources; it is forgotten
 * if binding fails and confirmed when the informer delivers it bound.
 *
 * It is also the cycle's Snapshot: a scheduling cycle runs synchronously, so nothing changes
 * the cache while one is in progress.
 */
export class SchedulerCache implements Snapshot {
  readonly #infos = new Map<string, NodeInfo>();
  /** Names of nodes that exist (a NodeInfo may hold pods of a node not seen yet). */
  readonly #real = new Set<string>();
  readonly #pods = new Map<string, PodState>();
  #list: NodeInfo[] | undefined;
  /** Bumped when a node joins or leaves the affinity lists below (or the node list changes). */
  #affinityGen = 0;
  #affinityListsGen = -1;
  #withAffinity: NodeInfo[] = [];
  #withAntiAffinity: NodeInfo[] = [];
  #unschedulableNodes = 0;
  #noScheduleTaintedNodes = 0;
  #preferNoScheduleTaintedNodes = 0;

  #info(name: string): NodeInfo {
    let n = this.#infos.get(name);
    if (!n) {
      n = new NodeInfo({ metadata: { name } });
      this.#infos.set(name, n);
    }
    return n;
  }

  // ---- nodes ----

  addNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const known = this.#real.has(name);
    let info = this.#infos.get(name);
    if (info) {
      if (known) this.#countNode(info, -1);
      info.setNode(node);
    } else {
      this.#infos.set(name, (info = new NodeInfo(node)));
    }
    this.#countNode(info, 1);
    if (!known) { this.#real.add(name); this.#list = undefined; this.#affinityGen++; }
  }

  #countNode(n: NodeInfo, sign: number): void {
    if (n.unschedulable) this.#unschedulableNodes += sign;
    if (n.noScheduleTaints.length) this.#noScheduleTaintedNodes += sign;
    if (n.preferNoScheduleTaints.length) this.#preferNoScheduleTaintedNodes += sign;
  }

  updateNode(node: Node): void { this.addNode(node); }

  removeNode(name: string): void {
    const n = this.#infos.get(name);
    if (n && this.#real.has(name)) this.#countNode(n, -1);
    this.#real.delete(name);
    if (n && n.podCount === 0) this.#infos.delete(name);
    this.#list = undefined;
    this.#affinityGen++;
  }

  // ---- pods ----

  /**
   * The decision is made: account the pod on `nodeName` before it is bound. `info` is the
   * cycle's PodInfo of `pod`, reused rather than parsed again.
   */
  assume(pod: Pod, nodeName: string, info?: PodInfo): void {
    const key = podKey(pod);
    if (this.#pods.has(key)) throw new Error(`pod ${key} is already in the cache, so cannot be assumed`);
    const bound: Pod = { ...pod, spec: { ...pod.spec!, nodeName } };
    this.#addTo(nodeName, info?.pod === pod ? boundPodInfo(info, bound) : newPodInfo(bound));
    this.#pods.set(key, { nodeName, assumed: true, bindingFinished: false });
  }

  finishBinding(key: string): void {
    const s = this.#pods.get(key);
    if (s?.assumed) s.bindingFinished = true;
  }

  /** Binding failed: take the assumed pod off its node. */
  forget(key: string): void {
    const s = this.#pods.get(key);
    if (!s || !s.assumed) return;
    this.#removeFrom(s.nodeName, key);
    this.#pods.delete(key);
  }

  isAssumed(key: string): boolean {
    return this.#pods.get(key)?.assumed ?? false;
  }

  /** A bound pod seen by the informer: confirms an assumed pod or adds one bound elsewhere. */
  addPod(pod: Pod): void {
    const key = podKey(pod);
    const nodeName = pod.spec?.nodeName ?? '';
    const s = this.#pods.get(key);
    if (s && s.nodeName !== nodeName) this.#removeFrom(s.nodeName, key);
    // Usually the bound copy of the pod assumed here, or an update that changed nothing parsed: reuse the figures.
    const prev = s?.nodeName === nodeName ? this.#infos.get(nodeName)?.getPod(key) : undefined;
    this.#addTo(nodeName, prev && samePodInfoInputs(prev.pod, pod) ? boundPodInfo(prev, pod) : newPodInfo(pod));
    this.#pods.set(key, { nodeName, assumed: false, bindingFinished: true });
  }

  updatePod(pod: Pod): void { this.addPod(pod); }

  removePod(pod: Pod): void {
    const key = podKey(pod);
    const s = this.#pods.get(key);
    if (!s) return;
    this.#removeFrom(s.nodeName, key);
    this.#pods.delete(key);
  }

  #addTo(nodeName: string, p: PodInfo): void {
    const n = this.#info(nodeName);
    const before = affinityMembership(n);
    n.addPod(p);
    if (affinityMembership(n) !== before) this.#affinityGen++;
  }

  #removeFrom(nodeName: string, key: string): void {
    const n = this.#infos.get(nodeName);
    if (!n) return;
    const before = affinityMembership(n);
    n.removePod(key);
    if (affinityMembership(n) !== before) this.#affinityGen++;
    if (n.podCount === 0 && !this.#real.has(nodeName)) this.#infos.delete(nodeName);
  }

  podCount(): number { return this.#pods.size; }

  // ---- Snapshot ----

  get nodes(): readonly NodeInfo[] {
    if (!this.#list) this.#list = [...this.#real].sort().map((n) => this.#infos.get(n)!);
    return this.#list;
  }

  get(nodeName: string): NodeInfo | undefined {
    return this.#real.has(nodeName) ? this.#infos.get(nodeName) : undefined;
  }

  #refreshAffinity(): void {
    if (this.#affinityListsGen === this.#affinityGen) return;
    this.#withAffinity = this.nodes.filter((n) => n.podsWithAffinity > 0);
    this.#withAntiAffinity = this.nodes.filter((n) => n.podsWithRequiredAntiAffinity > 0);
    this.#affinityListsGen = this.#affinityGen;
  }

  get unschedulableNodeCount(): number { return this.#unschedulableNodes; }
  get noScheduleTaintedNodeCount(): number { return this.#noScheduleTaintedNodes; }
  get preferNoScheduleTaintedNodeCount(): number { return this.#preferNoScheduleTaintedNodes; }

  get nodesWithAffinityPods(): readonly NodeInfo[] { this.#refreshAffinity(); return this.#withAffinity; }
  get nodesWithRequiredAntiAffinityPods(): readonly NodeInfo[] { this.#refreshAffinity(); return this.#withAntiAffinity; }
}

/** Which of the affinity lists a node belongs in: bit 1 pods with affinity, bit 2 with required anti-affinity. */
function affinityMembership(n: NodeInfo): number {
  return (n.podsWithAffinity > 0 ? 1 : 0) | (n.podsWithRequiredAntiAffinity > 0 ? 2 : 0);
}
