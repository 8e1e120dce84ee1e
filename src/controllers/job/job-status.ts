import type { JobStatus } from 'kubernetes-types/batch/v1.js';

/** status as the API keeps it: zero counts and empty lists are omitted, so compare without them. */
function normalized(s: JobStatus | undefined): unknown {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s ?? {})) {
    if (v === undefined || v === null) continue;
    if ((k === 'active' || k === 'succeeded' || k === 'failed') && v === 0) continue;
    if (k === 'completedIndexes' && v === '') continue;
    if (k === 'conditions' && Array.isArray(v) && v.length === 0) continue;
    if (k === 'uncountedTerminatedPods') {
      const u = v as { succeeded?: string[]; failed?: string[] };
      out[k] = { succeeded: [...(u.succeeded ?? [])].sort(), failed: [...(u.failed ?? [])].sort() };
      continue;
    }
    out[k] = v;
  }
  return out;
}

/** True when writing `next` would change what the API holds. */
export function jobStatusChanged(prev: JobStatus | undefined, next: JobStatus): boolean {
  return JSON.stringify(normalized(prev)) !== JSON.stringify(normalized(next));
}
