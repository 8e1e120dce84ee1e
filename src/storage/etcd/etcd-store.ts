import { Etcd3, type IKeyValue, type IRequestOp, type ICompare, type IWatchResponse } from 'etcd3';
import {
  CompactedError, KeyExistsError, KeyNotFoundError, RevisionMismatchError,
  type KeyValue, type ListOptions, type ListResult, type Store, type StoreEvent,
} from '../store.js';
import { prefixEndBytes } from '../key-range.js';

export interface EtcdStoreOptions {
  /** Client URLs, e.g. `http://127.0.0.1:2379,http://127.0.0.1:22379`. */
  endpoints: string;
  /** How long a call may wait for a connection (default 5 s). */
  dialTimeoutMs?: number;
}

/** Parses `http(s)://host:port[,host:port]` into the host URLs the client dials. */
export function parseEndpoints(endpoints: string): string[] {
  const parts = endpoints.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new Error('etcd: no endpoints given');
  let scheme = 'http:';
  return parts.map((part) => {
    const url = new URL(/^[a-z]+:\/\//i.test(part) ? part : `${scheme}//${part}`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`etcd: unsupported endpoint ${part}`);
    scheme = url.protocol;
    return `${url.protocol}//${url.host}`;
  });
}

export function openEtcdStore(options: EtcdStoreOptions): EtcdStore {
  return new EtcdStore(options);
}

/**
 * The Store on etcd v3. Revisions are etcd's own: a create is a txn guarded by
 * createRevision == 0, an update by modRevision == expected; reads take the revision from the
 * response header. Watches use their own gRPC watch stream so that etcd's compaction answer
 * (a cancel carrying compact_revision) becomes a CompactedError.
 */
export class EtcdStore implements Store {
  readonly #client: Etcd3;
  #closed = false;
  readonly #closing = new AbortController();

  constructor(options: EtcdStoreOptions) {
    this.#client = new Etcd3({ hosts: parseEndpoints(options.endpoints), dialTimeout: options.dialTimeoutMs ?? 5000 });
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.#call('get', () => this.#client.kv.range({ key: Buffer.from(key) }));
    const kv = res.kvs[0];
    return kv ? toKeyValue(kv) : undefined;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const start = Buffer.from(prefix);
    const key = options.after !== undefined && options.after >= prefix ? Buffer.concat([Buffer.from(options.after), Buffer.from([0])]) : start;
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    const res = await this.#call('list', () => this.#client.kv.range({
      key,
      range_end: prefixEndBytes(start),
      ...(options.revision && options.revision > 0 ? { revision: options.revision } : {}),
      ...(limit ? { limit } : {}),
      sort_order: 'Ascend',
      sort_target: 'Key',
    }), options.revision);
    const revision = options.revision && options.revision > 0 ? options.revision : Number(res.header.revision);
    return { kvs: res.kvs.map(toKeyValue), revision, ...(limit ? { more: res.more } : {}) };
  }

  async create(key: string, value: Uint8Array): Promise<KeyValue> {
    const k = Buffer.from(key);
    const res = await this.#call('create', () => this.#client.kv.txn({
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: k, value: Buffer.from(value) } }],
      failure: [],
    }));
    if (!res.succeeded) throw new KeyExistsError(key);
    const revision = Number(res.header.revision);
    return { key, value, createRevision: revision, modRevision: revision };
  }

  async update(key: string, value: Uint8Array, expectedRevision: number): Promise<KeyValue> {
    const k = Buffer.from(key);
    const res = await this.#call('update', () => this.#client.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision }],
      success: [{ request_put: { key: k, value: Buffer.from(value), prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    }));
    if (!res.succeeded) throw this.#casFailure(key, res.responses);
    const revision = Number(res.header.revision);
    const prev = res.responses[0]?.response_put?.prev_kv;
    // The compare guarantees the key existed at expectedRevision; a missing prev_kv would mean it did not.
    if (!prev) throw new Error(`etcd: update of ${key} succeeded without a previous value`);
    return { key, value, createRevision: Number(prev.create_revision), modRevision: revision };
  }

  async delete(key: string, expectedRevision?: number): Promise<{ kv: KeyValue; revision: number }> {
    const k = Buffer.from(key);
    const compare: ICompare[] = expectedRevision === undefined
      ? [{ key: k, target: 'Create', result: 'Greater', create_revision: 0 }]
      : [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision }];
    const failure: IRequestOp[] = [{ request_range: { key: k } }];
    const res = await this.#call('delete', () => this.#client.kv.txn({
      compare,
      success: [{ request_delete_range: { key: k, prev_kv: true } }],
      failure,
    }));
    if (!res.succeeded) throw this.#casFailure(key, res.responses);
    const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
    if (!prev) throw new KeyNotFoundError(key);
    return { kv: toKeyValue(prev), revision: Number(res.header.revision) };
  }

  async currentRevision(): Promise<number> {
    const res = await this.#call('revision', () => this.#client.kv.range({ key: Buffer.from([0]), count_only: true }));
    return Number(res.header.revision);
  }

  /** etcd compaction; compacting at or below the last compaction is a no-op, as in the SQLite store. */
  async compact(revision: number): Promise<void> {
    try {
      await this.#call('compact', () => this.#client.kv.compact({ revision, physical: false }));
    } catch (err) {
      if (err instanceof CompactedError) return;
      throw err;
    }
  }

  watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncIterable<StoreEvent> {
    return this.#watch(prefix, fromRevision, signal);
  }

  /** Ends every watch stream and closes the gRPC channels, so nothing keeps the process alive. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort(new Error('etcd: store closed'));
    this.#client.close();
  }

  async *#watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncGenerator<StoreEvent> {
    if (this.#closed) throw new Error('etcd: store is closed');
    const both = AbortSignal.any([signal, this.#closing.signal]);
    const stream = await this.#call('watch', () => this.#client.watchClient.watch());
    const queue: IWatchResponse[] = [];
    let failure: Error | undefined;
    let ended = false;
    let wake: (() => void) | undefined;
    const poke = () => { const w = wake; wake = undefined; w?.(); };
    stream.on('data', (res: IWatchResponse) => { queue.push(res); poke(); });
    stream.on('error', (err: Error) => { failure ??= new Error(`etcd: watch on ${prefix} failed`, { cause: err }); poke(); });
    stream.on('end', () => { ended = true; poke(); });
    const onAbort = () => poke();
    both.addEventListener('abort', onAbort, { once: true });
    const start = Buffer.from(prefix);
    stream.write({
      create_request: { key: start, range_end: prefixEndBytes(start), start_revision: fromRevision + 1, prev_kv: true },
    });
    try {
      for (;;) {
        while (queue.length > 0) {
          const res = queue.shift()!;
          if (res.canceled) {
            const compacted = Number(res.compact_revision);
            if (compacted > 0) throw new CompactedError(fromRevision, compacted);
            throw new Error(`etcd: watch on ${prefix} canceled by the server${res.cancel_reason ? `: ${res.cancel_reason}` : ''}`);
          }
          for (const ev of res.events) {
            if (both.aborted) break;
            const event = toEvent(ev.type, ev.kv, ev.prev_kv);
            yield event;
            fromRevision = event.revision;
          }
        }
        if (signal.aborted) return;
        if (both.aborted) throw both.reason;
        if (failure) throw failure;
        if (ended) throw new Error(`etcd: watch stream on ${prefix} ended`);
        await new Promise<void>((resolve) => { wake = resolve; });
      }
    } finally {
      both.removeEventListener('abort', onAbort);
      // The 'error' listener above stays attached, so the CANCELLED status of this call is not unhandled.
      stream.cancel();
    }
  }

  #casFailure(key: string, responses: { response_range?: { kvs: IKeyValue[] } }[]): Error {
    const cur = responses[0]?.response_range?.kvs[0];
    return cur ? new RevisionMismatchError(key, toKeyValue(cur)) : new KeyNotFoundError(key);
  }

  /** Runs one etcd call, naming the operation in errors and turning "compacted" into CompactedError. */
  async #call<T>(op: string, fn: () => Promise<T>, revision?: number): Promise<T> {
    if (this.#closed) throw new Error('etcd: store is closed');
    try {
      return await fn();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message.includes('required revision has been compacted')) {
        throw new CompactedError(revision ?? 0, await this.#compactedRevisionHint());
      }
      if (message.includes('required revision is a future revision')) {
        throw new Error(`etcd: ${op}: revision ${revision ?? ''} is in the future`, { cause: err });
      }
      throw new Error(`etcd: ${op}`, { cause: err });
    }
  }

  /**
   * etcd does not report the compacted revision on a failed range, but a watch of the whole
   * keyspace from revision 1 is cancelled with it at once, so ask that way (0 when unknown).
   */
  async #compactedRevisionHint(): Promise<number> {
    try {
      for await (const _ of this.#watch('', 0, AbortSignal.timeout(2000))) break;
    } catch (err) {
      if (err instanceof CompactedError) return err.compacted;
      throw err;
    }
    return 0;
  }
}

function toKeyValue(kv: IKeyValue): KeyValue {
  return { key: kv.key.toString(), value: kv.value, createRevision: Number(kv.create_revision), modRevision: Number(kv.mod_revision) };
}

function toEvent(type: string, kv: IKeyValue, prevKv: IKeyValue | undefined): StoreEvent {
  const key = kv.key.toString();
  const revision = Number(kv.mod_revision);
  if (type === 'Delete') {
    // etcd's delete event carries only the key; the last value comes from prev_kv.
    const last: KeyValue = prevKv
      ? toKeyValue(prevKv)
      : { key, value: new Uint8Array(0), createRevision: 0, modRevision: 0 };
    return { type: 'delete', key, revision, kv: last };
  }
  const event: StoreEvent = { type: 'put', key, revision, kv: toKeyValue(kv) };
  if (prevKv && Number(kv.version) > 1) event.prev = toKeyValue(prevKv);
  return event;
}
