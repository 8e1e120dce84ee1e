import type { KubeObject } from '../../api/types.js';

/** One change as the cache saw it, with the object before it (for selector-filtered watches). */
export interface CacheEvent {
  type: 'put' | 'delete';
  key: string;
  revision: number;
  /** put: the new object; delete: the last state. */
  object: KubeObject;
  /** put on an existing key: the object before. */
  prev?: KubeObject;
}

export interface CachePage {
  items: KubeObject[];
  revision: number;
  /** The last key returned when more remain (for a continue token). */
  nextKey?: string;
}

/**
 * What the registry needs from the watch cache: decoded objects in storage form, with
 * metadata.resourceVersion set. Objects are shared; never mutate them.
 */
export interface ObjectCache {
  get(key: string): KubeObject | undefined;
  /** Keys under `prefix`, in key order, strictly after `after`, at most `limit` when given. */
  list(prefix: string, opts?: { after?: string; limit?: number; filter?: (o: KubeObject) => boolean }): CachePage;
  revision(): number;
  waitForRevision(revision: number, signal?: AbortSignal): Promise<void>;
  /** Events strictly after `fromRevision`; throws CompactedError when that is too old. */
  watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncIterable<CacheEvent>;
}
