/**
 * Server-side apply and field ownership (`metadata.managedFields`), after the kube-apiserver field
 * manager: `apply` merges an applied configuration into the live object, prunes what the applier
 * applied before but no longer sends (unless someone else owns it), and refuses to change fields
 * other managers own unless forced; `trackUpdate` records ownership for ordinary writes
 * (create/update/patch) so later applies see who owns what.
 */
import { StatusError, statusError } from '../errors.js';
import type { StatusCause } from '../types.js';
import { GenerationalMap, rfc3339 as secondsRfc3339 } from '../../base/index.js';
import { FieldSet, fieldPE, pathToString, type FieldPath } from './field-set.js';
import { cloneJson, isObject, jsonEqual, type JsonObject, type JsonValue } from './json-value.js';
import type { PatchMeta } from './patch-meta.js';
import {
  compareValues, ensureNamedFieldsAreMembers, mergeValues, pruneUnowned, toFieldSet,
} from './structured-merge.js';

export type ManagedFieldsOperation = 'Apply' | 'Update';

/** One `metadata.managedFields` entry as the API serves it. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: ManagedFieldsOperation;
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

export interface FieldManagerContext {
  /** The field manager (`fieldManager` query parameter, or the user agent's name). */
  manager: string;
  /** The request's group/version, e.g. `apps/v1`. */
  apiVersion: string;
  /** The request's kind; when given, an applied configuration of another kind is rejected. */
  kind?: string;
  /** Time of the write (RFC 3339 seconds are recorded). */
  now: Date | string;
  meta: PatchMeta;
  /** `status` for writes through /status; its entries are kept apart and own only status. */
  subresource?: string;
  /**
   * Whether the resource has a status subresource (default true): then writes to the main
   * resource do not own `status`, and /status writes own only `status`.
   */
  statusSubresource?: boolean;
}

export interface ApplyContext extends FieldManagerContext {
  /** `force=true`: take ownership of conflicting fields instead of failing. */
  force?: boolean;
}

export interface ApplyResult {
  object: JsonObject;
  managedFields: ManagedFieldsEntry[];
  /** Whether the object (apart from managedFields) differs from the live one. */
  changed: boolean;
}

/** Update managers beyond this many are folded, oldest first, into `ancient-changes`. */
export const maxUpdateManagers = 10;
const ancientChangesManager = 'ancient-changes';
const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

interface Owner {
  manager: string;
  operation: ManagedFieldsOperation;
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** The identity of a manager: the entry without time and fields (and without apiVersion for appliers). */
function identifierOf(o: Pick<Owner, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const id: Record<string, string> = { manager: o.manager, operation: o.operation };
  if (o.operation !== 'Apply' && o.apiVersion) id.apiVersion = o.apiVersion;
  if (o.subresource) id.subresource = o.subresource;
  return JSON.stringify(id);
}

/** How upstream names a manager in conflict messages: `"kubectl-edit" using apps/v1`. */
function describeManager(o: Owner): string {
  let s = JSON.stringify(o.manager);
  if (o.subresource) s += ` with subresource ${JSON.stringify(o.subresource)}`;
  if (o.operation === 'Update') s += ` using ${o.apiVersion}`;
  return s;
}

function rfc3339(now: Date | string): string {
  const ms = (typeof now === 'string' ? new Date(now) : now).getTime();
  return Number.isNaN(ms) ? String(now) : secondsRfc3339(ms);
}

/**
 * Field sets decoded from frozen FieldsV1 trees, by the tree. The watch cache keeps one frozen
 * copy of each distinct tree (and branch) among its objects, and updates start from its objects,
 * so the trees of every pod one client made from one template are the same object: a manager the
 * write leaves alone costs neither a decode nor (FieldSet memoises it) an encode. Frozen trees
 * cannot change under the key; anything else is decoded afresh.
 *
 * Bounded, in two generations (GenerationalMap): the shapes many objects share stay, while a
 * tree one object alone has (a pod's IP in its kubelet's set) leaves. Keeping a set for every
 * cached tree instead cost ~9 KB per pod (tries of Maps): 90 MB at 10,000 pods.
 */
const decodedSets = new GenerationalMap<object, FieldSet>(512);

function decodeFields(fields: unknown): FieldSet {
  if (!isObject(fields) || !Object.isFrozen(fields)) return FieldSet.fromFieldsV1(fields);
  let set = decodedSets.get(fields);
  if (!set) decodedSets.set(fields, (set = FieldSet.fromFieldsV1(fields)));
  return set;
}

/** Decodes `metadata.managedFields`; malformed entries are dropped. */
export function decodeManagedFields(entries: unknown): Map<string, Owner> {
  const owners = new Map<string, Owner>();
  if (!Array.isArray(entries)) return owners;
  for (const e of entries) {
    if (!isObject(e) || typeof e.manager !== 'string' || (e.operation !== 'Apply' && e.operation !== 'Update')) continue;
    if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1') continue;
    const owner: Owner = {
      manager: e.manager, operation: e.operation,
      apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      set: decodeFields(e.fieldsV1),
    };
    if (typeof e.subresource === 'string' && e.subresource) owner.subresource = e.subresource;
    if (typeof e.time === 'string') owner.time = e.time;
    const id = identifierOf(owner);
    const prev = owners.get(id);
    if (prev) prev.set = prev.set.union(owner.set);
    else owners.set(id, owner);
  }
  return owners;
}

/** Encodes owners as upstream orders them: operation, time, manager, apiVersion, subresource. */
export function encodeManagedFields(owners: Iterable<Owner>): ManagedFieldsEntry[] {
  const list = [...owners].filter((o) => !o.set.isEmpty());
  const seconds = (t?: string): number => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
  list.sort((p, q) => {
    if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
    const ps = seconds(p.time);
    const qs = seconds(q.time);
    if (ps !== qs) return ps - qs;
    if (p.manager !== q.manager) return p.manager < q.manager ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return p.apiVersion < q.apiVersion ? -1 : 1;
    return (p.subresource ?? '') < (q.subresource ?? '') ? -1 : (p.subresource ?? '') > (q.subresource ?? '') ? 1 : 0;
  });
  return list.map((o) => {
    const e: Partial<ManagedFieldsEntry> = { manager: o.manager, operation: o.operation, apiVersion: o.apiVersion };
    if (o.time) e.time = o.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = o.set.toFieldsV1();
    if (o.subresource) e.subresource = o.subresource;
    return e as ManagedFieldsEntry;
  });
}

/** Metadata the field manager never records ownership of. */
const strippedPaths: FieldPath[] = [
  ['f:apiVersion'], ['f:kind'], ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'resourceVersion']
    .map((f) => ['f:metadata', fieldPE(f)]),
];
const managedFieldsPath: FieldPath = ['f:metadata', 'f:managedFields'];

