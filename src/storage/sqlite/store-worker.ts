/**
 * The worker side of WorkerSqliteStore: hosts a SqliteStore (its statements, commits, WAL
 * checkpoints and fsyncs run on this thread) and answers the main thread's messages. Commits
 * are published to the main thread as they happen, before the writes in them are answered, as
 * the store itself publishes before it acknowledges.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { KeyValue, ListResult, StoreEvent } from '../store.js';
import { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import { asBuffer } from './bytes.js';
import {
  toWireError, toWireKv,
  type FromWorker, type QueryOp, type ToWorker, type WireEvent, type WriteOp,
} from './worker-protocol.js';

const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);

let store: SqliteStore;
try {
  store = openSqliteStore({ syncOnThreadPool: false, ...workerData as SqliteStoreOptions });
} catch (err) {
  // The opener reports it (with the reason): the thread just ends.
  post({ t: 'failed', error: toWireError(err) });
  process.exit(1);
}

/** The bytes of writes in flight, by identity: the store hands the very same Buffer to its events. */
const refs = new Map<Uint8Array, number>();
const refOf = (v: Uint8Array) => refs.get(v);
const wireEvent = (ev: StoreEvent): WireEvent => ({
  type: ev.type, key: ev.key, revision: ev.revision, kv: toWireKv(ev.kv, refOf),
  ...(ev.prev ? { prev: toWireKv(ev.prev, refOf) } : {}),
});
store.onCommit((events) => post({ t: 'events', events: events.map(wireEvent) }));

function write(op: WriteOp): Promise<unknown> {
  if (op.op === 'delete') {
    return store.delete(op.key, op.revision).then(({ kv, revision }) => ({ kv: toWireKv(kv, refOf), revision }));
  }
  const value = asBuffer(op.value!);
  refs.set(value, op.id);
  const written = op.op === 'create' ? store.create(op.key, value) : store.update(op.key, value, op.revision!);
  return written
    .then((kv) => toWireKv(kv, refOf))
    .finally(() => refs.delete(value));
}

/** Write batches not answered yet: a close answers after them (the close commits them). */
const inFlight = new Set<Promise<void>>();

/** Every write of one message goes into the same group commit (they are queued in one turn). */
function writeAll(ops: WriteOp[]): void {
  const answered = Promise.allSettled(ops.map(write)).then((settled) => post({
    t: 'written',
    results: settled.map((s, i) => s.status === 'fulfilled'
      ? { id: ops[i]!.id, ok: true as const, value: s.value }
      : { id: ops[i]!.id, ok: false as const, error: toWireError(s.reason) }),
  }));
  inFlight.add(answered);
  void answered.finally(() => inFlight.delete(answered));
}

const wireList = (r: ListResult) => ({ ...r, kvs: r.kvs.map((kv) => toWireKv(kv, refOf)) });

async function query(op: QueryOp, args: unknown[]): Promise<unknown> {
  switch (op) {
    case 'get': {
      const kv: KeyValue | undefined = await store.get(args[0] as string);
      return kv && toWireKv(kv, refOf);
    }
    case 'list': return wireList(await store.list(args[0] as string, args[1] as never));
    case 'replay': return store.replay(args[0] as string, args[1] as number, args[2] as number).map(wireEvent);
    case 'compact': return store.compact(args[0] as number);
    case 'close':
      await store.close();
      await Promise.all(inFlight);
      return undefined;
  }
}

port.on('message', (m: ToWorker) => {
  if (m.t === 'write') { writeAll(m.ops); return; }
  query(m.op, m.args).then(
    (value) => {
      post({ t: 'answer', id: m.id, ok: true, value });
      if (m.op === 'close') port.close();
    },
    (err: unknown) => post({ t: 'answer', id: m.id, ok: false, error: toWireError(err) }),
  );
});

post({ t: 'ready', revision: await store.currentRevision() });
