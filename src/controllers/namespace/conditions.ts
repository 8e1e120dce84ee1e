import type { NamespaceCondition } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../base/clock.js';

/** The conditions the namespace deleter maintains, in upstream's order. */
export const namespaceConditionTypes = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;
export type NamespaceConditionType = (typeof namespaceConditionTypes)[number];

const okMessages: Record<NamespaceConditionType, string> = {
  NamespaceDeletionDiscoveryFailure: 'All resources successfully discovered',
  NamespaceDeletionGroupVersionParsingFailure: 'All legacy kube types successfully parsed',
  NamespaceDeletionContentFailure: 'All content successfully deleted, may be waiting on finalization',
  NamespaceContentRemaining: 'All content successfully removed',
  NamespaceFinalizersRemaining: 'All content successfully removed',
};
const okReasons: Record<NamespaceConditionType, string> = {
  NamespaceDeletionDiscoveryFailure: 'ResourcesDiscovered',
  NamespaceDeletionGroupVersionParsingFailure: 'ParsedGroupVersions',
  NamespaceDeletionContentFailure: 'ContentDeleted',
  NamespaceContentRemaining: 'ContentRemoved',
  NamespaceFinalizersRemaining: 'ContentRemoved',
};

/** What one pass of content deletion found (errors as messages, remaining counts). */
export interface DeletionReport {
  discoveryError?: string;
  groupVersionError?: string;
  contentErrors: string[];
  /** `plural.group` → objects still there. */
  remainingByResource: Map<string, number>;
  /** finalizer → objects still carrying it. */
  remainingByFinalizer: Map<string, number>;
}

export function emptyReport(): DeletionReport {
  return { contentErrors: [], remainingByResource: new Map(), remainingByFinalizer: new Map() };
}

/** The failing conditions a report implies (namespaceConditionUpdater). */
function failures(r: DeletionReport): Map<NamespaceConditionType, { reason: string; message: string }> {
  const out = new Map<NamespaceConditionType, { reason: string; message: string }>();
  if (r.discoveryError !== undefined) out.set('NamespaceDeletionDiscoveryFailure', { reason: 'DiscoveryFailed', message: r.discoveryError });
  if (r.groupVersionError !== undefined) out.set('NamespaceDeletionGroupVersionParsingFailure', { reason: 'GroupVersionParsingFailed', message: r.groupVersionError });
  if (r.contentErrors.length) {
    const msgs = [...r.contentErrors].sort();
    out.set('NamespaceDeletionContentFailure', { reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(', ')}` });
  }
  const resources = [...r.remainingByResource].filter(([, n]) => n > 0).map(([res, n]) => `${res} has ${n} resource instances`).sort();
  if (r.remainingByResource.size) out.set('NamespaceContentRemaining', { reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${resources.join(', ')}` });
  const finalizers = [...r.remainingByFinalizer].filter(([, n]) => n > 0).map(([f, n]) => `${f} in ${n} resource instances`).sort();
  if (r.remainingByFinalizer.size) out.set('NamespaceFinalizersRemaining', { reason: 'SomeFinalizerRemain', message: `Some finalizers are remaining: ${finalizers.join(', ')}` });
  return out;
}

/**
 * The namespace's conditions after a deletion pass: every maintained type present, True with
 * the failure or False with the ok wording; lastTransitionTime moves only when status flips.
 * Other conditions are kept as they are.
 */
export function namespaceConditions(current: readonly NamespaceCondition[] | undefined, report: DeletionReport, now: number): NamespaceCondition[] {
  const out = (current ?? []).map((c) => ({ ...c }));
  const failing = failures(report);
  for (const type of namespaceConditionTypes) {
    const f = failing.get(type);
    const next: NamespaceCondition = f
      ? { type, status: 'True', lastTransitionTime: rfc3339(now), reason: f.reason, message: f.message }
      : { type, status: 'False', lastTransitionTime: rfc3339(now), reason: okReasons[type], message: okMessages[type] };
    const old = out.find((c) => c.type === type);
    if (!old) { out.push(next); continue; }
    if (old.status !== next.status) old.lastTransitionTime = next.lastTransitionTime;
    old.status = next.status;
    old.reason = next.reason;
    old.message = next.message;
  }
  return out;
}