function strip(set: FieldSet): FieldSet {
  return set.difference(FieldSet.of(...strippedPaths)).recursiveDifference(FieldSet.of(managedFieldsPath));
}

/** Restricts a set to what a write through this endpoint may own (reset fields excluded). */
function ownable(set: FieldSet, ctx: FieldManagerContext): FieldSet {
  if (ctx.statusSubresource === false) return set;
  const status = FieldSet.of(['f:status']);
  return ctx.subresource === 'status' ? set.restrictTo(status) : set.recursiveDifference(status);
}

function withoutManagedFields(obj: JsonObject | undefined): JsonObject {
  const o = obj ? cloneJson(obj) : {};
  if (isObject(o.metadata)) delete o.metadata.managedFields;
  return o;
}

/**
 * The object without managedFields, sharing everything but the top level and metadata: for
 * trackUpdate, which only reads the objects it compares and replaces metadata.managedFields.
 */
function shallowWithoutManagedFields(obj: JsonObject | undefined): JsonObject {
  if (!obj) return {};
  const o: JsonObject = { ...obj };
  if (isObject(obj.metadata)) {
    const { managedFields: _dropped, ...metadata } = obj.metadata;
    o.metadata = metadata;
  }
  return o;
}

function statusView(o: JsonObject): JsonObject {
  const v: JsonObject = {};
  if (o.metadata !== undefined) v.metadata = o.metadata;
  if (o.status !== undefined) v.status = o.status;
  return v;
}

function setManagedFields(obj: JsonObject, entries: ManagedFieldsEntry[]): void {
  if (!isObject(obj.metadata)) obj.metadata = {};
  const md = obj.metadata as JsonObject;
  if (entries.length > 0) md.managedFields = entries as unknown as JsonValue;
  else delete md.managedFields;
}

/** Folds the oldest Update managers into `ancient-changes` when there are too many. */
function capUpdateManagers(owners: Map<string, Owner>): void {
  const updaters = [...owners.entries()].filter(([, o]) => o.operation === 'Update' && o.manager !== ancientChangesManager);
  const total = [...owners.values()].filter((o) => o.operation === 'Update').length;
  if (total <= maxUpdateManagers) return;
  const seconds = (t?: string): number => (t ? Date.parse(t) || 0 : 0);
  updaters.sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || (ia < ib ? -1 : 1));
  let count = total;
  for (const [id, o] of updaters) {
    if (count <= maxUpdateManagers) break;
    const bucket: Owner = { manager: ancientChangesManager, operation: 'Update', apiVersion: o.apiVersion, set: new FieldSet() };
    const bucketId = identifierOf(bucket);
    const existing = owners.get(bucketId);
    owners.delete(id);
    if (existing) {
      existing.set = existing.set.union(o.set);
      if (o.time) existing.time = o.time;
      count--;
    } else {
      owners.set(bucketId, { ...bucket, set: o.set, time: o.time });
    }
  }
}

