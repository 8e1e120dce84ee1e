import type { Node, Pod, PodSpec, Taint } from 'kubernetes-types/core/v1.js';

/** A Ready node with allocatable cpu/memory/pods and the hostname label (tests, benchmarks). */
export function makeNode(name: string, alloc: { cpu?: string; memory?: string; pods?: string } = {}, extra: { labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {}): Node {
  const allocatable = { cpu: alloc.cpu ?? '4', memory: alloc.memory ?? '8Gi', pods: alloc.pods ?? '110' };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...extra.labels } },
    spec: { ...(extra.taints ? { taints: extra.taints } : {}), ...(extra.unschedulable ? { unschedulable: true } : {}) },
    status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

/** A pending pod in `default` with one container requesting `req`. */
export function makePod(name: string, req: { cpu?: string; memory?: string } = {}, spec: Partial<PodSpec> = {}, labels: Record<string, string> = {}): Pod {
  const requests: Record<string, string> = {};
  if (req.cpu) requests.cpu = req.cpu;
  if (req.memory) requests.memory = req.memory;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels },
    spec: { schedulerName: 'default-scheduler', containers: [{ name: 'c', image: 'busybox', resources: { requests } }], ...spec },
    status: { phase: 'Pending' },
  };
}

import type { CycleState } from '../framework/cycle-state.js';
import { CycleState as State } from '../framework/cycle-state.js';
import type { FilterPlugin, Plugin, PreFilterPlugin, PreScorePlugin, ScorePlugin, Status } from '../framework/types.js';
import { isPreFilter, isPreScore } from '../framework/types.js';
import { SchedulerCache } from '../cache/scheduler-cache.js';

/** A cache holding `nodes` and the `placed` pods (pod → node name). */
export function clusterOf(nodes: Node[], placed: [Pod, string][] = []): SchedulerCache {
  const c = new SchedulerCache();
  for (const n of nodes) c.addNode(n);
  for (const [p, node] of placed) c.addPod({ ...p, spec: { ...p.spec!, nodeName: node } });
  return c;
}

/** PreFilter (when the plugin has one) then Filter on every node: node name → status. */
export function filterAll(plugin: Plugin, pod: Pod, cluster: SchedulerCache): Map<string, Status> {
  const state: CycleState = new State();
  const out = new Map<string, Status>();
  if (isPreFilter(plugin)) {
    const r = (plugin as PreFilterPlugin).preFilter(state, pod, cluster);
    if (r.status.code === 'Skip') { for (const n of cluster.nodes) out.set(n.name, { code: 'Success', reasons: [] }); return out; }
    if (r.status.code !== 'Success') { for (const n of cluster.nodes) out.set(n.name, r.status); return out; }
  }
  for (const n of cluster.nodes) out.set(n.name, (plugin as FilterPlugin).filter(state, pod, n));
  return out;
}

/** PreScore, Score and Normalize over every node: node name → normalised score (undefined when skipped). */
export function scoreAll(plugin: Plugin, pod: Pod, cluster: SchedulerCache): Map<string, number> | undefined {
  const state: CycleState = new State();
  const nodes = cluster.nodes;
  if (isPreScore(plugin) && (plugin as PreScorePlugin).preScore(state, pod, nodes, cluster).code === 'Skip') return undefined;
  const s = plugin as ScorePlugin;
  const scores = Float64Array.from(nodes.map((n) => s.score(state, pod, n)));
  s.normalize?.(state, pod, scores, nodes);
  return new Map(nodes.map((n, i) => [n.name, scores[i]!]));
}

export const reasonsOf = (m: Map<string, Status>) => Object.fromEntries([...m].map(([k, v]) => [k, v.code === 'Success' ? 'ok' : `${v.code}: ${v.reasons.join(', ')}`]));
