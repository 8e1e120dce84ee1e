import type { ResourceDefinition } from '../api/resource.js';
import type { KubeList, KubeObject, Status, WatchEvent } from '../api/types.js';

export interface ListOptions {
  /** Omit (or '') for all namespaces / cluster-scoped resources. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  /**
   * The caller only reads the items (an informer freezes them): the in-process client may then
   * hand out the server's shared, read-only objects instead of a copy of each. Not sent over HTTP.
   */
  readOnly?: boolean;
}

export interface WatchOptions extends ListOptions {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  signal?: AbortSignal;
  /**
   * The caller only reads the answer (or ignores it): the in-process client may then hand out
   * the server's shared, frozen object instead of a copy. Not sent over HTTP.
   */
  readOnlyResult?: boolean;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface PatchOptions extends WriteOptions {
  subresource?: 'status' | 'scale';
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
  signal?: AbortSignal;
}

/**
 * The Kubernetes API as controllers, the scheduler, the kubelet and tests use it. Two
 * implementations: over HTTPS (rest-client) and in-process (same semantics, no sockets).
 * Errors are StatusError, rebuilt from the server's Status.
 * `namespace` is '' for cluster-scoped resources.
 */
export interface Client {
  get<T extends KubeObject>(res: ResourceDefinition<T>, namespace: string, name: string, opts?: { signal?: AbortSignal }): Promise<T>;
  list<T extends KubeObject>(res: ResourceDefinition<T>, opts?: ListOptions & { signal?: AbortSignal }): Promise<KubeList<T>>;
  create<T extends KubeObject>(res: ResourceDefinition<T>, obj: T, opts?: WriteOptions): Promise<T>;
  update<T extends KubeObject>(res: ResourceDefinition<T>, obj: T, opts?: WriteOptions): Promise<T>;
  updateStatus<T extends KubeObject>(res: ResourceDefinition<T>, obj: T, opts?: WriteOptions): Promise<T>;
  /** PUT to a subresource that takes the whole object: `status`, or a namespace's `finalize`. */
  updateSubresource<T extends KubeObject>(res: ResourceDefinition<T>, obj: T, subresource: 'status' | 'finalize', opts?: WriteOptions): Promise<T>;
  patch<T extends KubeObject>(res: ResourceDefinition<T>, namespace: string, name: string, type: PatchType, patch: unknown, opts?: PatchOptions): Promise<T>;
  /** Resolves with the object as deleted (or still terminating), or a Success Status. */
  delete<T extends KubeObject>(res: ResourceDefinition<T>, namespace: string, name: string, opts?: DeleteOptions): Promise<T | Status>;
  deleteCollection<T extends KubeObject>(res: ResourceDefinition<T>, opts?: ListOptions & DeleteOptions): Promise<KubeList<T> | Status>;
  /** Watch events until `signal` aborts or the server ends the stream. */
  watch<T extends KubeObject>(res: ResourceDefinition<T>, opts: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent<T>>;
  /** POST to a subresource: pods/binding, pods/eviction, serviceaccounts/token. */
  createSubresource<R>(res: ResourceDefinition, namespace: string, name: string, subresource: string, body: unknown, opts?: WriteOptions): Promise<R>;
}