/** 409 Conflict worded as kube-apiserver words apply conflicts. */
function conflictError(conflicts: { owner: Owner; id: string; paths: FieldPath[] }[]): StatusError {
  conflicts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const all = conflicts.flatMap((c) => c.paths.map((p) => ({ owner: c.owner, path: pathToString(p) })));
  const causes: StatusCause[] = all.map((c) => ({
    reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c.owner)}`, field: c.path,
  }));
  let message: string;
  if (all.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(all[0]!.owner)}: ${all[0]!.path}`;
  } else {
    const lines: string[] = [];
    for (const c of conflicts) {
      lines.push(`conflicts with ${describeManager(c.owner)}:`);
      for (const p of c.paths) lines.push(`- ${pathToString(p)}`);
    }
    message = `Apply failed with ${all.length} conflicts: ${lines.join('\n')}`;
  }
  return statusError(409, 'Conflict', message, { causes });
}

/**
 * Takes fields away from other managers for a change live → next: fields changed or added leave
 * their previous owners (or, unless `force`, make a conflict), removed fields leave everyone.
 */
function settleOwnership(owners: Map<string, Owner>, selfId: string, live: JsonObject, next: JsonObject,
  ctx: FieldManagerContext, force: boolean): { changed: FieldSet; removed: FieldSet } {
  const cmp = compareValues(live, next, ctx.meta);
  const changed = ownable(cmp.modified.union(cmp.added), ctx);
  const removed = cmp.removed;
  const conflicts: { owner: Owner; id: string; paths: FieldPath[] }[] = [];
  for (const [id, o] of owners) {
    if (id === selfId) continue;
    const hit = o.set.intersection(changed);
    if (!hit.isEmpty()) conflicts.push({ owner: o, id, paths: hit.paths() });
  }
  if (!force && conflicts.length > 0) throw conflictError(conflicts);
  for (const [id, o] of owners) {
    if (id === selfId) continue;
    o.set = o.set.difference(changed).difference(removed);
    if (o.set.isEmpty()) owners.delete(id);
  }
  return { changed, removed };
}

/**
 * Server-side apply (`application/apply-patch+yaml`). Throws a 409 StatusError on conflicts
 * (unless `force`), 400 on an applied configuration of the wrong kind or carrying managedFields.
 */
export function apply(live: JsonObject | undefined, applied: JsonObject, ctx: ApplyContext): ApplyResult {
  if (!isObject(applied)) throw statusError(400, 'BadRequest', 'error decoding YAML: the applied configuration is not an object');
  const gv = typeof applied.apiVersion === 'string' ? applied.apiVersion : '';
  const kind = typeof applied.kind === 'string' ? applied.kind : '';
  if (gv !== ctx.apiVersion || (ctx.kind !== undefined && kind !== ctx.kind)) {
    const [group, version] = gv.includes('/') ? [gv.slice(0, gv.indexOf('/')), gv.slice(gv.indexOf('/') + 1)] : ['', gv];
    throw statusError(400, 'BadRequest', `invalid object type: ${group}/${version}, Kind=${kind}`);
  }
  if (isObject(applied.metadata) && applied.metadata.managedFields !== undefined && applied.metadata.managedFields !== null) {
    throw statusError(400, 'BadRequest', 'metadata.managedFields must be nil');
  }
  const now = rfc3339(ctx.now);
  const owners = decodeManagedFields(isObject(live?.metadata) ? live!.metadata.managedFields : undefined);
  const liveObj = withoutManagedFields(live);
  const config = withoutManagedFields(applied);

  const self: Owner = { manager: ctx.manager, operation: 'Apply', apiVersion: ctx.apiVersion, set: new FieldSet() };
  if (ctx.subresource) self.subresource = ctx.subresource;
  const selfId = identifierOf(self);
  const previous = owners.get(selfId);
  const lastSet = previous?.set;
  // The applier's new set is used unstripped while merging and pruning (as upstream), stripped when stored.
  const configSet = ownable(toFieldSet(config, ctx.meta, { rejectDuplicates: true }), ctx);
  self.set = configSet;
  if (previous?.time) self.time = previous.time;
  owners.set(selfId, self);

  const merged = (mergeValues(liveObj, config, ctx.meta) ?? {}) as JsonObject;
  if (lastSet && !lastSet.isEmpty()) {
    let owned = new FieldSet();
    for (const o of owners.values()) owned = owned.union(o.set);
    pruneUnowned(merged, ensureNamedFieldsAreMembers(lastSet, ctx.meta), ensureNamedFieldsAreMembers(owned, ctx.meta), ctx.meta);
  }
  settleOwnership(owners, selfId, liveObj, merged, ctx, ctx.force ?? false);

  const changed = !jsonEqual(liveObj, merged);
  const object = changed ? merged : liveObj;
  if (changed || !previous) self.time = now;
  for (const o of owners.values()) o.set = strip(o.set);
  for (const [id, o] of owners) if (o.set.isEmpty()) owners.delete(id);

  if (ctx.manager === 'kubectl' && isObject(object.metadata) && isObject(object.metadata.annotations)
    && typeof object.metadata.annotations[lastAppliedAnnotation] === 'string') {
    object.metadata.annotations[lastAppliedAnnotation] = lastAppliedOf(applied);
  }
  const managedFields = encodeManagedFields(owners.values());
  setManagedFields(object, managedFields);
  return { object, managedFields, changed };
}

