import type { LabelSelector, LabelSelectorRequirement } from 'kubernetes-types/meta/v1.js';
import type { FieldError } from '../types.js';
import { fieldErr } from '../errors.js';
import { isValidLabelValue } from './names.js';
import { child, index } from './field-path.js';
import { validateLabelName, validateLabels } from './object-meta.js';

export interface LabelSelectorValidationOptions {
  allowInvalidLabelValueInSelector?: boolean;
}

/** metav1 ValidateLabelSelector: matchLabels as labels, each matchExpression well formed. */
export function validateLabelSelector(sel: LabelSelector | undefined | null, path: string, opts: LabelSelectorValidationOptions = {}): FieldError[] {
  if (!sel) return [];
  const errs = validateLabels(sel.matchLabels, child(path, 'matchLabels'));
  (sel.matchExpressions ?? []).forEach((expr, i) => {
    errs.push(...validateLabelSelectorRequirement(expr, index(child(path, 'matchExpressions'), i), opts));
  });
  return errs;
}

export function validateLabelSelectorRequirement(req: LabelSelectorRequirement, path: string, opts: LabelSelectorValidationOptions = {}): FieldError[] {
  const errs: FieldError[] = [];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(fieldErr.required(child(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(fieldErr.forbidden(child(path, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      errs.push(fieldErr.invalid(child(path, 'operator'), req.operator, 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(req.key, child(path, 'key')));
  if (!opts.allowInvalidLabelValueInSelector) {
    values.forEach((v, i) => {
      for (const m of isValidLabelValue(v)) errs.push(fieldErr.invalid(index(child(path, 'values'), i), v, m));
    });
  }
  return errs;
}
