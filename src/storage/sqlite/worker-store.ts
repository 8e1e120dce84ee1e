import { Worker } from 'node:worker_threads';
import type { KeyValue, ListOptions, ListResult, Store, StoreEvent } from '../store.js';
import { followLog, type LogSource } from './follow-log.js';
import { Notifier } from './notifier.js';
import type { SqliteStoreOptions } from './sqlite-store.js';
import { ownBytes } from './bytes.js';
import {
  fromWireError, fromWireKv,
  type FromWorker, type QueryOp, type ToWorker, type WireEvent, type WireKv, type WriteOp,
} from './worker-protocol.js';

/**
 * The embedded SQLite store with its database on a worker thread: statements, commits, WAL
 * checkpoints and fsyncs (a third of the API server's main-thread time under write load) run
 * beside the event loop instead of on it. Same semantics as SqliteStore, which the worker hosts
 * (store-worker.ts): group commit, a write acknowledged once durable, watches that replay the
 * table and then follow the commits. The main thread keeps the watchers: the worker publishes
 * each commit once, and a write's bytes are not sent back (its events carry the writer's own
 * value object, which the apiserver's codec recognises).
 */
export async function openSqliteStoreInWorker(options: SqliteStoreOptions): Promise<WorkerSqliteStore> {
  const worker = new Worker(new URL('./store-worker.js', import.meta.url), {
    workerData: options,
    // The worker needs none of the process's node flags (some are refused in workers).
    execArgv: [],
  });
  const revision = await new Promise<number>((resolve, reject) => {
    const onError = (err: Error) => reject(new Error(`sqlite: opening ${options.path}`, { cause: err }));
    const onExit = (code: number) => reject(new Error(`sqlite: the store worker exited (${code}) while opening ${options.path}`));
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.once('message', (m: FromWorker) => {
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (m.t === 'ready') resolve(m.revision);
      else if (m.t === 'failed') reject(new Error(`sqlite: opening ${options.path}`, { cause: fromWireError(m.error) }));
      else reject(new Error(`sqlite: unexpected first message ${m.t} from the store worker`));
    });
  });
  return new WorkerSqliteStore(worker, revision, options);
}

interface Pending { resolve(v: unknown): void; reject(e: unknown): void }
interface PendingWrite extends Pending { op: WriteOp['op']; value?: Uint8Array }

export class WorkerSqliteStore implements Store {
  readonly #worker: Worker;
  readonly #notifier = new Notifier();
  readonly #source: LogSource;
  /** The newest revision published: every acknowledged write is at or below it. */
  #revision: number;
  /** Set once close() is called: no write is accepted after it. */
  #closing: Promise<void> | undefined;
  /** The worker has been terminated. */
  #ended = false;
  #failure: Error | undefined;
  #nextId = 1;
  readonly #writes = new Map<number, PendingWrite>();
  readonly #queries = new Map<number, Pending>();
  /** Writes of this turn, posted together (one group commit in the worker). */
  #batch: WriteOp[] = [];

