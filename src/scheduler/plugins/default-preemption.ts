import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PostFilterPlugin, PostFilterContext } from '../framework/types.js';
import { success, unschedulable } from '../framework/types.js';
import type { CycleState } from '../framework/cycle-state.js';
import type { NodeInfo, PodInfo } from '../framework/node-info.js';

export const defaultPreemptionName = 'DefaultPreemption';
export const errPreemptionNotHelpful = 'Preemption is not helpful for scheduling';
export const errNoVictims = 'No preemption victims found for incoming pod';

export interface DefaultPreemptionArgs {
  /** Share of nodes to find candidates on (default 10), at least minCandidateNodesAbsolute (default 100). */
  minCandidateNodesPercentage?: number;
  minCandidateNodesAbsolute?: number;
}

export const podPriority = (p: Pod) => p.spec?.priority ?? 0;

interface Candidate { node: NodeInfo; victims: PodInfo[] }

const startTime = (p: Pod) => Date.parse(p.status?.startTime ?? p.metadata?.creationTimestamp ?? '') || 0;
/** MoreImportantPod: higher priority, then earlier start. */
const moreImportant = (a: PodInfo, b: PodInfo) => podPriority(b.pod) - podPriority(a.pod) || startTime(a.pod) - startTime(b.pod);

/**
 * DefaultPreemption (PostFilter): on nodes where removing every lower-priority pod makes the
 * pod fit, keep back as many of them as still allow the fit (most important first), then pick
 * the candidate whose most important victim has the lowest priority, then the lowest priority
 * sum, then the fewest victims. PodDisruptionBudgets are not considered.
 */
export function defaultPreemption(args: DefaultPreemptionArgs = {}): PostFilterPlugin {
  const pct = args.minCandidateNodesPercentage ?? 10;
  const abs = args.minCandidateNodesAbsolute ?? 100;
  if (pct < 0 || pct > 100) throw new Error('DefaultPreemption: minCandidateNodesPercentage must be in [0, 100]');

  function selectVictims(state: CycleState, pod: Pod, node: NodeInfo, ctx: PostFilterContext): Candidate | string[] {
    const prio = podPriority(pod);
    const lower = [...node.pods()].filter((p) => podPriority(p.pod) < prio);
    if (lower.length === 0) return [errNoVictims];
    const s = state.clone();
    const n = node.clone();
    for (const v of lower) { n.removePod(v.key); ctx.removePod(s, pod, v, n); }
    const fit = ctx.runFilters(s, pod, n);
    if (fit.code !== 'Success') return [...fit.reasons];
    const victims: PodInfo[] = [];
    for (const v of lower.sort(moreImportant)) {
      n.addPod(v);
      ctx.addPod(s, pod, v, n);
      if (ctx.runFilters(s, pod, n).code !== 'Success') {
        n.removePod(v.key);
        ctx.removePod(s, pod, v, n);
        victims.push(v);
      }
    }
    return { node, victims };
  }

  return {
    name: defaultPreemptionName,
    events: ['AssignedPodDelete'],
    postFilter(state, pod, ctx) {
      const all = ctx.snapshot.nodes.length;
      if (pod.spec?.preemptionPolicy === 'Never') {
        return { status: unschedulable(), message: 'preemption: not eligible due to preemptionPolicy=Never' };
      }
      const wanted = Math.max(Math.floor((all * pct) / 100), abs);
      const candidates: Candidate[] = [];
      const reasons = new Map<string, number>();
      const count = (r: string) => reasons.set(r, (reasons.get(r) ?? 0) + 1);
      for (const node of ctx.snapshot.nodes) {
        const st = ctx.statuses.get(node.name);
        if (!st || st.code === 'UnschedulableAndUnresolvable') { count(errPreemptionNotHelpful); continue; }
        const r = selectVictims(state, pod, node, ctx);
        if (Array.isArray(r)) { for (const x of r) count(x); continue; }
        candidates.push(r);
        if (candidates.length >= wanted) break;
      }
      if (candidates.length === 0) {
        const parts = [...reasons].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        return { status: unschedulable(), message: `preemption: 0/${all} nodes are available: ${parts.join(', ')}` };
      }
      const key = (c: Candidate) => [
        c.victims.length ? Math.max(...c.victims.map((v) => podPriority(v.pod))) : -Infinity,
        c.victims.reduce((s, v) => s + podPriority(v.pod) + 2 ** 31, 0),
        c.victims.length,
      ];
      let best = candidates[0]!;
      for (const c of candidates.slice(1)) {
        const a = key(c); const b = key(best);
        for (let i = 0; i < a.length; i++) { if (a[i]! < b[i]!) { best = c; break; } if (a[i]! > b[i]!) break; }
      }
      return { status: success, nominated: { nodeName: best.node.name, victims: best.victims.map((v) => v.pod) } };
    },
  };
}
