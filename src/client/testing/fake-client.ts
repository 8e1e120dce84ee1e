import { randomUUID } from 'node:crypto';
import type { ResourceDefinition } from '../../api/resource.js';
import { apiVersionOfResource } from '../../api/resource.js';
import type { KubeList, KubeObject, ObjectMeta, Status, WatchEvent } from '../../api/types.js';
import { alreadyExists, badRequest, conflict, forbidden, gone, notFound, invalid } from '../../api/errors.js';
import type { Clock } from '../../base/clock.js';
import { rfc3339, systemClock } from '../../base/clock.js';
import type { Client, DeleteOptions, ListOptions, PatchOptions, PatchType, WatchOptions, WriteOptions } from '../types.js';
import { parseLabelSelector } from '../label-selector.js';

/** One write the fake saw, as sample-controller's fixtures record them. */
export interface FakeAction {
  verb: 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  /** The plural, e.g. `pods`; with a subresource `pods/binding`, `deployments/status`. */
  resource: string;
  namespace: string;
  name?: string;
  /** The request body as sent (create/update/subresource). */
  object?: unknown;
  patchType?: PatchType;
  patch?: unknown;
  options?: DeleteOptions;
}

/** Returns an error to fail the call with, or undefined to let it through. */
export type Reactor = (action: FakeAction) => Error | undefined;

interface Stored { res: ResourceDefinition; obj: KubeObject }
interface HistoryEntry { rv: number; resKey: string; type: 'ADDED' | 'MODIFIED' | 'DELETED'; obj: KubeObject }

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
/** ObjectMeta with the server-set fields writable (kubernetes-types marks them readonly). */
const meta = (o: KubeObject): Mutable<ObjectMeta> => o.metadata;

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
const clone = <T>(v: T): T => structuredClone(v);

function resKeyOf(res: Pick<ResourceDefinition, 'group' | 'plural'>): string {
  return `${res.group}/${res.plural}`;
}

function withoutMetaAndStatus(obj: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = obj as KubeObject & { status?: unknown };
  return JSON.stringify(rest);
}

/**
 * An in-memory Client with the API semantics controllers rely on: uid, resourceVersion from
 * one global counter, generation bumped on spec changes, the status subresource split,
 * 404/409 StatusErrors, finalizers and deletionTimestamp, propagation policies as finalizers,
 * graceful deletion of bound pods, namespace finalization, and watch with history (410 after
 * `compact`). Writes are recorded in `actions`; reads are not.
 */
export class FakeClient implements Client {
  readonly actions: FakeAction[] = [];
  readonly #clock: Clock;
  readonly #objects = new Map<string, Stored>();
  readonly #history: HistoryEntry[] = [];
  readonly #subscribers = new Set<() => void>();
  readonly #reactors: Reactor[] = [];
  #rv = 0;
  #compacted = 0;
  #names = 0;

  constructor(opts: { clock?: Clock } = {}) {
    this.#clock = opts.clock ?? systemClock;
  }