  constructor(worker: Worker, revision: number, options: SqliteStoreOptions) {
    this.#worker = worker;
    this.#revision = revision;
    this.#source = {
      replay: (prefix, pos, limit) => this.#query<WireEvent[]>('replay', [prefix, pos, limit]).then((evs) => evs.map((ev) => this.#event(ev))),
      notifier: this.#notifier,
      pageSize: options.replayPageSize ?? 1000,
      maxQueued: options.maxQueuedEvents ?? 10_000,
      assertOpen: () => this.#assertOpen(),
    };
    worker.on('message', (m: FromWorker) => this.#receive(m));
    worker.on('error', (err) => this.#fail(new Error(`sqlite: the store worker failed: ${err.message}`, { cause: err })));
    // Once closing, the worker ends on purpose (it may do so before close() has seen its answer).
    worker.on('exit', (code) => { if (!this.#closing) this.#fail(new Error(`sqlite: the store worker exited (${code})`)); });
    // Only work in flight keeps the process alive (see #settled).
    worker.unref();
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const kv = await this.#query<WireKv | undefined>('get', [key]);
    return kv && this.#kv(kv);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const r = await this.#query<ListResult & { kvs: WireKv[] }>('list', [prefix, options]);
    return { ...r, kvs: r.kvs.map((kv) => this.#kv(kv)) };
  }

  create(key: string, value: Uint8Array): Promise<KeyValue> {
    return this.#write({ op: 'create', key, value });
  }

  update(key: string, value: Uint8Array, expectedRevision: number): Promise<KeyValue> {
    return this.#write({ op: 'update', key, value, revision: expectedRevision });
  }

  delete(key: string, expectedRevision?: number): Promise<{ kv: KeyValue; revision: number }> {
    return this.#write({ op: 'delete', key, ...(expectedRevision !== undefined ? { revision: expectedRevision } : {}) });
  }

  watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncIterable<StoreEvent> {
    return followLog(this.#source, prefix, fromRevision, signal);
  }

  async currentRevision(): Promise<number> {
    this.#assertOpen();
    return this.#revision;
  }

  async compact(revision: number): Promise<void> {
    await this.#query('compact', [revision]);
  }

  close(): Promise<void> {
    return this.#closing ??= this.#close();
  }

  async #close(): Promise<void> {
    this.#flush(); // writes already accepted are committed, not dropped
    try {
      if (!this.#failure) await this.#query('close', []);
    } finally {
      this.#ended = true;
      const closed = new Error('sqlite: store closed');
      this.#notifier.fail(closed);
      // An unreferenced worker's end would not keep the process alive until terminate() settles.
      this.#worker.ref();
      await this.#worker.terminate();
      // Nothing is left in flight after the worker's close; should anything be, it fails, not hangs.
      for (const p of [...this.#writes.values(), ...this.#queries.values()]) p.reject(closed);
      this.#writes.clear();
      this.#queries.clear();
    }
  }

  /** Live watchers (for tests and metrics). */
  watcherCount(): number { return this.#notifier.size; }

  #write<T>(op: Omit<WriteOp, 'id'>): Promise<T> {
    if (this.#closing || this.#failure) return Promise.reject(this.#closing ? new Error('sqlite: store is closed') : this.#failure);
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#writes.set(id, { resolve: resolve as (v: unknown) => void, reject, op: op.op, ...(op.value ? { value: op.value } : {}) });
      this.#busy();
      this.#batch.push({ ...op, id, ...(op.value ? { value: ownBytes(op.value) } : {}) });
      if (this.#batch.length === 1) setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    if (this.#batch.length === 0) return;
    const ops = this.#batch;
    this.#batch = [];
    this.#post({ t: 'write', ops });
  }

  #query<T>(op: QueryOp, args: unknown[]): Promise<T> {
    if (this.#ended || this.#failure) return Promise.reject(this.#failure ?? new Error('sqlite: store is closed'));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#queries.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#busy();
      this.#post({ t: 'query', id, op, args });
    });
  }

  #post(m: ToWorker): void {
    try {
      this.#worker.postMessage(m);
    } catch (err) {
      this.#fail(new Error('sqlite: posting to the store worker failed', { cause: err }));
    }
  }

  #receive(m: FromWorker): void {
    switch (m.t) {
      case 'events': {
        const events = m.events.map((ev) => this.#event(ev));
        const last = events[events.length - 1];
        if (last && last.revision > this.#revision) this.#revision = last.revision;
        this.#notifier.publish(events);
        return;
      }
      case 'written':
        for (const r of m.results) {
          const w = this.#writes.get(r.id);
          if (!w) continue;
          if (r.ok) w.resolve(this.#result(w.op, r.value));
          else w.reject(fromWireError(r.error));
          this.#writes.delete(r.id);
        }
        this.#settled();
        return;
      case 'answer': {
        const q = this.#queries.get(m.id);
        if (!q) return;
        this.#queries.delete(m.id);
        if (m.ok) q.resolve(m.value);
        else q.reject(fromWireError(m.error));
        this.#settled();
        return;
      }
      default:
        this.#fail(new Error(`sqlite: unexpected message ${m.t} from the store worker`));
    }
  }

  /** A write's answer: the KeyValue written, or for a delete the deleted one and its revision. */
  #result(op: WriteOp['op'], value: unknown): unknown {
    if (op !== 'delete') return this.#kv(value as WireKv);
    const d = value as { kv: WireKv; revision: number };
    return { kv: this.#kv(d.kv), revision: d.revision };
  }

  #kv(w: WireKv): KeyValue {
    return fromWireKv(w, (ref) => this.#writes.get(ref)?.value);
  }

  #event(w: WireEvent): StoreEvent {
    return { type: w.type, key: w.key, revision: w.revision, kv: this.#kv(w.kv), ...(w.prev ? { prev: this.#kv(w.prev) } : {}) };
  }

  /** Work in flight keeps the process alive, as a socket or a timer would; an idle store does not. */
  #busy(): void {
    if (this.#writes.size + this.#queries.size === 1) this.#worker.ref();
  }

  #settled(): void {
    // Once closing, the worker stays referenced until terminate() has settled.
    if (this.#writes.size + this.#queries.size === 0 && !this.#closing) this.#worker.unref();
  }

  /** The worker is gone: everything in flight fails, and every watcher ends (to resume elsewhere). */
  #fail(err: Error): void {
    if (this.#failure) return;
    this.#failure = err;
    for (const p of [...this.#writes.values(), ...this.#queries.values()]) p.reject(err);
    this.#writes.clear();
    this.#queries.clear();
    this.#notifier.fail(err);
    this.#worker.unref();
  }

  #assertOpen(): void {
    if (this.#failure) throw this.#failure;
    if (this.#closing) throw new Error('sqlite: store is closed');
  }
}
