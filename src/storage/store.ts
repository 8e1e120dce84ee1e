/**
 * The datastore: an MVCC key/value log. Every write gets the next global revision; the
 * apiserver uses an object's modRevision as its resourceVersion. Backends: sqlite/, etcd/.
 * Values are opaque bytes to the store (the apiserver writes JSON).
 */
export interface KeyValue {
  key: string;
  value: Uint8Array;
  /** Revision of the write that created this key (since its last deletion). */
  createRevision: number;
  /** Revision of the last write to this key: the resourceVersion. */
  modRevision: number;
}

export interface StoreEvent {
  type: 'put' | 'delete';
  key: string;
  /** The revision of this event. */
  revision: number;
  /** For put: the new value. For delete: the value just before deletion. */
  kv: KeyValue;
  /** For put on an existing key: the value before. */
  prev?: KeyValue;
}

export interface ListResult {
  kvs: KeyValue[];
  /** The store revision the list was read at. */
  revision: number;
  /** True when `limit` cut the list short: list again with `after` = the last key and the same revision. */
  more?: boolean;
}

/** Options of `Store.list` (all optional: a plain list reads every key at the newest revision). */
export interface ListOptions {
  /** Read at this revision instead of the newest; CompactedError when it is older than the history. */
  revision?: number;
  /** Only keys strictly after this one (the continuation of a chunked list). */
  after?: string;
  /** At most this many keys (0 or absent: no limit); `more` tells whether keys remain. */
  limit?: number;
}

export interface Store {
  /** Current value of `key`, or undefined. */
  get(key: string): Promise<KeyValue | undefined>;
  /** All live keys under `prefix`, sorted by key, read at one revision. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Creates `key`; rejects with KeyExistsError when present. */
  create(key: string, value: Uint8Array): Promise<KeyValue>;
  /**
   * Replaces `key` only if its modRevision is still `expectedRevision`; rejects with
   * RevisionMismatchError (current value attached) or KeyNotFoundError.
   */
  update(key: string, value: Uint8Array, expectedRevision: number): Promise<KeyValue>;
  /**
   * Deletes `key` (only at `expectedRevision` when given). Resolves with the deleted value and
   * the revision of the deletion. Rejects with KeyNotFoundError / RevisionMismatchError.
   */
  delete(key: string, expectedRevision?: number): Promise<{ kv: KeyValue; revision: number }>;
  /**
   * Every event under `prefix` strictly after `fromRevision`, then live ones, in revision order,
   * until `signal` aborts. Rejects (first iteration) with CompactedError when `fromRevision` is
   * older than the retained history.
   */
  watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncIterable<StoreEvent>;
  /** The latest revision the store has assigned. */
  currentRevision(): Promise<number>;
  /** Drops history before `revision` (live keys stay). */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

export class KeyExistsError extends Error {
  constructor(readonly key: string) { super(`key exists: ${key}`); this.name = 'KeyExistsError'; }
}
export class KeyNotFoundError extends Error {
  constructor(readonly key: string) { super(`key not found: ${key}`); this.name = 'KeyNotFoundError'; }
}
export class RevisionMismatchError extends Error {
  constructor(readonly key: string, readonly current: KeyValue) {
    super(`revision mismatch on ${key}: now ${current.modRevision}`); this.name = 'RevisionMismatchError';
  }
}
export class CompactedError extends Error {
  constructor(readonly requested: number, readonly compacted: number) {
    super(`revision ${requested} has been compacted (oldest ${compacted})`); this.name = 'CompactedError';
  }
}