/** What kubectl's last-applied annotation would hold for `applied` (keys sorted, trailing newline). */
function lastAppliedOf(applied: JsonObject): string {
  const copy = cloneJson(applied);
  if (isObject(copy.metadata) && isObject(copy.metadata.annotations)) delete copy.metadata.annotations[lastAppliedAnnotation];
  return `${sortedJson(copy)}\n`;
}

function sortedJson(v: JsonValue): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${sortedJson(v[k]!)}`).join(',')}}`;
  return JSON.stringify(v);
}

export interface TrackUpdateContext extends FieldManagerContext {
  operation?: ManagedFieldsOperation;
}

/**
 * Records ownership for an ordinary write (create when `old` is undefined, update, non-apply
 * patch): the writer takes the fields it changed or added, other managers lose them and lose
 * removed fields, managers left owning nothing disappear. `next` may carry managedFields set by
 * the client (kubectl's last-applied migration replaces them by JSON patch): those are taken as
 * the starting point; `[]` means "unchanged", a list without any valid entry clears them all.
 * Returns a copy of `next` with `metadata.managedFields` set.
 */
export function trackUpdate(old: JsonObject | undefined, next: JsonObject, ctx: TrackUpdateContext): JsonObject {
  const now = rfc3339(ctx.now);
  const requested = isObject(next.metadata) ? next.metadata.managedFields : undefined;
  const oldEntries = isObject(old?.metadata) ? old!.metadata.managedFields : undefined;
  let owners: Map<string, Owner>;
  if (Array.isArray(requested) && requested.length > 0 && !jsonEqual(requested, oldEntries) && ctx.subresource === undefined) {
    owners = decodeManagedFields(requested);
    if (owners.size === 0) {
      const out = withoutManagedFields(next);
      return out;
    }
  } else {
    owners = decodeManagedFields(oldEntries);
  }
  const liveObj = shallowWithoutManagedFields(old);
  const result = shallowWithoutManagedFields(next);
  const operation = ctx.operation ?? 'Update';
  const self: Owner = { manager: ctx.manager, operation, apiVersion: ctx.apiVersion, set: new FieldSet() };
  if (ctx.subresource) self.subresource = ctx.subresource;
  const selfId = identifierOf(self);
  // A /status write changes only status and metadata (the API server resets the rest first):
  // comparing just those is the same comparison, without walking the spec twice.
  const statusOnly = ctx.subresource === 'status' && ctx.statusSubresource !== false;
  const settled = statusOnly
    ? settleOwnership(owners, selfId, statusView(liveObj), statusView(result), ctx, true)
    : settleOwnership(owners, selfId, liveObj, result, ctx, true);
  const changed = strip(settled.changed);
  const prev = owners.get(selfId);
  if (!changed.isEmpty()) {
    const base = prev ? prev.set.difference(settled.removed) : new FieldSet();
    owners.set(selfId, { ...self, set: base.union(changed), time: now });
  } else if (prev) {
    prev.set = prev.set.difference(settled.removed);
  }
  for (const o of owners.values()) o.set = strip(o.set);
  for (const [id, o] of owners) if (o.set.isEmpty()) owners.delete(id);
  capUpdateManagers(owners);
  setManagedFields(result, encodeManagedFields(owners.values()));
  return result;
}
