import type { FieldError, Status, StatusCause, StatusDetails, StatusReason } from './types.js';

/** The one error type for API failures: carries a full Kubernetes Status. */
export class StatusError extends Error {
  readonly status: Status;
  constructor(status: Status, options?: { cause?: unknown }) {
    super(status.message ?? status.reason ?? 'error', options);
    this.name = 'StatusError';
    this.status = status;
  }
  get code(): number { return this.status.code; }
  get reason(): string { return this.status.reason ?? ''; }
}

/** Identifies the object an error is about: `deployments.apps "web"`. */
export interface Qualified { resource: string; group?: string; name?: string }

function qualifiedName(q: Qualified): string {
  return q.group ? `${q.resource}.${q.group}` : q.resource;
}

export function statusError(code: number, reason: StatusReason | '', message: string, details?: StatusDetails): StatusError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) status.details = details;
  return new StatusError(status);
}

function detailsOf(q: Qualified): StatusDetails {
  const d: StatusDetails = {};
  if (q.name !== undefined) d.name = q.name;
  if (q.group) d.group = q.group;
  d.kind = q.resource;
  return d;
}

export function notFound(q: Qualified): StatusError {
  return statusError(404, 'NotFound', `${qualifiedName(q)} "${q.name ?? ''}" not found`, detailsOf(q));
}

export function alreadyExists(q: Qualified): StatusError {
  return statusError(409, 'AlreadyExists', `${qualifiedName(q)} "${q.name ?? ''}" already exists`, detailsOf(q));
}

export function conflict(q: Qualified, why = 'the object has been modified; please apply your changes to the latest version and try again'): StatusError {
  return statusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedName(q)} "${q.name ?? ''}": ${why}`, detailsOf(q));
}

export function badRequest(message: string, causes?: StatusCause[]): StatusError {
  return statusError(400, 'BadRequest', message, causes ? { causes } : undefined);
}

export function unauthorized(message = 'Unauthorized'): StatusError {
  return statusError(401, 'Unauthorized', message);
}

export function forbidden(message: string, q?: Qualified): StatusError {
  return statusError(403, 'Forbidden', message, q ? detailsOf(q) : undefined);
}

export function methodNotAllowed(message: string): StatusError {
  return statusError(405, 'MethodNotAllowed', message);
}

export function notAcceptable(message: string): StatusError {
  return statusError(406, 'NotAcceptable', message);
}

export function gone(message: string): StatusError {
  return statusError(410, 'Expired', message);
}

export function tooLarge(message = 'Request entity too large: limit is 3145728'): StatusError {
  return statusError(413, 'RequestEntityTooLarge', message);
}

export function unsupportedMediaType(message: string): StatusError {
  return statusError(415, 'UnsupportedMediaType', message);
}

export function tooManyRequests(message: string, retryAfterSeconds = 1): StatusError {
  return statusError(429, 'TooManyRequests', message, { retryAfterSeconds });
}

export function internal(cause: unknown, message?: string): StatusError {
  const text = message ?? `Internal error occurred: ${cause instanceof Error ? cause.message : String(cause)}`;
  const err = statusError(500, 'InternalError', text, { causes: [{ message: text }] });
  return new StatusError(err.status, { cause });
}

export function serviceUnavailable(message: string): StatusError {
  return statusError(503, 'ServiceUnavailable', message);
}

export function timeout(message: string): StatusError {
  return statusError(504, 'Timeout', message);
}

/** Renders a FieldError the way Kubernetes prints it: `spec.replicas: Invalid value: -1: must be …`. */
export function formatFieldError(e: FieldError): string {
  const label: Record<FieldError['type'], string> = {
    FieldValueRequired: 'Required value',
    FieldValueInvalid: 'Invalid value',
    FieldValueNotSupported: 'Unsupported value',
    FieldValueDuplicate: 'Duplicate value',
    FieldValueForbidden: 'Forbidden',
    FieldValueTooLong: 'Too long',
    FieldValueTooMany: 'Too many',
    FieldValueTypeInvalid: 'Invalid value',
    FieldValueNotFound: 'Not found',
    InternalError: 'Internal error',
  };
  let text = `${e.field}: ${label[e.type]}`;
  const showsValue = e.type === 'FieldValueInvalid' || e.type === 'FieldValueNotSupported' || e.type === 'FieldValueDuplicate' || e.type === 'FieldValueTypeInvalid' || e.type === 'FieldValueNotFound';
  if (showsValue && e.value !== undefined) text += `: ${formatValue(e.value)}`;
  if (e.detail) text += `: ${e.detail}`;
  return text;
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** 422 Invalid: `Deployment.apps "x" is invalid: [a, b]` with one cause per field error. */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): StatusError {
  const what = group ? `${kind}.${group}` : kind;
  const lines = errors.map(formatFieldError);
  const list = lines.length === 1 ? lines[0] : `[${lines.join(', ')}]`;
  const details: StatusDetails = {
    name, kind,
    causes: errors.map((e) => ({ reason: e.type, message: formatFieldError(e).slice(e.field.length + 2), field: e.field })),
  };
  if (group) details.group = group;
  return statusError(422, 'Invalid', `${what} "${name}" is invalid: ${list}`, details);
}

export function isStatusError(e: unknown): e is StatusError { return e instanceof StatusError; }
export const isNotFound = (e: unknown): boolean => isStatusError(e) && e.code === 404;
export const isAlreadyExists = (e: unknown): boolean => isStatusError(e) && e.reason === 'AlreadyExists';
export const isConflict = (e: unknown): boolean => isStatusError(e) && e.code === 409 && e.reason === 'Conflict';
export const isGone = (e: unknown): boolean => isStatusError(e) && e.code === 410;
export const isInvalid = (e: unknown): boolean => isStatusError(e) && e.code === 422;
export const isForbidden = (e: unknown): boolean => isStatusError(e) && e.code === 403;

/** Field-error constructors, so validators read like Kubernetes' field.Required(...) etc. */
export const fieldErr = {
  required: (field: string, detail = ''): FieldError => ({ field, type: 'FieldValueRequired', detail }),
  invalid: (field: string, value: unknown, detail: string): FieldError => ({ field, type: 'FieldValueInvalid', value, detail }),
  notSupported: (field: string, value: unknown, supported: readonly string[]): FieldError => ({
    field, type: 'FieldValueNotSupported', value, detail: `supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
  }),
  duplicate: (field: string, value: unknown): FieldError => ({ field, type: 'FieldValueDuplicate', value }),
  forbidden: (field: string, detail: string): FieldError => ({ field, type: 'FieldValueForbidden', detail }),
  tooLong: (field: string, max: number): FieldError => ({ field, type: 'FieldValueTooLong', detail: `may not be more than ${max} bytes` }),
  typeInvalid: (field: string, value: unknown, detail: string): FieldError => ({ field, type: 'FieldValueTypeInvalid', value, detail }),
  notFound: (field: string, value: unknown): FieldError => ({ field, type: 'FieldValueNotFound', value }),
};
