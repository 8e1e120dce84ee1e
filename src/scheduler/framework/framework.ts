import type { Pod } from 'kubernetes-types/core/v1.js';
import { CycleState } from './cycle-state.js';
import type { NodeInfo, PodInfo } from './node-info.js';
import type {
  BindPlugin, FilterPlugin, Plugin, PostFilterPlugin, PostFilterResult, PreFilterPlugin, PreScorePlugin, ScorePlugin, Snapshot, Status,
} from './types.js';
import { isBind, isFilter, isPostFilter, isPreFilter, isPreScore, isScore, isSuccess, success, errorStatus } from './types.js';

/** A plugin with its score weight, in the order the profile lists it. */
export interface ProfilePlugin { plugin: Plugin; weight?: number }

/**
 * One scheduling profile: its plugins sorted by extension point, run in profile order. Filter
 * stops at the first rejection (as upstream without runAllFilters); scores are normalised per
 * plugin then summed with weights.
 */
export class Framework {
  readonly schedulerName: string;
  readonly plugins: readonly Plugin[];
  readonly #preFilters: PreFilterPlugin[];
  readonly #filters: FilterPlugin[];
  readonly #postFilters: PostFilterPlugin[];
  readonly #preScores: PreScorePlugin[];
  readonly #scores: { plugin: ScorePlugin; weight: number }[];
  readonly #binders: BindPlugin[];
  #scoreBuffer = new Float64Array(0);

  constructor(schedulerName: string, plugins: readonly ProfilePlugin[]) {
    this.schedulerName = schedulerName;
    this.plugins = plugins.map((p) => p.plugin);
    this.#preFilters = this.plugins.filter(isPreFilter);
    this.#filters = this.plugins.filter(isFilter);
    this.#postFilters = this.plugins.filter(isPostFilter);
    this.#preScores = this.plugins.filter(isPreScore);
    this.#scores = plugins.filter((p) => isScore(p.plugin)).map((p) => ({ plugin: p.plugin as ScorePlugin, weight: p.weight ?? 1 }));
    this.#binders = this.plugins.filter(isBind);
  }

  get hasScorePlugins(): boolean { return this.#scores.length > 0; }

  runPreFilter(state: CycleState, pod: Pod, snapshot: Snapshot): { status: Status; nodeNames?: Set<string> } {
    let nodeNames: Set<string> | undefined;
    for (const p of this.#preFilters) {
      let r;
      try { r = p.preFilter(state, pod, snapshot); } catch (err) { return { status: { ...errorStatus(err), plugin: p.name } }; }
      if (r.status.code === 'Skip') { state.skipFilter.add(p.name); continue; }
      if (!isSuccess(r.status)) return { status: { ...r.status, plugin: p.name } };
      const names = r.result?.nodeNames;
      if (names) nodeNames = nodeNames ? new Set([...nodeNames].filter((n) => names.has(n))) : new Set(names);
    }
    return { status: success, nodeNames };
  }

  runFilters(state: CycleState, pod: Pod, node: NodeInfo): Status {
    const filters = state.filters ??= this.#filters.filter((p) => !state.skipFilter.has(p.name));
    for (let i = 0; i < filters.length; i++) {
      const p = filters[i]!;
      const s = p.filter(state, pod, node);
      if (s.code !== 'Success') return { code: s.code, reasons: s.reasons, plugin: p.name };
    }
    return success;
  }

  /** PreFilter extensions: the state as if `p` were added to / removed from `node`. */
  runAddPod(state: CycleState, pod: Pod, p: PodInfo, node: NodeInfo): Status {
    for (const pl of this.#preFilters) {
      if (state.skipFilter.has(pl.name) || !pl.preFilterExtensions) continue;
      const s = pl.preFilterExtensions.addPod(state, pod, p, node);
      if (!isSuccess(s)) return { ...s, plugin: pl.name };
    }
    return success;
  }

  runRemovePod(state: CycleState, pod: Pod, p: PodInfo, node: NodeInfo): Status {
    for (const pl of this.#preFilters) {
      if (state.skipFilter.has(pl.name) || !pl.preFilterExtensions) continue;
      const s = pl.preFilterExtensions.removePod(state, pod, p, node);
      if (!isSuccess(s)) return { ...s, plugin: pl.name };
    }
    return success;
  }

  runPostFilter(state: CycleState, pod: Pod, snapshot: Snapshot, statuses: ReadonlyMap<string, Status>): PostFilterResult | undefined {
    const ctx = {
      snapshot, statuses,
      runFilters: (s: CycleState, p: Pod, n: NodeInfo) => this.runFilters(s, p, n),
      addPod: (s: CycleState, p: Pod, pi: PodInfo, n: NodeInfo) => this.runAddPod(s, p, pi, n),
      removePod: (s: CycleState, p: Pod, pi: PodInfo, n: NodeInfo) => this.runRemovePod(s, p, pi, n),
    };
    let last: PostFilterResult | undefined;
    for (const p of this.#postFilters) {
      const r = p.postFilter(state, pod, ctx);
      if (isSuccess(r.status)) return r;
      last = r;
    }
    return last;
  }

  /** Weighted sum of normalised scores, one per node of `nodes`. */
  runScore(state: CycleState, pod: Pod, nodes: readonly NodeInfo[], snapshot: Snapshot): Float64Array {
    const totals = new Float64Array(nodes.length);
    for (const p of this.#preScores) {
      const s = p.preScore(state, pod, nodes, snapshot);
      if (s.code === 'Skip') state.skipScore.add(p.name);
      else if (!isSuccess(s)) throw new Error(`running PreScore plugin ${p.name}: ${s.reasons.join(', ')}`);
    }
    // One plugin's raw scores at a time, in a buffer kept between cycles (every entry is written before it is read).
    if (this.#scoreBuffer.length < nodes.length) this.#scoreBuffer = new Float64Array(Math.max(nodes.length, 2 * this.#scoreBuffer.length));
    const scores = this.#scoreBuffer.subarray(0, nodes.length);
    for (const { plugin, weight } of this.#scores) {
      if (state.skipScore.has(plugin.name)) continue;
      for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(state, pod, nodes[i]!);
      plugin.normalize?.(state, pod, scores, nodes);
      for (let i = 0; i < nodes.length; i++) totals[i]! += scores[i]! * weight;
    }
    return totals;
  }

  async runBind(pod: Pod, nodeName: string, signal: AbortSignal): Promise<Status> {
    for (const b of this.#binders) {
      const s = await b.bind(pod, nodeName, signal);
      if (s.code !== 'Skip') return s;
    }
    return { code: 'Error', reasons: ['no bind plugin bound the pod'] };
  }

  newCycleState(): CycleState { return new CycleState(); }
}
