import type { ObjectMeta as ReadonlyObjectMeta, ListMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';
export type { ListMeta, OwnerReference };

/** kubernetes-types marks system fields read-only for clients; the server writes them. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };
export type ObjectMeta = Writable<ReadonlyObjectMeta>;

/**
 * Any Kubernetes object as the API serves it: metadata always present. Generic code that walks
 * arbitrary fields views it as `Record<string, unknown>` (see `fieldsOf`).
 */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

/** A kubernetes-types interface as the API serves it: `Kube<Deployment>`. */
export type Kube<T extends { metadata?: ReadonlyObjectMeta }> = T & { metadata: ObjectMeta };

/** The object as an open JSON record, for code that handles any kind. */
export function fieldsOf(obj: KubeObject): Record<string, unknown> {
  return obj as unknown as Record<string, unknown>;
}

/** A `<Kind>List`. */
export interface KubeList<T = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** One event on a watch stream, as the wire carries it. */
export interface WatchEvent<T = KubeObject> {
  type: WatchEventType;
  object: T;
}

/** The Kubernetes `Status` object (meta/v1). */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: ListMeta;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason | '';
  details?: StatusDetails;
  code: number;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export type StatusReason =
  | 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'AlreadyExists' | 'Conflict'
  | 'Gone' | 'Expired' | 'Invalid' | 'ServerTimeout' | 'Timeout' | 'TooManyRequests'
  | 'MethodNotAllowed' | 'NotAcceptable' | 'RequestEntityTooLarge' | 'UnsupportedMediaType'
  | 'InternalError' | 'ServiceUnavailable';

/** A validation failure on one field; the apiserver turns a list of them into 422 Invalid. */
export interface FieldError {
  /** Dotted path with list indices, e.g. `spec.template.spec.containers[0].image`. */
  field: string;
  type: FieldErrorType;
  /** The offending value, when there is one (printed as `Invalid value: <v>`). */
  value?: unknown;
  detail?: string;
}

export type FieldErrorType =
  | 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueDuplicate'
  | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany' | 'FieldValueTypeInvalid'
  | 'FieldValueNotFound' | 'InternalError';

/** Group/version/kind of a type. Core group is ''. */
export interface GroupVersionKind { group: string; version: string; kind: string }
export interface GroupVersionResource { group: string; version: string; resource: string }

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}
