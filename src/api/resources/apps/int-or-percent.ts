import type { FieldError } from '../../types.js';
import { fieldErr } from '../../errors.js';
import { isValidPercent, validateNonnegative } from '../../validation/index.js';

/** An intstr.IntOrString as JSON carries it: 3 or "25%". */
export type IntOrPercent = number | string;

/** ValidatePositiveIntOrPercent: a non-negative integer or a `N%` string. */
export function validatePositiveIntOrPercent(v: IntOrPercent | undefined, path: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return isValidPercent(v).map((m) => fieldErr.invalid(path, v, m));
  if (typeof v === 'number' && Number.isInteger(v)) return validateNonnegative(v, path);
  return [fieldErr.invalid(path, v, "must be an integer or percentage (e.g '5%')")];
}

/** getIntOrPercentValue: the integer, or the number before '%'. */
export function intOrPercentValue(v: IntOrPercent | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = Number.parseInt(v.replace(/%$/, ''), 10);
    return Number.isNaN(n) ? 0 : n;
  }
  return 0;
}

/** IsNotMoreThan100Percent. */
export function validateNotMoreThan100Percent(v: IntOrPercent | undefined, path: string): FieldError[] {
  if (typeof v !== 'string' || !v.endsWith('%')) return [];
  return intOrPercentValue(v) > 100 ? [fieldErr.invalid(path, v, 'must not be greater than 100%')] : [];
}

/** intstr's String(): the number or the string as given. */
export function intOrPercentString(v: IntOrPercent): string {
  return String(v);
}
