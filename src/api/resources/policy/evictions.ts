import type { Eviction } from 'kubernetes-types/policy/v1.js';
import type { FieldError } from '../../types.js';
import { fieldErr } from '../../errors.js';

/**
 * The body of POST …/pods/<name>/eviction (policy/v1 Eviction, also accepted as v1beta1).
 * Not a discoverable resource: the pods/eviction subresource handler uses these checks.
 */
export type EvictionBody = Eviction;

/** The apiserver's BadRequest when the Eviction names another pod than the URL. */
export const evictionNameMismatchMessage = 'name in URL does not match name in Eviction object';

/** Returns the BadRequest message for a body that does not belong to the URL, or undefined. */
export function evictionTargetError(ev: EvictionBody, podName: string, namespace: string): string | undefined {
  if ((ev.metadata?.name ?? '') !== podName) return evictionNameMismatchMessage;
  if (ev.metadata?.namespace && ev.metadata.namespace !== namespace) {
    return 'the namespace of the provided object does not match the namespace sent on the request';
  }
  return undefined;
}

/** ValidateDeleteOptions for the embedded deleteOptions. */
export function validateEviction(ev: EvictionBody): FieldError[] {
  const errs: FieldError[] = [];
  const opts = ev.deleteOptions;
  if (!opts) return errs;
  const policy = opts.propagationPolicy;
  if (policy != null && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    errs.push(fieldErr.notSupported('deleteOptions.propagationPolicy', policy, ['Foreground', 'Background', 'Orphan', 'nil']));
  }
  if (opts.orphanDependents != null && policy != null) {
    errs.push(fieldErr.invalid('deleteOptions.propagationPolicy', policy, 'orphanDependents and deletionPropagation cannot be both set'));
  }
  for (const d of opts.dryRun ?? []) {
    if (d !== 'All') errs.push(fieldErr.notSupported('deleteOptions.dryRun', opts.dryRun, ['All']));
  }
  return errs;
}
