import type { FieldError } from '../types.js';
import { fieldErr } from '../errors.js';
import { inclusiveRangeError, isValidPortName, isValidPortNum } from './names.js';

export const isNegativeErrorMsg = 'must be greater than or equal to 0';
export const fieldImmutableErrorMsg = 'field is immutable';

/** `must be greater than or equal to 0` when value < 0. */
export function validateNonnegative(value: number | undefined | null, path: string): FieldError[] {
  return value != null && value < 0 ? [fieldErr.invalid(path, value, isNegativeErrorMsg)] : [];
}

/** `must be greater than zero` when value <= 0 (Kubernetes' ValidatePositiveField wording differs by caller; this is the common one). */
export function validatePositive(value: number | undefined | null, path: string): FieldError[] {
  return value != null && value <= 0 ? [fieldErr.invalid(path, value, 'must be greater than zero')] : [];
}

export function validateInRange(value: number, lo: number, hi: number, path: string): FieldError[] {
  return value < lo || value > hi ? [fieldErr.invalid(path, value, inclusiveRangeError(lo, hi))] : [];
}

/** A port number 1–65535; `required` reports 0/absent as Required. */
export function validatePortNumber(port: number | undefined | null, path: string, required = true): FieldError[] {
  if (port == null || port === 0) return required ? [fieldErr.required(path, '')] : [];
  return isValidPortNum(port).map((m) => fieldErr.invalid(path, port, m));
}

/** A port given by number or IANA name (container port references, targetPort). */
export function validatePortNumOrName(port: number | string, path: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => fieldErr.invalid(path, port, m));
  if (port === '') return [fieldErr.required(path, '')];
  return isValidPortName(port).map((m) => fieldErr.invalid(path, port, m));
}