  /** Stores objects as if created earlier, without recording actions. Returns the stored copies. */
  seed<T extends KubeObject>(res: ResourceDefinition<T>, ...objs: T[]): T[] {
    return objs.map((o) => this.#insert(res, clone(o)) as T);
  }

  /** Fails matching future calls: the reactor sees every write action first. */
  react(reactor: Reactor): void { this.#reactors.push(reactor); }

  /** Fails the next `verb` on `resource` (plural or plural/subresource) with `err`. */
  failNext(verb: FakeAction['verb'], resource: string, err: Error): void {
    let used = false;
    this.react((a) => {
      if (used || a.verb !== verb || a.resource !== resource) return undefined;
      used = true;
      return err;
    });
  }

  clearActions(): void { this.actions.length = 0; }

  /** The stored object, or undefined. */
  peek<T extends KubeObject>(res: ResourceDefinition<T>, namespace: string, name: string): T | undefined {
    const s = this.#objects.get(this.#key(res, namespace, name));
    return s ? clone(s.obj as T) : undefined;
  }

  /** Every stored object of `res` (all namespaces), sorted by key. */
  all<T extends KubeObject>(res: ResourceDefinition<T>): T[] {
    return [...this.#objects.entries()].filter(([, s]) => resKeyOf(s.res) === resKeyOf(res))
      .sort(([a], [b]) => (a < b ? -1 : 1)).map(([, s]) => clone(s.obj as T));
  }

  /** Drops watch history up to now: watches from older resourceVersions get 410 Gone. */
  compact(): void {
    this.#compacted = this.#rv;
    this.#history.length = 0;
  }

  get resourceVersion(): number { return this.#rv; }

  // ---- Client ----

  async get<T extends KubeObject>(res: ResourceDefinition<T>, namespace: string, name: string, _opts?: { signal?: AbortSignal }): Promise<T> {
    const s = this.#objects.get(this.#key(res, namespace, name));
    if (!s) throw notFound({ resource: res.plural, group: res.group, name });
    return clone(s.obj as T);
  }

  async list<T extends KubeObject>(res: ResourceDefinition<T>, opts: ListOptions = {}): Promise<KubeList<T>> {
    return {
      apiVersion: apiVersionOfResource(res), kind: res.listKind,
      metadata: { resourceVersion: String(this.#rv) },
      items: this.#select(res, opts).map((o) => clone(o as T)),
    };
  }

  async create<T extends KubeObject>(res: ResourceDefinition<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    const namespace = res.scope === 'Namespaced' ? obj.metadata.namespace ?? '' : '';
    this.#act({ verb: 'create', resource: res.plural, namespace, object: clone(obj) });
    const o = clone(obj);
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = this.#generateName(o.metadata.generateName);
    if (!o.metadata.name) throw invalid(res.kind, res.group, '', [{ field: 'metadata.name', type: 'FieldValueRequired', detail: 'name or generateName is required' }]);
    if (res.scope === 'Namespaced') {
      if (!namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      const ns = this.#objects.get(`/namespaces//${namespace}`)?.obj;
      if (ns?.metadata.deletionTimestamp) {
        throw forbidden(`${res.plural} "${o.metadata.name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, { resource: res.plural, group: res.group, name: o.metadata.name });
      }
    }
    if (opts.dryRun) return o;
    if (this.#objects.has(this.#key(res, namespace, o.metadata.name))) throw alreadyExists({ resource: res.plural, group: res.group, name: o.metadata.name });
    delete meta(o).resourceVersion;
    delete meta(o).deletionTimestamp;
    if (res.subresources.status) (o as { status?: unknown }).status = (o as { status?: unknown }).status ?? {};
    return clone(this.#insert(res, o) as T);
  }

  async update<T extends KubeObject>(res: ResourceDefinition<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.#update(res, obj, false, opts);
  }

  async updateStatus<T extends KubeObject>(res: ResourceDefinition<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    if (!res.subresources.status) throw notFound({ resource: `${res.plural}/status`, group: res.group, name: obj.metadata.name });
    return this.#update(res, obj, true, opts);
  }

  async updateSubresource<T extends KubeObject>(res: ResourceDefinition<T>, obj: T, subresource: 'status' | 'finalize', opts: WriteOptions = {}): Promise<T> {
    if (subresource === 'status') return this.updateStatus(res, obj, opts);
    if (res.plural !== 'namespaces' || res.group !== '') throw notFound({ resource: `${res.plural}/finalize`, group: res.group, name: obj.metadata.name });
    // finalize replaces spec.finalizers only, as the API server does.
    const s = this.#objects.get(this.#key(res, '', obj.metadata.name!));
    if (!s) throw notFound({ resource: res.plural, group: res.group, name: obj.metadata.name });
    const next = clone(s.obj) as T & { spec?: { finalizers?: string[] } };
    next.spec = { ...next.spec, finalizers: (obj as { spec?: { finalizers?: string[] } }).spec?.finalizers ?? [] };
    return this.#update(res, next as T, false, opts);
  }

  async patch<T extends KubeObject>(res: ResourceDefinition<T>, namespace: string, name: string, type: PatchType, patch: unknown, opts: PatchOptions = {}): Promise<T> {
    const resource = opts.subresource ? `${res.plural}/${opts.subresource}` : res.plural;
    this.#act({ verb: 'patch', resource, namespace, name, patchType: type, patch: clone(patch) });
    const s = this.#objects.get(this.#key(res, namespace, name));
    if (!s) throw notFound({ resource: res.plural, group: res.group, name });
    let next: unknown;
    if (type === 'json') next = applyJsonPatch(clone(s.obj), patch);
    else if (type === 'merge' || type === 'strategic') next = mergePatch(clone(s.obj), patch);
    else throw badRequest(`patch type ${type} is not supported by the fake client`);
    const obj = next as T;
    meta(obj).resourceVersion = s.obj.metadata.resourceVersion;
    return this.#commitUpdate(res, s, obj, opts.subresource === 'status', opts);
  }

  async delete<T extends KubeObject>(res: ResourceDefinition<T>, namespace: string, name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    const { signal: _s, ...options } = opts;
    this.#act({ verb: 'delete', resource: res.plural, namespace, name, options });
    return this.#delete(res, namespace, name, opts);
  }

  async deleteCollection<T extends KubeObject>(res: ResourceDefinition<T>, opts: ListOptions & DeleteOptions = {}): Promise<KubeList<T>> {
    const { signal: _s, ...options } = opts;
    this.#act({ verb: 'deletecollection', resource: res.plural, namespace: opts.namespace ?? '', options });
    const items: T[] = [];
    for (const o of this.#select(res, opts)) {
      const r = await this.#delete(res, o.metadata.namespace ?? '', o.metadata.name!, opts);
      if ((r as Status).kind !== 'Status') items.push(r as T);
    }
    return { apiVersion: apiVersionOfResource(res), kind: res.listKind, metadata: { resourceVersion: String(this.#rv) }, items };
  }

  async *watch<T extends KubeObject>(res: ResourceDefinition<T>, opts: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent<T>> {
    const resKey = resKeyOf(res);
    const selector = opts.labelSelector ? parseLabelSelector(opts.labelSelector) : undefined;
    const wanted = (o: KubeObject) =>
      (!opts.namespace || o.metadata.namespace === opts.namespace) && (!selector || selector.matches(o.metadata.labels));
    let from: number;
    const pending: WatchEvent<T>[] = [];
    if (!opts.resourceVersion || opts.resourceVersion === '0') {
      for (const o of this.#select(res, opts)) pending.push({ type: 'ADDED', object: clone(o as T) });
      from = this.#rv;
    } else {
      from = Number(opts.resourceVersion);
      if (from < this.#compacted) {
        yield { type: 'ERROR', object: gone(`too old resource version: ${from} (${this.#compacted})`).status as unknown as T };
        return;
      }
    }
    let notify: (() => void) | undefined;
    const wake = () => { notify?.(); };
    this.#subscribers.add(wake);
    signal.addEventListener('abort', wake, { once: true });
    try {
      while (!signal.aborted) {
        for (const h of this.#history) {
          if (h.rv <= from) continue;
          from = h.rv;
          if (h.resKey === resKey && wanted(h.obj)) pending.push({ type: h.type, object: clone(h.obj as T) });
        }
        while (pending.length) {
          yield pending.shift()!;
          if (signal.aborted) return;
        }
        if (from >= this.#rv) await new Promise<void>((resolve) => { notify = resolve; });
        notify = undefined;
      }
    } finally {
      this.#subscribers.delete(wake);
      signal.removeEventListener('abort', wake);
    }
  }

  async createSubresource<R>(res: ResourceDefinition, namespace: string, name: string, subresource: string, body: unknown, opts: WriteOptions = {}): Promise<R> {
    this.#act({ verb: 'create', resource: `${res.plural}/${subresource}`, namespace, name, object: clone(body) });
    const s = this.#objects.get(this.#key(res, namespace, name));
    if (!s) throw notFound({ resource: res.plural, group: res.group, name });
    if (res.group === '' && res.plural === 'pods' && subresource === 'binding') {
      const pod = clone(s.obj) as KubeObject & { spec?: { nodeName?: string } };
      if (pod.spec?.nodeName) throw conflict({ resource: 'pods', name }, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
      const target = (body as { target?: { name?: string } }).target?.name ?? '';
      pod.spec = { ...pod.spec, nodeName: target };
      await this.#commitUpdate(res, s, pod, false, opts);
      return successStatus() as R;
    }
    if (res.group === '' && res.plural === 'pods' && subresource === 'eviction') {
      await this.#delete(res, namespace, name, (body as { deleteOptions?: DeleteOptions }).deleteOptions ?? {});
      return successStatus() as R;
    }
    throw notFound({ resource: `${res.plural}/${subresource}`, group: res.group, name });
  }

  // ---- internals ----

  #key(res: Pick<ResourceDefinition, 'group' | 'plural' | 'scope'>, namespace: string, name: string): string {
    return `${res.group}/${res.plural}/${res.scope === 'Namespaced' ? namespace : ''}/${name}`;
  }

  #generateName(prefix: string): string {
    this.#names++;
    let n = this.#names * 7919 + 104729;
    let suffix = '';
    for (let i = 0; i < 5; i++) { suffix += alphabet[n % alphabet.length]; n = Math.floor(n / alphabet.length) + i * 31; }
    return prefix + suffix;
  }

  #act(action: FakeAction): void {
    this.actions.push(action);
    for (const r of this.#reactors) {
      const err = r(action);
      if (err) throw err;
    }
  }

  #select(res: ResourceDefinition, opts: ListOptions): KubeObject[] {
    const resKey = resKeyOf(res);
    const selector = opts.labelSelector ? parseLabelSelector(opts.labelSelector) : undefined;
    const out: [string, KubeObject][] = [];
    for (const [k, s] of this.#objects) {
      if (resKeyOf(s.res) !== resKey) continue;
      if (opts.namespace && s.obj.metadata.namespace !== opts.namespace) continue;
      if (selector && !selector.matches(s.obj.metadata.labels)) continue;
      if (opts.fieldSelector && !matchesFields(res, s.obj, opts.fieldSelector)) continue;
      out.push([k, s.obj]);
    }
    return out.sort(([a], [b]) => (a < b ? -1 : 1)).map(([, o]) => o);
  }

  #record(type: HistoryEntry['type'], res: ResourceDefinition, obj: KubeObject): void {
    this.#history.push({ rv: this.#rv, resKey: resKeyOf(res), type, obj: clone(obj) });
    for (const s of [...this.#subscribers]) s();
  }

  #insert(res: ResourceDefinition, o: KubeObject): KubeObject {
    const namespace = res.scope === 'Namespaced' ? o.metadata.namespace ?? '' : '';
    if (res.scope !== 'Namespaced') delete o.metadata.namespace;
    o.apiVersion = apiVersionOfResource(res);
    o.kind = res.kind;
    meta(o).uid ??= randomUUID();
    meta(o).creationTimestamp ??= rfc3339(this.#clock.now());
    meta(o).generation ??= 1;
    if (res.group === '' && res.plural === 'namespaces') {
      const ns = o as KubeObject & { spec?: { finalizers?: string[] }; status?: { phase?: string } };
      ns.spec = { finalizers: ['kubernetes'], ...ns.spec };
      ns.status = { phase: 'Active', ...ns.status };
    }
    meta(o).resourceVersion = String(++this.#rv);
    this.#objects.set(this.#key(res, namespace, o.metadata.name ?? ''), { res, obj: o });
    this.#record('ADDED', res, o);
    return o;
  }

  async #update<T extends KubeObject>(res: ResourceDefinition<T>, obj: T, status: boolean, opts: WriteOptions): Promise<T> {
    const namespace = res.scope === 'Namespaced' ? obj.metadata.namespace ?? '' : '';
    const name = obj.metadata.name ?? '';
    this.#act({ verb: 'update', resource: status ? `${res.plural}/status` : res.plural, namespace, name, object: clone(obj) });
    const s = this.#objects.get(this.#key(res, namespace, name));
    if (!s) throw notFound({ resource: res.plural, group: res.group, name });
    return this.#commitUpdate(res, s, clone(obj), status, opts);
  }

  async #commitUpdate<T extends KubeObject>(res: ResourceDefinition<T>, s: Stored, obj: T, status: boolean, opts: WriteOptions): Promise<T> {
    const old = s.obj;
    const name = old.metadata.name ?? '';
    const rv = obj.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw conflict({ resource: res.plural, group: res.group, name });
    if (obj.metadata.uid && obj.metadata.uid !== old.metadata.uid) throw conflict({ resource: res.plural, group: res.group, name }, 'Precondition failed: UID in precondition: ' + obj.metadata.uid + ', UID in object meta: ' + old.metadata.uid);
    let next: KubeObject;
    if (status) {
      next = { ...clone(old), status: clone((obj as { status?: unknown }).status) } as KubeObject;
      // The Deployment status strategy resets only spec and labels: the controller writes its
      // revision annotation through /status.
      if (res.group === 'apps' && res.plural === 'deployments') next.metadata.annotations = clone(obj.metadata.annotations);
    } else {
      next = obj;
      if (res.subresources.status) (next as { status?: unknown }).status = clone((old as { status?: unknown }).status);
      next.metadata = {
        ...next.metadata,
        uid: old.metadata.uid,
        creationTimestamp: old.metadata.creationTimestamp,
        generation: old.metadata.generation,
        deletionTimestamp: old.metadata.deletionTimestamp,
        deletionGracePeriodSeconds: old.metadata.deletionGracePeriodSeconds,
      };
      if (!next.metadata.deletionTimestamp) delete meta(next).deletionTimestamp;
      if (next.metadata.deletionGracePeriodSeconds === undefined) delete meta(next).deletionGracePeriodSeconds;
      if (res.group === '' && res.plural === 'namespaces' && !old.metadata.deletionTimestamp) {
        // spec.finalizers only change through finalization of a terminating namespace
        (next as { spec?: unknown }).spec = clone((old as { spec?: unknown }).spec);
      }
      if (withoutMetaAndStatus(next) !== withoutMetaAndStatus(old)) meta(next).generation = (old.metadata.generation ?? 0) + 1;
    }
    next.apiVersion = old.apiVersion;
    next.kind = old.kind;
    if (opts.dryRun) return next as T;
    if (JSON.stringify({ ...next, metadata: { ...next.metadata, resourceVersion: '' } }) === JSON.stringify({ ...old, metadata: { ...old.metadata, resourceVersion: '' } })) {
      return clone(old as T); // no-op writes keep the resourceVersion, as the apiserver does
    }
    meta(next).resourceVersion = String(++this.#rv);
    s.obj = next;
    if (next.metadata.deletionTimestamp && this.#finalized(res, next)) {
      this.#remove(res, next);
    } else {
      this.#record('MODIFIED', res, next);
    }
    return clone(next as T);
  }

  #finalized(res: ResourceDefinition, obj: KubeObject): boolean {
    if ((obj.metadata.finalizers ?? []).length > 0) return false;
    if (res.group === '' && res.plural === 'namespaces') {
      return ((obj as { spec?: { finalizers?: string[] } }).spec?.finalizers ?? []).length === 0;
    }
    return true;
  }

  #remove(res: ResourceDefinition, obj: KubeObject): void {
    const namespace = res.scope === 'Namespaced' ? obj.metadata.namespace ?? '' : '';
    this.#objects.delete(this.#key(res, namespace, obj.metadata.name ?? ''));
    meta(obj).resourceVersion = String(++this.#rv);
    this.#record('DELETED', res, obj);
  }

  async #delete<T extends KubeObject>(res: ResourceDefinition<T>, namespace: string, name: string, opts: DeleteOptions): Promise<T | Status> {
    const s = this.#objects.get(this.#key(res, namespace, name));
    if (!s) throw notFound({ resource: res.plural, group: res.group, name });
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== s.obj.metadata.uid) {
      throw conflict({ resource: res.plural, group: res.group, name }, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${s.obj.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== s.obj.metadata.resourceVersion) {
      throw conflict({ resource: res.plural, group: res.group, name }, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${s.obj.metadata.resourceVersion}`);
    }
    if (opts.dryRun) return clone(s.obj as T);
    const obj = clone(s.obj);
    const now = this.#clock.now();
    const finalizers = [...(obj.metadata.finalizers ?? [])];
    const isNamespace = res.group === '' && res.plural === 'namespaces';
    if (!obj.metadata.deletionTimestamp) {
      if (opts.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
      if (opts.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    }
    let grace = 0;
    if (res.group === '' && res.plural === 'pods') {
      const pod = obj as KubeObject & { spec?: { nodeName?: string; terminationGracePeriodSeconds?: number }; status?: { phase?: string } };
      const done = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
      grace = pod.spec?.nodeName && !done ? opts.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30 : 0;
    }
    if (isNamespace) {
      const ns = obj as KubeObject & { spec?: { finalizers?: string[] }; status?: { phase?: string } };
      ns.status = { ...ns.status, phase: 'Terminating' };
    }
    obj.metadata.finalizers = finalizers;
    if (finalizers.length === 0) delete obj.metadata.finalizers;
    if (this.#finalized(res, obj) && grace === 0) {
      s.obj = obj;
      this.#remove(res, obj);
      return clone(obj as T);
    }
    if (!obj.metadata.deletionTimestamp) {
      meta(obj).deletionTimestamp = rfc3339(now + grace * 1000);
      meta(obj).deletionGracePeriodSeconds = grace;
    } else if (grace < (obj.metadata.deletionGracePeriodSeconds ?? 0)) {
      meta(obj).deletionTimestamp = rfc3339(now + grace * 1000);
      meta(obj).deletionGracePeriodSeconds = grace;
    }
    if (JSON.stringify(obj) === JSON.stringify(s.obj)) return clone(obj as T);
    meta(obj).resourceVersion = String(++this.#rv);
    s.obj = obj;
    this.#record('MODIFIED', res, obj);
    return clone(obj as T);
  }
}

function successStatus(): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}

function matchesFields(res: ResourceDefinition, obj: KubeObject, selector: string): boolean {
  for (const part of selector.split(',')) {
    const m = part.match(/^([^=!]+)(==|=|!=)(.*)$/);
    if (!m) throw badRequest(`invalid field selector: ${part}`);
    const getter = res.fieldSelectors[m[1]!];
    if (!getter) throw badRequest(`field label not supported: ${m[1]}`);
    const v = getter(obj) ?? '';
    if ((m[2] === '!=') === (v === m[3])) return false;
  }
  return true;
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch);
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** RFC 6902 JSON patch (add, remove, replace, test). */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json patch must be an array');
  let root = doc;
  for (const op of ops as { op: string; path: string; value?: unknown }[]) {
    const parts = op.path.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (parts.length === 0) { root = clone(op.value); continue; }
    let parent = root as Record<string, unknown> | unknown[];
    for (const p of parts.slice(0, -1)) {
      const next = Array.isArray(parent) ? parent[Number(p)] : parent[p];
      if (next === undefined || next === null || typeof next !== 'object') throw badRequest(`doc is missing path: "${op.path}"`);
      parent = next as Record<string, unknown>;
    }
    const last = parts[parts.length - 1]!;
    const get = () => (Array.isArray(parent) ? parent[Number(last)] : parent[last]);
    switch (op.op) {
      case 'test':
        if (JSON.stringify(get()) !== JSON.stringify(op.value)) throw statusInvalidTest(op.path);
        break;
      case 'remove':
        if (get() === undefined) throw badRequest(`doc is missing path: "${op.path}"`);
        if (Array.isArray(parent)) parent.splice(Number(last), 1); else delete parent[last];
        break;
      case 'add':
        if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, clone(op.value));
        else parent[last] = clone(op.value);
        break;
      case 'replace':
        if (get() === undefined) throw badRequest(`doc is missing path: "${op.path}"`);
        if (Array.isArray(parent)) parent[Number(last)] = clone(op.value); else parent[last] = clone(op.value);
        break;
      default:
        throw badRequest(`unsupported json patch op: ${op.op}`);
    }
  }
  return root;
}

function statusInvalidTest(path: string): Error {
  const e = badRequest(`the server rejected our request due to an error in our request: testing value at ${path} failed`);
  e.status.code = 422;
  e.status.reason = 'Invalid';
  return e;
}
