/**
 * The messages between a WorkerSqliteStore (main thread) and the SqliteStore it hosts in a
 * worker (store-worker.ts). Values cross as bytes, except that the bytes of a write travel only
 * once: events and results that carry them name the write (`ref`) instead.
 */
import {
  CompactedError, KeyExistsError, KeyNotFoundError, RevisionMismatchError,
  type KeyValue, type StoreEvent,
} from '../store.js';
import { asBuffer, ownBytes } from './bytes.js';

export interface WriteOp { id: number; op: 'create' | 'update' | 'delete'; key: string; value?: Uint8Array; revision?: number }
export type QueryOp = 'get' | 'list' | 'replay' | 'compact' | 'close';

/** A KeyValue on the wire: its bytes, or the id of the write whose bytes they are. */
export interface WireKv { key: string; value?: Uint8Array; ref?: number; createRevision: number; modRevision: number }
export interface WireEvent { type: StoreEvent['type']; key: string; revision: number; kv: WireKv; prev?: WireKv }
export interface WireError { name: string; message: string; key?: string; current?: WireKv; requested?: number; compacted?: number }

export type ToWorker =
  | { t: 'write'; ops: WriteOp[] }
  | { t: 'query'; id: number; op: QueryOp; args: unknown[] };

export type FromWorker =
  | { t: 'ready'; revision: number }
  | { t: 'failed'; error: WireError }
  | { t: 'events'; events: WireEvent[] }
  | { t: 'written'; results: ({ id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError })[] }
  | { t: 'answer'; id: number; ok: true; value: unknown }
  | { t: 'answer'; id: number; ok: false; error: WireError };

export function toWireKv(kv: KeyValue, refOf: (value: Uint8Array) => number | undefined): WireKv {
  const ref = refOf(kv.value);
  return ref === undefined
    ? { key: kv.key, value: ownBytes(kv.value), createRevision: kv.createRevision, modRevision: kv.modRevision }
    : { key: kv.key, ref, createRevision: kv.createRevision, modRevision: kv.modRevision };
}

export function fromWireKv(w: WireKv, bytesOf: (ref: number) => Uint8Array | undefined): KeyValue {
  const value = w.ref !== undefined ? bytesOf(w.ref) : w.value;
  if (!value) throw new Error(`sqlite worker: the bytes of write ${w.ref} are gone`);
  return { key: w.key, value: asBuffer(value), createRevision: w.createRevision, modRevision: w.modRevision };
}

export function toWireError(err: unknown): WireError {
  if (err instanceof RevisionMismatchError) return { name: err.name, message: err.message, key: err.key, current: toWireKv(err.current, () => undefined) };
  if (err instanceof KeyExistsError || err instanceof KeyNotFoundError) return { name: err.name, message: err.message, key: err.key };
  if (err instanceof CompactedError) return { name: err.name, message: err.message, requested: err.requested, compacted: err.compacted };
  const e = err instanceof Error ? err : new Error(String(err));
  // The cause's message too: "sqlite: write failed" alone would hide what SQLite said.
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return { name: e.name, message: `${e.message}${cause}` };
}

/** The store's own error classes come back as themselves (callers test with instanceof). */
export function fromWireError(w: WireError): Error {
  switch (w.name) {
    case 'KeyExistsError': return new KeyExistsError(w.key!);
    case 'KeyNotFoundError': return new KeyNotFoundError(w.key!);
    case 'RevisionMismatchError': return new RevisionMismatchError(w.key!, fromWireKv(w.current!, () => undefined));
    case 'CompactedError': return new CompactedError(w.requested!, w.compacted!);
    default: {
      const e = new Error(w.message);
      if (w.name !== 'Error') e.name = w.name;
      return e;
    }
  }
}
