import type { Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import type { LabelRequirements } from '../../api/selectors/index.js';
import { labelSelectorAsRequirements, labelSelectorString, matchesLabels } from '../../api/selectors/index.js';
import type { FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/types.js';
import { maxNodeScore, skip, success, unresolvable, unschedulable } from '../framework/types.js';
import { stateKey } from '../framework/cycle-state.js';
import type { NodeInfo, PodInfo } from '../framework/node-info.js';
import { podMatchesNodeSelectorAndAffinity } from '../framework/node-selector.js';
import { findUntoleratedTaint } from '../framework/taints.js';

export const podTopologySpreadName = 'PodTopologySpread';
export const errReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const errReasonNodeLabelNotMatch = errReasonConstraintsNotMatch + ' (missing required label)';
const hostnameLabel = 'kubernetes.io/hostname';

/** The constraints kube-scheduler applies to pods without their own (defaultingType System). */
export const systemDefaultConstraints: readonly TopologySpreadConstraint[] = [
  { topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
  { topologyKey: hostnameLabel, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
];

export interface PodTopologySpreadArgs {
  /** Cluster-level defaults for pods without constraints; default: the system defaults. */
  defaultConstraints?: TopologySpreadConstraint[];
  defaultingType?: 'System' | 'List';
}

/**
 * The selector the default constraints use for a pod: the union of the selectors of the
 * Services, ReplicationController, ReplicaSet and StatefulSet that select it (empty: none).
 */
export type DefaultSelector = (pod: Pod) => LabelRequirements;

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelRequirements | null;
  /** `namespace NUL selector` of the pod the constraint is for: the key of the per-node count memo, built once per cycle. */
  countKey: string;
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
}

function parseConstraints(pod: Pod, list: readonly TopologySpreadConstraint[], when: string): Constraint[] {
  return list.filter((c) => c.whenUnsatisfiable === when).map((c) => {
    let selector = labelSelectorAsRequirements(c.labelSelector);
    const extra = (c.matchLabelKeys ?? []).flatMap((k) => {
      const v = pod.metadata?.labels?.[k];
      return v === undefined ? [] : [{ key: k, operator: 'in' as const, values: [v] }];
    });
    if (selector && extra.length) selector = [...selector, ...extra];
    return {
      maxSkew: c.maxSkew, topologyKey: c.topologyKey, selector,
      countKey: countKeyOf(pod, selector),
      minDomains: c.minDomains ?? 1,
      honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorTaints: c.nodeTaintsPolicy === 'Honor',
    };
  });
}

class FilterState {
  constructor(readonly constraints: Constraint[], readonly counts: Map<string, number>[], readonly selfMatch: number[]) {}
  minMatch(i: number): number {
    const c = this.constraints[i]!;
    const counts = this.counts[i]!;
    if (counts.size < c.minDomains) return 0;
    let min = Infinity;
    for (const n of counts.values()) if (n < min) min = n;
    return min === Infinity ? 0 : min;
  }
  clone(): FilterState { return new FilterState(this.constraints, this.counts.map((m) => new Map(m)), this.selfMatch); }
}
interface ScoreState { constraints: Constraint[]; counts: Map<string, number>[]; weights: number[]; ignored: Set<string> }
const filterKey = stateKey<FilterState>('PreFilterPodTopologySpread');
const scoreKey = stateKey<ScoreState>('PreScorePodTopologySpread');

/**
 * Spreads pods matching a selector evenly over topology domains: DoNotSchedule constraints
 * filter (skew = matching pods in the node's domain + self − the global minimum must stay
 * ≤ maxSkew, honouring minDomains and the node inclusion policies); ScheduleAnyway constraints
 * and the system defaults score (fewer matching pods is better).
 */
export function podTopologySpread(args: PodTopologySpreadArgs = {}, defaultSelector: DefaultSelector = () => []): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  const systemDefaulted = (args.defaultingType ?? 'System') === 'System';
  const defaults = systemDefaulted ? systemDefaultConstraints : args.defaultConstraints ?? [];
  for (const c of defaults) if (c.labelSelector) throw new Error('PodTopologySpread: defaultConstraints must not have a labelSelector');
  /** Per-node memo of "pods in namespace matching selector", valid while the node's generation holds. */
  const memo = new WeakMap<NodeInfo, { generation: number; counts: Map<string, number> }>();

  function countMatching(node: NodeInfo, c: Constraint, namespace: string): number {
    if (c.selector === null) return 0;
    let m = memo.get(node);
    if (!m || m.generation !== node.generation) memo.set(node, (m = { generation: node.generation, counts: new Map() }));
    const id = c.countKey;
    const hit = m.counts.get(id);
    if (hit !== undefined) return hit;
    let n = 0;
    for (const p of node.pods()) if (podCounts(p, c, namespace)) n++;
    m.counts.set(id, n);
    return n;
  }

  function included(c: Constraint, pod: Pod, node: NodeInfo): boolean {
    if (c.honorAffinity && !podMatchesNodeSelectorAndAffinity(pod, node.labels, node.name)) return false;
    if (c.honorTaints && findUntoleratedTaint(node.taints, pod.spec?.tolerations, ['NoSchedule', 'NoExecute'])) return false;
    return true;
  }

  const hasAllKeys = (node: NodeInfo, cs: readonly Constraint[]) => cs.every((c) => node.labels[c.topologyKey] !== undefined);

  function scoreConstraints(pod: Pod): { constraints: Constraint[]; defaulted: boolean } {
    const own = pod.spec?.topologySpreadConstraints ?? [];
    if (own.length) return { constraints: parseConstraints(pod, own, 'ScheduleAnyway'), defaulted: false };
    const selector = defaultSelector(pod);
    if (selector.length === 0 || defaults.length === 0) return { constraints: [], defaulted: true };
    const countKey = countKeyOf(pod, selector);
    const constraints = defaults.map((c): Constraint => ({
      maxSkew: c.maxSkew, topologyKey: c.topologyKey, selector, countKey,
      minDomains: 1, honorAffinity: true, honorTaints: false,
    }));
    return { constraints, defaulted: true };
  }

  return {
    name: podTopologySpreadName,
    events: ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeUpdate'],
    preFilter(state, pod, snapshot) {
      const constraints = parseConstraints(pod, pod.spec?.topologySpreadConstraints ?? [], 'DoNotSchedule');
      if (constraints.length === 0) return { status: skip };
      const ns = pod.metadata?.namespace ?? '';
      const counts = constraints.map(() => new Map<string, number>());
      for (const node of snapshot.nodes) {
        if (!hasAllKeys(node, constraints)) continue;
        constraints.forEach((c, i) => {
          if (!included(c, pod, node)) return;
          const v = node.labels[c.topologyKey]!;
          counts[i]!.set(v, (counts[i]!.get(v) ?? 0) + countMatching(node, c, ns));
        });
      }
      const selfMatch = constraints.map((c) => (matchesLabels(c.selector, pod.metadata?.labels ?? {}) ? 1 : 0));
      state.write(filterKey, new FilterState(constraints, counts, selfMatch));
      return { status: success };
    },
    preFilterExtensions: {
      addPod(state, pod, added, node) { adjust(state.read(filterKey), pod, added, node, 1); return success; },
      removePod(state, pod, removed, node) { adjust(state.read(filterKey), pod, removed, node, -1); return success; },
    },
    filter(state, _pod, node) {
      const s = state.read(filterKey);
      if (!hasAllKeys(node, s.constraints)) return unresolvable(errReasonNodeLabelNotMatch);
      for (let i = 0; i < s.constraints.length; i++) {
        const c = s.constraints[i]!;
        const matchNum = s.counts[i]!.get(node.labels[c.topologyKey]!) ?? 0;
        if (matchNum + s.selfMatch[i]! - s.minMatch(i) > c.maxSkew) return unschedulable(errReasonConstraintsNotMatch);
      }
      return success;
    },
    preScore(state, pod, nodes, snapshot) {
      const { constraints, defaulted } = scoreConstraints(pod);
      if (constraints.length === 0) return skip;
      const requireAll = !defaulted || !systemDefaulted;
      const ns = pod.metadata?.namespace ?? '';
      const ignored = new Set<string>();
      const counts = constraints.map(() => new Map<string, number>());
      for (const node of nodes) {
        if (requireAll && !hasAllKeys(node, constraints)) { ignored.add(node.name); continue; }
        constraints.forEach((c, i) => {
          const v = node.labels[c.topologyKey];
          if (c.topologyKey !== hostnameLabel && v !== undefined) counts[i]!.set(v, 0);
        });
      }
      const weights = constraints.map((c, i) => Math.log((c.topologyKey === hostnameLabel ? nodes.length - ignored.size : counts[i]!.size) + 2));
      if (constraints.some((c) => c.topologyKey !== hostnameLabel)) {
        for (const node of snapshot.nodes) {
          if (requireAll && !hasAllKeys(node, constraints)) continue;
          constraints.forEach((c, i) => {
            if (c.topologyKey === hostnameLabel || !included(c, pod, node)) return;
            const v = node.labels[c.topologyKey];
            if (v === undefined || !counts[i]!.has(v)) return;
            counts[i]!.set(v, counts[i]!.get(v)! + countMatching(node, c, ns));
          });
        }
      }
      state.write(scoreKey, { constraints, counts, weights, ignored });
      return success;
    },
    score(state, pod, node) {
      const s = state.read(scoreKey);
      if (s.ignored.has(node.name)) return 0;
      const ns = pod.metadata?.namespace ?? '';
      let total = 0;
      s.constraints.forEach((c, i) => {
        const v = node.labels[c.topologyKey];
        if (v === undefined) return;
        const cnt = c.topologyKey === hostnameLabel ? countMatching(node, c, ns) : s.counts[i]!.get(v) ?? 0;
        total += cnt * s.weights[i]! + (c.maxSkew - 1);
      });
      return Math.round(total);
    },
    normalize(state, _pod, scores, nodes) {
      const s = state.read(scoreKey);
      let min = Infinity;
      let max = 0;
      nodes.forEach((n, i) => {
        if (s.ignored.has(n.name)) return;
        if (scores[i]! < min) min = scores[i]!;
        if (scores[i]! > max) max = scores[i]!;
      });
      nodes.forEach((n, i) => {
        if (s.ignored.has(n.name)) scores[i] = 0;
        else if (max === 0) scores[i] = maxNodeScore;
        else scores[i] = Math.trunc((maxNodeScore * (max + min - scores[i]!)) / max);
      });
    },
  };

  function adjust(s: FilterState, pod: Pod, p: PodInfo, node: NodeInfo, sign: number): void {
    if (!hasAllKeys(node, s.constraints)) return;
    const ns = pod.metadata?.namespace ?? '';
    s.constraints.forEach((c, i) => {
      if (!included(c, pod, node) || !podCounts(p, c, ns)) return;
      const v = node.labels[c.topologyKey]!;
      s.counts[i]!.set(v, (s.counts[i]!.get(v) ?? 0) + sign);
    });
  }
}

function podCounts(p: PodInfo, c: Constraint, namespace: string): boolean {
  return !p.pod.metadata?.deletionTimestamp && p.pod.metadata?.namespace === namespace && matchesLabels(c.selector, p.pod.metadata?.labels ?? {});
}

function countKeyOf(pod: Pod, selector: LabelRequirements | null): string {
  return `${pod.metadata?.namespace ?? ''}\u0000${selector === null ? '\u0000nothing' : labelSelectorString(selector)}`;
}
