import type { PodObject } from '../../api/resources/index.js';

/** batch.kubernetes.io/job-completion-index: on Indexed pods as an annotation and a label. */
export const completionIndexKey = 'batch.kubernetes.io/job-completion-index';
/** The env variable Indexed pods read their index from. */
export const completionIndexEnv = 'JOB_COMPLETION_INDEX';

/** A pod's completion index, or undefined when missing or malformed (getCompletionIndex). */
export function completionIndexOf(pod: Pick<PodObject, 'metadata'>): number | undefined {
  const v = pod.metadata.annotations?.[completionIndexKey] ?? pod.metadata.labels?.[completionIndexKey];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Sorted, distinct indexes as the compressed text of status.completedIndexes: `1,3-5,7`. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The indexes in status.completedIndexes below `completions` (bad parts are skipped, as upstream). */
export function parseIndexes(text: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let i = lo; i <= hi && i < completions; i++) out.add(i);
  }
  return out;
}

/**
 * firstPendingIndexes: the lowest `count` indexes below `completions` that have neither
 * succeeded nor an active pod.
 */
export function firstPendingIndexes(active: readonly PodObject[], succeeded: ReadonlySet<number>, count: number, completions: number): number[] {
  const taken = new Set(succeeded);
  for (const p of active) {
    const ix = completionIndexOf(p);
    if (ix !== undefined) taken.add(ix);
  }
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!taken.has(i)) out.push(i);
  return out;
}

/**
 * Active pods that must go in an Indexed Job: a missing or out-of-range index, or a second
 * pod for one index (the newer ones are kept only when the older is gone; upstream keeps one).
 */
export function duplicateOrInvalidIndexPods(active: readonly PodObject[], succeeded: ReadonlySet<number>, completions: number): PodObject[] {
  const out: PodObject[] = [];
  const seen = new Set<number>();
  const byIndex = [...active].sort((a, b) => (completionIndexOf(a) ?? -1) - (completionIndexOf(b) ?? -1));
  for (const p of byIndex) {
    const ix = completionIndexOf(p);
    if (ix === undefined || ix >= completions || succeeded.has(ix) || seen.has(ix)) { out.push(p); continue; }
    seen.add(ix);
  }
  return out;
}
