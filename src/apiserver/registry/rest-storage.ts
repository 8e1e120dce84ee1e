import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { ResourceDefinition } from '../../api/resource.js';
import { qualifiedResource, storageKey, storagePrefix } from '../../api/resource.js';
import type { KubeList, KubeObject, Status, WatchEvent } from '../../api/types.js';
import { apiVersionOf, fieldsOf } from '../../api/types.js';
import {
  StatusError, alreadyExists, badRequest, conflict, gone, internal, invalid, notFound, statusError,
} from '../../api/errors.js';
import type { Clock } from '../../base/clock.js';
import { rfc3339 } from '../../base/clock.js';
import type { Store } from '../../storage/store.js';
import { CompactedError, KeyExistsError, KeyNotFoundError, RevisionMismatchError, type KeyValue } from '../../storage/store.js';
import type { RequestContext } from '../context.js';
import type { AdmissionAttributes, AdmissionChain } from './admission.js';
import { cloneJson, cloneMetadata, cloneObject, equalAsJson, type JsonValue } from '../../api/patch/json-value.js';
import { type ObjectCodec, fromStorage, toStorage } from './codec.js';
import type { CacheEvent, ObjectCache } from './object-cache.js';
import type { ObjectValidator } from './validation.js';
import { type Selection, selects } from './selection.js';
import { decodeContinue, encodeContinue } from './continue-token.js';

export interface ListParams {
  selection?: Selection;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  /** Items as the watch cache's shared, read-only views (as watch events are), not copies. */
  shared?: boolean;
}

export interface WatchParams {
  selection?: Selection;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  /** Ms between bookmarks. */
  bookmarkInterval?: number;
  /** Throw the 410 StatusError instead of yielding it as an ERROR event (in-process clients). */
  throwErrors?: boolean;
}

export interface DeleteParams {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

/**
 * A function that computes a new object from the current one (update and patch share it).
 * `current` is read-only (usually the watch cache's shared, frozen object): the mutation returns
 * an object of its own, starting from cloneObject(current) when it changes the current one.
 */
export type Mutation = (current: KubeObject | undefined) => KubeObject | Promise<KubeObject>;

export interface RestStorageDeps {
  store: Store;
  /** How objects become stored bytes (and back); shared with the watch cache. */
  codec: ObjectCodec;
  cache: ObjectCache;
  clock: Clock;
  admission: AdmissionChain;
  validator: ObjectValidator;
}

const generateNameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';
const maxUpdateRetries = 16;

/**
 * The generic REST semantics of every stored resource (kube's genericregistry.Store): create,
 * get, list, update, patch, delete, deletecollection and watch over the MVCC store, with
 * defaulting, validation, admission, resourceVersion preconditions, finalizers, graceful
 * deletion and dry runs. HTTP handlers and the in-process client both call this.
 */
export class RestStorage {
  constructor(private readonly deps: RestStorageDeps) {}

  // ---------------------------------------------------------------- reads

