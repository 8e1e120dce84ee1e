import type { PodObject } from '../../api/resources/index.js';
import { isPodReady, podReadySince, maxContainerRestarts } from '../podutil/index.js';

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
export const podDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

function deletionCost(pod: PodObject): number {
  const v = pod.metadata.annotations?.[podDeletionCostAnnotation];
  const n = v === undefined ? 0 : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : 0;
}

/** log2 of the age in nanoseconds, truncated (upstream's logarithmicRankDiff buckets). */
function logBucket(t: number, now: number): number {
  const d = (now - t) * 1e6;
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

interface Ranked { pod: PodObject; rank: number }

/**
 * ActivePodsWithRanks.Less: true when `a` should be deleted before `b`.
 * unassigned < assigned; Pending < Unknown < Running; not ready < ready; lower
 * pod-deletion-cost first; more pods of the family on the same node first; ready for less
 * time first (log-scale buckets); more restarts first; newer first (log-scale buckets).
 */
export function deleteBefore(a: Ranked, b: Ranked, now: number): boolean | undefined {
  const pa = a.pod, pb = b.pod;
  const na = pa.spec?.nodeName ?? '', nb = pb.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '';
  const oa = phaseOrdinal[pa.status?.phase ?? ''] ?? 0, ob = phaseOrdinal[pb.status?.phase ?? ''] ?? 0;
  if (oa !== ob) return oa < ob;
  const ra = isPodReady(pa), rb = isPodReady(pb);
  if (ra !== rb) return !ra;
  const ca = deletionCost(pa), cb = deletionCost(pb);
  if (ca !== cb) return ca < cb;
  if (a.rank !== b.rank) return a.rank > b.rank;
  if (ra && rb) {
    const ta = podReadySince(pa), tb = podReadySince(pb);
    if (ta !== tb) {
      if (ta === undefined || tb === undefined) return ta === undefined ? true : false;
      const diff = logBucket(ta, now) - logBucket(tb, now);
      if (diff === 0) return (pa.metadata.uid ?? '') < (pb.metadata.uid ?? '');
      return diff < 0;
    }
  }
  const xa = maxContainerRestarts(pa), xb = maxContainerRestarts(pb);
  if (xa !== xb) return xa > xb;
  const ta = pa.metadata.creationTimestamp ? Date.parse(pa.metadata.creationTimestamp) : undefined;
  const tb = pb.metadata.creationTimestamp ? Date.parse(pb.metadata.creationTimestamp) : undefined;
  if (ta !== tb) {
    if (ta === undefined || tb === undefined) return ta === undefined;
    const diff = logBucket(ta, now) - logBucket(tb, now);
    if (diff === 0) return (pa.metadata.uid ?? '') < (pb.metadata.uid ?? '');
    return diff < 0;
  }
  return undefined;
}

/**
 * getPodsToDelete: the `diff` pods to remove, ranked as upstream; `related` are the active pods
 * of the whole family (sibling ReplicaSets of one Deployment) for the doubled-up rank.
 */
export function podsToDelete(filtered: readonly PodObject[], related: readonly PodObject[], diff: number, now: number): PodObject[] {
  if (diff >= filtered.length) return [...filtered];
  const perNode = new Map<string, number>();
  for (const p of related) {
    const n = p.spec?.nodeName;
    if (n) perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  const ranked = filtered.map((pod) => ({ pod, rank: pod.spec?.nodeName ? perNode.get(pod.spec.nodeName) ?? 0 : 0 }));
  ranked.sort((a, b) => (deleteBefore(a, b, now) ? -1 : deleteBefore(b, a, now) ? 1 : 0));
  return ranked.slice(0, diff).map((r) => r.pod);
}
