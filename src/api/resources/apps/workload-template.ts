import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../types.js';
import { fieldErr } from '../../errors.js';
import { child, validateLabelSelector } from '../../validation/index.js';
import { labelSelectorAsRequirements, matchesLabels, LabelSelectorParseError, type LabelRequirements } from '../../selectors/index.js';
import { validatePodTemplateSpec } from '../core/index.js';

export const selectorMismatchMessage = '`selector` does not match template `labels`';

/** LabelSelectorAsSelector, or the parse error message. */
export function parseSelector(sel: LabelSelector | undefined): LabelRequirements | null | string {
  try {
    return labelSelectorAsRequirements(sel);
  } catch (e) {
    if (e instanceof LabelSelectorParseError) return e.message;
    throw e;
  }
}

/**
 * A required, non-empty, well-formed selector (Deployment/ReplicaSet/StatefulSet); returns its
 * requirements for the template match, or undefined when it cannot be used.
 */
export function validateWorkloadSelector(sel: LabelSelector | undefined, path: string, kind: string, errs: FieldError[]): LabelRequirements | null | undefined {
  if (!sel) errs.push(fieldErr.required(path, ''));
  else {
    errs.push(...validateLabelSelector(sel, path));
    if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions?.length ?? 0) === 0) {
      errs.push(fieldErr.invalid(path, sel, `empty selector is invalid for ${kind}`));
    }
  }
  const parsed = parseSelector(sel);
  if (typeof parsed === 'string') {
    errs.push(fieldErr.invalid(path, sel ?? null, 'invalid label selector'));
    return undefined;
  }
  return parsed;
}

/**
 * ValidatePodTemplateSpecForReplicaSet (and the StatefulSet/DaemonSet variants): the selector
 * must match the template labels, the template must be valid, restartPolicy Always and no
 * activeDeadlineSeconds.
 */
export function validateTemplateForSelector(t: PodTemplateSpec | undefined, selector: LabelRequirements | null, path: string, kind: string): FieldError[] {
  if (!t) return [fieldErr.required(path, '')];
  const errs: FieldError[] = [];
  if (selector === null || selector.length > 0) {
    if (!matchesLabels(selector, t.metadata?.labels ?? {})) {
      errs.push(fieldErr.invalid(child(path, 'metadata', 'labels'), t.metadata?.labels ?? {}, selectorMismatchMessage));
    }
  }
  errs.push(...validatePodTemplateSpec(t, path));
  if (t.spec?.restartPolicy !== 'Always') errs.push(fieldErr.notSupported(child(path, 'spec', 'restartPolicy'), t.spec?.restartPolicy ?? '', ['Always']));
  if (t.spec?.activeDeadlineSeconds != null) {
    errs.push(fieldErr.forbidden(child(path, 'spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}