  async get(def: ResourceDefinition, namespace: string, name: string): Promise<KubeObject> {
    const found = await this.#current(def, namespace, name);
    if (!found) throw notFound(this.#q(def, name));
    return fromStorage(def, found);
  }

  async list(def: ResourceDefinition, namespace: string, p: ListParams = {}): Promise<KubeList> {
    const { cache } = this.deps;
    await this.#readAt(p.resourceVersion, p.resourceVersionMatch);
    const prefix = storagePrefix(def, namespace || undefined);
    let after: string | undefined;
    if (p.continue) {
      const token = decodeContinue(p.continue);
      if (!token.start.startsWith(prefix)) throw badRequest('continue key is not valid: key is not in the listed range');
      after = token.start;
    }
    const limit = p.limit && p.limit > 0 ? p.limit : undefined;
    const page = cache.list(prefix, { after, limit, filter: (o) => selects(def, p.selection, o) });
    const list: KubeList = {
      apiVersion: apiVersionOf(def.group, def.version),
      kind: def.listKind,
      metadata: { resourceVersion: String(page.revision) },
      items: page.items.map((o) => (p.shared ? this.#view(def, o) : fromStorage(def, o))),
    };
    if (page.nextKey) list.metadata.continue = encodeContinue({ rv: page.revision, start: page.nextKey });
    return list;
  }

  /**
   * Watch events for one resource. With no resourceVersion (or "0"), current objects come first
   * as ADDED events; otherwise every change strictly after it. Too old → 410 Expired as an ERROR
   * event (the stream then ends).
   */
  async *watch(def: ResourceDefinition, namespace: string, p: WatchParams, signal: AbortSignal): AsyncGenerator<WatchEvent> {
    const { cache } = this.deps;
    const prefix = storagePrefix(def, namespace || undefined);
    let from: number;
    const initial = p.resourceVersion === undefined || p.resourceVersion === '' || p.resourceVersion === '0' || p.sendInitialEvents === true;
    if (initial) {
      if (p.resourceVersion === undefined || p.resourceVersion === '') await cache.waitForRevision(await this.deps.store.currentRevision(), signal);
      const page = cache.list(prefix, { filter: (o) => selects(def, p.selection, o) });
      // Watch events are read-only and shared by every watcher, the initial ones too.
      for (const o of page.items) yield { type: 'ADDED', object: this.#view(def, o) };
      from = page.revision;
      if (p.sendInitialEvents && p.allowWatchBookmarks) {
        yield this.#bookmark(def, from, true);
      }
    } else {
      from = parseResourceVersion(p.resourceVersion!);
    }
    const events = cache.watch(prefix, from, signal);
    const iterator = events[Symbol.asyncIterator]();
    const bookmarkEvery = p.bookmarkInterval ?? 60_000;
    let lastSent = from;
    // One bookmark timer per interval. It sets a flag and wakes the current wait; it is never a
    // promise raced against each event: every race leaves a reaction on the long-lived promise,
    // and those kept a whole interval of events (and their objects) alive in every watcher.
    let tickTimer: NodeJS.Timeout | undefined;
    let ticked = false;
    let wake: (() => void) | undefined;
    const arm = () => { tickTimer = setTimeout(() => { ticked = true; wake?.(); }, bookmarkEvery); };
    if (p.allowWatchBookmarks) arm();
    let pending = iterator.next();
    try {
      while (!signal.aborted) {
        const r = !p.allowWatchBookmarks ? await pending : await new Promise<IteratorResult<CacheEvent> | 'tick'>((resolve, reject) => {
          if (ticked) return resolve('tick');
          wake = () => resolve('tick');
          pending.then(resolve, reject);
        });
        wake = undefined;
        if (r === 'tick') {
          ticked = false;
          yield this.#bookmark(def, Math.max(lastSent, cache.revision()), false);
          arm();
          continue;
        }
        if (r.done) return;
        pending = iterator.next();
        const e = r.value as CacheEvent;
        lastSent = e.revision;
        const now = e.type === 'put' && selects(def, p.selection, e.object);
        const before = e.prev !== undefined && selects(def, p.selection, e.prev);
        if (e.type === 'delete') {
          if (selects(def, p.selection, e.object)) yield { type: 'DELETED', object: this.#view(def, e.object) };
        } else if (now && before) yield { type: 'MODIFIED', object: this.#view(def, e.object) };
        else if (now) yield { type: 'ADDED', object: this.#view(def, e.object) };
        else if (before) yield { type: 'DELETED', object: this.#view(def, e.object) };
      }
    } catch (err) {
      if (err instanceof CompactedError) {
        const expired = gone(`too old resource version: ${err.requested} (${err.compacted})`);
        if (p.throwErrors) throw expired;
        yield { type: 'ERROR', object: expired.status as unknown as KubeObject };
        return;
      }
      throw err;
    } finally {
      clearTimeout(tickTimer);
      await iterator.return?.();
    }
  }

  /**
   * An event's object in the watcher's version, made once per stored object and shared by every
   * watcher of that version (thousands of watchers must not each copy every event). Watch event
   * objects are therefore read-only; gets and lists hand out private copies.
   */
  #view(def: ResourceDefinition, stored: KubeObject): KubeObject {
    // Stored in the watcher's version already: the cached object is the view (no copy at all).
    if (stored.kind === def.kind && stored.apiVersion === apiVersionOf(def.group, def.version)
      && !(def.conversion && def.storage.version !== def.version)) return stored;
    let byDef = this.#views.get(stored);
    if (!byDef) this.#views.set(stored, (byDef = new Map()));
    let view = byDef.get(def);
    if (!view) byDef.set(def, (view = fromStorage(def, stored)));
    return view;
  }

  readonly #views = new WeakMap<KubeObject, Map<ResourceDefinition, KubeObject>>();

  // ---------------------------------------------------------------- writes

  async create(def: ResourceDefinition, namespace: string, input: KubeObject, ctx: RequestContext): Promise<KubeObject> {
    const { clock } = this.deps;
    // The caller keeps its object (the write hands ours to the watch cache). Request bodies are
    // JSON values: a JSON copy, several times faster than structuredClone.
    const obj = cloneObject(input);
    obj.apiVersion = apiVersionOf(def.group, def.version);
    obj.kind = def.kind;
    obj.metadata ??= {};
    const meta = obj.metadata;
    this.#checkNamespace(def, namespace, obj);
    if (meta.resourceVersion) throw internal(undefined, 'resourceVersion should not be set on objects to be created');
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(clock.now());
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (meta.labels && Object.keys(meta.labels).length === 0) delete meta.labels;
    if (meta.annotations && Object.keys(meta.annotations).length === 0) delete meta.annotations;
    def.defaults?.(obj);
    def.prepareForCreate?.(obj);
    const name = meta.name ?? '';
    // Answer AlreadyExists before admission allocates anything for a name that is taken.
    if (name && this.deps.cache.get(storageKey(def, namespace, name))) throw alreadyExists(this.#q(def, name));
    const attrs: AdmissionAttributes = { operation: 'CREATE', def, namespace, name, object: obj, ctx };
    await this.deps.admission.admit(attrs);
    let ok = false;
    try {
      const errors = this.deps.validator.validateCreate(def, obj);
      if (errors.length) throw invalid(def.kind, def.group, name, errors);
      await this.deps.admission.validate(attrs);
      this.deps.validator.trackManagedFields(def, undefined, obj, ctx, 'Update', clock.now());
      if (ctx.dryRun) { ok = false; return fromStorage(def, toStorage(def, structuredClone(obj))); }
      const stored = toStorage(def, obj);
      const key = storageKey(def, namespace, name);
      try {
        // `obj` is not used after this: the watch cache takes it instead of parsing the bytes again.
        const kv = await this.deps.store.create(key, this.deps.codec.encode(key, stored, true));
        ok = true;
        await this.deps.cache.waitForRevision(kv.modRevision, ctx.signal);
        return this.#written(def, kv);
      } catch (err) {
        if (err instanceof KeyExistsError) throw alreadyExists(this.#q(def, name));
        throw err;
      }
    } finally {
      await this.deps.admission.settled(attrs, ok);
    }
  }

  /**
   * PUT semantics: replace the object. A resourceVersion in the body is a precondition; without
   * one the update is unconditional. A no-op update writes nothing.
   */
  async update(def: ResourceDefinition, namespace: string, name: string, input: KubeObject, ctx: RequestContext,
    opts: { subresource?: 'status' | 'finalize'; createIfMissing?: boolean } = {}): Promise<{ object: KubeObject; created: boolean }> {
    this.#checkNamespace(def, namespace, input, false);
    if (input.metadata?.name && input.metadata.name !== name) {
      throw badRequest(`the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`);
    }
    const precondition = input.metadata?.resourceVersion;
    return this.guaranteedUpdate(def, namespace, name, ctx, (current) => {
      if (current && precondition && precondition !== current.metadata.resourceVersion) {
        throw conflict(this.#q(def, name));
      }
      // A /status write takes only metadata and status from the body (#prepareUpdate keeps the
      // rest of the current object): only those are copied.
      const next = opts.subresource === 'status'
        ? { ...input, metadata: cloneMetadata(input.metadata as unknown as JsonValue), status: cloneJson(fieldsOf(input).status) } as unknown as KubeObject
        : cloneObject(input);
      next.metadata ??= {};
      next.metadata.name = name;
      this.#checkNamespace(def, namespace, next);
      return next;
    }, { ...opts, createIfMissing: opts.createIfMissing ?? false });
  }

  /**
   * The read-modify-write loop every update and patch goes through: read the current object,
   * compute the new one, run the update strategy, admission and validation, and write it with
   * compare-and-swap, retrying when another writer got there first.
   */
  async guaranteedUpdate(def: ResourceDefinition, namespace: string, name: string, ctx: RequestContext, mutate: Mutation,
    opts: { subresource?: 'status' | 'finalize' | 'binding'; createIfMissing?: boolean; operation?: 'Update' | 'Apply' } = {}): Promise<{ object: KubeObject; created: boolean }> {
    const { clock, store } = this.deps;
    const key = storageKey(def, namespace, name);
    for (let attempt = 0; attempt < maxUpdateRetries; attempt++) {
      // The first attempt starts from the watch cache's copy (no read, no decode), as upstream's
      // GuaranteedUpdate does; the compare-and-swap catches a stale one, and so does the retry
      // below when the stale state made the mutation or validation fail.
      const cached = attempt === 0 ? this.deps.cache.get(key) : undefined;
      let revision: number;
      let current: KubeObject | undefined;
      if (cached) {
        revision = Number(cached.metadata.resourceVersion);
        // Read-only from here on (the mutation gets its own copy below): the shared view will do.
        current = this.#view(def, cached);
      } else {
        const kv = await store.get(key);
        revision = kv?.modRevision ?? 0;
        current = kv ? fromStorage(def, this.deps.codec.decode(kv), true) : undefined;
      }
      const fromCache = cached !== undefined;
      if (!current) {
        if (!opts.createIfMissing) throw notFound(this.#q(def, name));
        const created = await mutate(undefined);
        created.metadata ??= {};
        created.metadata.name ??= name;
        if (namespace) created.metadata.namespace ??= namespace;
        delete created.metadata.resourceVersion;
        try {
          return { object: await this.create(def, namespace, created, ctx), created: true };
        } catch (err) {
          if (err instanceof StatusError && err.reason === 'AlreadyExists') continue;
          throw err;
        }
      }
      let next: KubeObject;
      try {
        next = await mutate(current);
      } catch (err) {
        if (fromCache && await this.#stale(key, revision)) continue;
        throw err;
      }
      next.apiVersion = apiVersionOf(def.group, def.version);
      next.kind = def.kind;
      this.#prepareUpdate(def, next, current, opts.subresource);
      const attrs: AdmissionAttributes = { operation: 'UPDATE', def, subresource: opts.subresource, namespace, name, object: next, old: current, ctx };
      await this.deps.admission.admit(attrs);
      let ok = false;
      try {
        const errors = this.deps.validator.validateUpdate(def, next, current, opts.subresource);
        if (errors.length) {
          if (fromCache && await this.#stale(key, revision)) continue;
          throw invalid(def.kind, def.group, name, errors);
        }
        await this.deps.admission.validate(attrs);
        // Bindings write the pod straight to storage upstream, past the field manager: no owner entry.
        if (opts.subresource !== 'binding') {
          this.deps.validator.trackManagedFields(def, current, next, ctx, opts.operation ?? 'Update', clock.now(), opts.subresource === 'status' ? 'status' : undefined);
        }
        // A deleted object whose last finalizer just went away is gone now.
        if (this.#readyToDelete(def, next)) {
          if (ctx.dryRun) return { object: next, created: false };
          try {
            const { kv: last, revision: deletedAt } = await store.delete(key, revision);
            ok = true;
            await this.deps.cache.waitForRevision(deletedAt, ctx.signal);
            return { object: this.#deleted(def, this.deps.codec.decode(last), deletedAt), created: false };
          } catch (err) {
            if (err instanceof RevisionMismatchError || err instanceof KeyNotFoundError) continue;
            throw err;
          }
        }
        if (sameObject(next, current)) {
          // A no-op against a cached copy that may be stale is confirmed against the store.
          if (fromCache && await this.#stale(key, revision)) continue;
          return { object: current, created: false };
        }
        if (ctx.dryRun) return { object: next, created: false };
        try {
          // `next` is ours and not changed after this: only a converting resource needs a copy. The
          // watch cache takes the object handed over instead of parsing the bytes again.
          const storageForm = toStorage(def, def.conversion ? structuredClone(next) : next);
          const written = await store.update(key, this.deps.codec.encode(key, storageForm, true), revision);
          ok = true;
          await this.deps.cache.waitForRevision(written.modRevision, ctx.signal);
          return { object: this.#written(def, written), created: false };
        } catch (err) {
          if (err instanceof RevisionMismatchError) continue;
          if (err instanceof KeyNotFoundError) throw notFound(this.#q(def, name));
          throw err;
        }
      } finally {
        await this.deps.admission.settled(attrs, ok);
      }
    }
    throw conflict(this.#q(def, name), 'the object has been modified; please apply your changes to the latest version and try again');
  }

  /**
   * DELETE: honours preconditions, graceful deletion (pods), finalizers and propagation policy
   * (Orphan and Foreground add the finalizer the garbage collector acts on).
   */
  async delete(def: ResourceDefinition, namespace: string, name: string, p: DeleteParams, ctx: RequestContext): Promise<KubeObject> {
    const { clock, store } = this.deps;
    const key = storageKey(def, namespace, name);
    for (let attempt = 0; attempt < maxUpdateRetries; attempt++) {
      const kv = await store.get(key);
      if (!kv) throw notFound(this.#q(def, name));
      const current = fromStorage(def, this.deps.codec.decode(kv), true);
      const meta = current.metadata;
      if (p.preconditions?.uid && p.preconditions.uid !== meta.uid) {
        throw conflict(this.#q(def, name), `Precondition failed: UID in precondition: ${p.preconditions.uid}, UID in object meta: ${meta.uid}`);
      }
      if (p.preconditions?.resourceVersion && p.preconditions.resourceVersion !== meta.resourceVersion) {
        throw conflict(this.#q(def, name), `Precondition failed: ResourceVersion in precondition: ${p.preconditions.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
      }
      const attrs: AdmissionAttributes = { operation: 'DELETE', def, namespace, name, old: current, ctx };
      await this.deps.admission.validate(attrs);

      const next = cloneJson(current);
      const nm = next.metadata;
      let finalizers = [...(nm.finalizers ?? [])];
      const policy = p.propagationPolicy;
      if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers = [...finalizers.filter((f) => f !== 'foregroundDeletion'), 'orphan'];
      if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers = [...finalizers.filter((f) => f !== 'orphan'), 'foregroundDeletion'];
      if (policy === 'Background') finalizers = finalizers.filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
      const grace = def.gracefulDeletionSeconds?.(current, p.gracePeriodSeconds) ?? 0;
      const pendingFinalizers = finalizers.length > 0 || def.pendingDeletion?.(next) === true;

      if (nm.deletionTimestamp) {
        // Already terminating: a shorter grace period may bring it forward.
        const currentGrace = nm.deletionGracePeriodSeconds ?? 0;
        if (grace < currentGrace || !isDeepStrictEqual(finalizers, nm.finalizers ?? [])) {
          nm.deletionGracePeriodSeconds = Math.min(grace, currentGrace);
          nm.deletionTimestamp = rfc3339(clock.now() + nm.deletionGracePeriodSeconds * 1000);
          nm.finalizers = finalizers.length ? finalizers : undefined;
          if (!nm.finalizers) delete nm.finalizers;
        } else if (pendingFinalizers || grace > 0) {
          return current;
        }
      } else if (grace > 0 || pendingFinalizers) {
        nm.deletionTimestamp = rfc3339(clock.now() + grace * 1000);
        nm.deletionGracePeriodSeconds = grace;
        if (finalizers.length) nm.finalizers = finalizers; else delete nm.finalizers;
        def.prepareForDelete?.(next);
      }

      if (ctx.dryRun) return next;
      const immediate = !pendingFinalizers && (nm.deletionGracePeriodSeconds ?? 0) === 0;
      try {
        if (immediate) {
          const { kv: last, revision } = await store.delete(key, kv.modRevision);
          await this.deps.admission.settled(attrs, true);
          await this.deps.cache.waitForRevision(revision, ctx.signal);
          return this.#deleted(def, this.deps.codec.decode(last), revision);
        }
        const written = await store.update(key, this.deps.codec.encode(key, toStorage(def, cloneJson(next))), kv.modRevision);
        await this.deps.cache.waitForRevision(written.modRevision, ctx.signal);
        return fromStorage(def, this.deps.codec.decode(written), true);
      } catch (err) {
        if (err instanceof RevisionMismatchError) continue;
        if (err instanceof KeyNotFoundError) throw notFound(this.#q(def, name));
        throw err;
      }
    }
    throw conflict(this.#q(def, name));
  }

  /** DELETE on a collection: a list with the selectors, then one delete each. */
  async deleteCollection(def: ResourceDefinition, namespace: string, list: ListParams, p: DeleteParams, ctx: RequestContext): Promise<KubeList> {
    const found = await this.list(def, namespace, { selection: list.selection, resourceVersion: list.resourceVersion });
    const deleted: KubeObject[] = [];
    for (const item of found.items) {
      try {
        deleted.push(await this.delete(def, item.metadata.namespace ?? '', item.metadata.name!, p, ctx));
      } catch (err) {
        if (err instanceof StatusError && err.code === 404) continue;
        throw err;
      }
    }
    return { ...found, items: deleted };
  }

  /** A Success Status, as some deletes answer. */
  static success(def: ResourceDefinition, name: string, uid?: string): Status {
    const details: Status['details'] = { name, kind: def.plural };
    if (def.group) details.group = def.group;
    if (uid) details.uid = uid;
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
  }

  // ---------------------------------------------------------------- internals

  /**
   * What a write answers: the stored object in the request's version. The watch cache has decoded
   * these very bytes already (the caller waited for it), so this is its shared view, read-only as
   * watch events are: the HTTP handlers only serialize it, the in-process client hands out copies.
   */
  #written(def: ResourceDefinition, kv: KeyValue): KubeObject {
    const cached = this.deps.cache.get(kv.key);
    if (cached?.metadata.resourceVersion === String(kv.modRevision)) return this.#view(def, cached);
    return fromStorage(def, this.deps.codec.decode(kv), true);
  }

  /** Whether the store holds a newer version of `key` than `revision` (or none at all). */
  async #stale(key: string, revision: number): Promise<boolean> {
    const kv = await this.deps.store.get(key);
    return kv?.modRevision !== revision;
  }

  async #current(def: ResourceDefinition, namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.deps.cache.get(storageKey(def, namespace, name));
  }

  /** Waits until the cache can answer as of the request's resourceVersion semantics. */
  async #readAt(resourceVersion: string | undefined, match: string | undefined): Promise<void> {
    const { cache, store } = this.deps;
    if (resourceVersion === undefined || resourceVersion === '') {
      if (match) throw badRequest(`resourceVersionMatch is forbidden unless resourceVersion is provided`);
      await cache.waitForRevision(await store.currentRevision());
      return;
    }
    const rv = parseResourceVersion(resourceVersion);
    if (match === 'Exact') {
      if (rv !== cache.revision()) throw gone(`too old resource version: ${rv} (${cache.revision()})`);
      return;
    }
    if (rv > 0) await cache.waitForRevision(rv);
  }

  #prepareUpdate(def: ResourceDefinition, next: KubeObject, current: KubeObject, subresource?: string): void {
    const nm = next.metadata ??= {};
    const cm = current.metadata;
    // System-owned metadata never changes through an update.
    nm.uid = cm.uid;
    nm.creationTimestamp = cm.creationTimestamp;
    nm.namespace = cm.namespace;
    if (nm.namespace === undefined) delete nm.namespace;
    if (cm.deletionTimestamp) {
      nm.deletionTimestamp = cm.deletionTimestamp;
      nm.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
    } else {
      delete nm.deletionTimestamp;
      delete nm.deletionGracePeriodSeconds;
    }
    if (cm.generation !== undefined) nm.generation = cm.generation; else delete nm.generation;
    nm.resourceVersion = cm.resourceVersion;
    if (nm.labels && Object.keys(nm.labels).length === 0) delete nm.labels;
    if (nm.annotations && Object.keys(nm.annotations).length === 0) delete nm.annotations;
    if (subresource === 'status') {
      // /status writes change only the status (and managedFields); everything else is kept.
      const status = fieldsOf(next).status;
      // Everything but metadata and status is the current object's (read-only, often frozen and
      // shared): nothing below changes it, and the new version shares it as it is.
      const metadata = cloneMetadata({ ...current.metadata, managedFields: undefined } as unknown as JsonValue);
      const kept = { ...current, metadata } as unknown as KubeObject;
      const km = fieldsOf(kept);
      if (status === undefined) delete km.status; else km.status = status;
      kept.metadata.managedFields = nm.managedFields;
      // Upstream status strategies reset the spec (and labels), not annotations: controllers
      // write annotations such as deployment.kubernetes.io/revision through /status.
      if (nm.annotations) kept.metadata.annotations = nm.annotations; else delete kept.metadata.annotations;
      Object.keys(next).forEach((k) => delete (next as unknown as Record<string, unknown>)[k]);
      Object.assign(next, kept);
      return;
    }
    if (subresource === 'finalize') {
      const spec = fieldsOf(next).spec;
      const kept = cloneObject({ ...current, spec: undefined });
      fieldsOf(kept).spec = spec;
      Object.keys(next).forEach((k) => delete (next as unknown as Record<string, unknown>)[k]);
      Object.assign(next, kept);
      return;
    }
    // Bindings set spec.nodeName and a condition directly, as upstream's binding storage does.
    if (subresource === 'binding') return;
    def.defaults?.(next);
    def.prepareForUpdate?.(next, current);
  }

  #readyToDelete(def: ResourceDefinition, obj: KubeObject): boolean {
    const m = obj.metadata;
    return !!m.deletionTimestamp && (m.finalizers ?? []).length === 0 && (m.deletionGracePeriodSeconds ?? 0) === 0
      && def.pendingDeletion?.(obj) !== true;
  }

  #deleted(def: ResourceDefinition, last: KubeObject, revision: number): KubeObject {
    const out = fromStorage(def, last);
    out.metadata.resourceVersion = String(revision);
    return out;
  }

  #bookmark(def: ResourceDefinition, revision: number, initialEventsEnd: boolean): WatchEvent {
    const metadata: KubeObject['metadata'] = { resourceVersion: String(revision) };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    return { type: 'BOOKMARK', object: { kind: def.kind, apiVersion: apiVersionOf(def.group, def.version), metadata } };
  }

  /** Checks the object's namespace against the request's; with `fill`, sets it (on our own copy). */
  #checkNamespace(def: ResourceDefinition, namespace: string, obj: KubeObject, fill = true): void {
    const given = obj.metadata?.namespace;
    if (def.scope === 'Namespaced') {
      if (!namespace) throw badRequest('the server could not find the requested resource');
      if (given && given !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      if (fill) (obj.metadata ??= {}).namespace = namespace;
    } else if (fill && obj.metadata) {
      delete obj.metadata.namespace;
    }
  }

  #q(def: ResourceDefinition, name: string) {
    return { resource: def.plural, group: def.group || undefined, name };
  }
}

function parseResourceVersion(rv: string): number {
  const n = Number(rv);
  if (!Number.isInteger(n) || n < 0) {
    throw statusError(400, 'BadRequest', `invalid resource version "${rv}"`);
  }
  return n;
}

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += generateNameAlphabet[Math.floor(Math.random() * generateNameAlphabet.length)];
  return s;
}

/** Equal but for the resourceVersion and managedFields timestamps: such an update writes nothing. */
function sameObject(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined } });
  return equalAsJson(strip(a), strip(b)) && sameOwners(a, b);
}

function sameOwners(a: KubeObject, b: KubeObject): boolean {
  const managers = (o: KubeObject) => (o.metadata.managedFields ?? []).map((m) => [m.manager, m.operation, m.subresource ?? '', m.fieldsV1 ?? {}]);
  return equalAsJson(managers(a), managers(b));
}

export { qualifiedResource };
