/**
 * Schema-aware operations on JSON objects that server-side apply is built from, after
 * sigs.k8s.io/structured-merge-diff: the field set of a value, merging an applied configuration
 * into a live object, comparing two objects, and removing fields. Lists are `atomic` (one leaf),
 * `set` (items by value) or `map` (items by key fields); objects are granular unless
 * `x-kubernetes-map-type: atomic`.
 */
import { statusError } from '../errors.js';
import { FieldSet, fieldPE, keyPE, pathToString, valuePE, indexPE, type FieldPath, type PathElement } from './field-set.js';
import { cloneJson, isObject, jsonEqual, type JsonObject, type JsonValue } from './json-value.js';
import { listSemantics, untypedMeta, type PatchMeta } from './patch-meta.js';

type Node = 'leaf' | 'object' | 'list';

function nodeKind(v: JsonValue | undefined, meta: PatchMeta): Node {
  if (v === undefined || v === null) return 'leaf';
  if (meta.shape === 'scalar') return 'leaf';
  if (Array.isArray(v)) return listSemantics(meta).type === 'atomic' ? 'leaf' : 'list';
  if (isObject(v)) return meta.mapType === 'atomic' ? 'leaf' : 'object';
  return 'leaf';
}

const childMeta = (meta: PatchMeta, key: string): PatchMeta => meta.field(key) ?? untypedMeta;

/** The path element naming `item` in a list with `meta` (list-map key, set value, or index). */
export function listItemPE(item: JsonValue, meta: PatchMeta, index: number): PathElement {
  const sem = listSemantics(meta);
  if (sem.type === 'set') return valuePE(item);
  if (sem.type === 'map' && isObject(item)) {
    const itemMeta = meta.items();
    const fields: [string, JsonValue][] = [];
    for (const k of sem.keys) {
      let v = item[k];
      if (v === undefined) {
        const d = itemMeta.field(k)?.default;
        if (d !== undefined) v = d as JsonValue;
      }
      if (v !== undefined) fields.push([k, v]);
    }
    if (fields.length > 0) return keyPE(fields);
  }
  return indexPE(index);
}

/** The set of fields `value` specifies (what an applier owns by sending it). */
export function toFieldSet(value: JsonValue, meta: PatchMeta, opts: { rejectDuplicates?: boolean } = {}): FieldSet {
  const set = new FieldSet();
  const walk = (v: JsonValue, m: PatchMeta, path: PathElement[]): void => {
    const kind = nodeKind(v, m);
    if (kind === 'leaf') { if (path.length) set.insert(path); return; }
    if (kind === 'object') {
      for (const [k, cv] of Object.entries(v as JsonObject)) {
        const p = [...path, fieldPE(k)];
        walk(cv, childMeta(m, k), p);
        if (cv === null || (isObject(cv) && Object.keys(cv).length === 0) || !m.hasField(k)) set.insert(p);
      }
      return;
    }
    const seen = new Set<PathElement>();
    (v as JsonValue[]).forEach((item, i) => {
      const pe = listItemPE(item, m, i);
      if (opts.rejectDuplicates && seen.has(pe)) {
        throw statusError(400, 'BadRequest', `${pathToString(path)}: duplicate entries for key ${pathToString([pe])}`);
      }
      seen.add(pe);
      const p = [...path, pe];
      walk(item, m.items(), p);
      set.insert(p);
    });
  };
  walk(value, meta, []);
  return set;
}

/** Indexes list items by path element; duplicates in an applied configuration are rejected. */
function indexList(list: JsonValue[], meta: PatchMeta, path: FieldPath, rejectDuplicates: boolean): { pes: PathElement[]; byPE: Map<PathElement, JsonValue> } {
  const pes: PathElement[] = [];
  const byPE = new Map<PathElement, JsonValue>();
  list.forEach((item, i) => {
    const pe = listItemPE(item, meta, i);
    if (byPE.has(pe)) {
      if (rejectDuplicates) {
        throw statusError(400, 'BadRequest', `${pathToString(path)}: duplicate entries for key ${pathToString([pe])}`);
      }
      return;
    }
    byPE.set(pe, item);
    pes.push(pe);
  });
  return { pes, byPE };
}

/**
 * Merges an applied configuration into the live value: objects key by key, list-maps and sets item
 * by item (live order kept, applied items placed in applied order), everything else replaced.
 * A `null` in the configuration removes the field.
 */
export function mergeValues(lhs: JsonValue | undefined, rhs: JsonValue | undefined, meta: PatchMeta, path: PathElement[] = []): JsonValue | undefined {
  if (rhs === undefined) return lhs === undefined ? undefined : cloneJson(lhs);
  if (lhs === undefined || lhs === null || rhs === null) return cloneJson(rhs);
  const lk = nodeKind(lhs, meta);
  const rk = nodeKind(rhs, meta);
  if (lk !== rk || rk === 'leaf') return cloneJson(rhs);
  if (rk === 'object') {
    const l = lhs as JsonObject;
    const r = rhs as JsonObject;
    const out: JsonObject = {};
    for (const k of Object.keys(l)) {
      const v = Object.prototype.hasOwnProperty.call(r, k) ? mergeValues(l[k], r[k], childMeta(meta, k), [...path, fieldPE(k)]) : cloneJson(l[k]);
      if (v !== undefined && v !== null) out[k] = v;
    }
    for (const k of Object.keys(r)) {
      if (Object.prototype.hasOwnProperty.call(l, k)) continue;
      const v = mergeValues(undefined, r[k], childMeta(meta, k), [...path, fieldPE(k)]);
      if (v !== undefined && v !== null) out[k] = v;
    }
    return out;
  }
  return mergeLists(lhs as JsonValue[], rhs as JsonValue[], meta, path);
}

function mergeLists(lhs: JsonValue[], rhs: JsonValue[], meta: PatchMeta, path: PathElement[]): JsonValue[] {
  const itemMeta = meta.items();
  const r = indexList(rhs, meta, path, true);
  const lpes = lhs.map((item, i) => listItemPE(item, meta, i));
  const lByPE = new Map<PathElement, JsonValue>();
  lpes.forEach((pe, i) => { if (!lByPE.has(pe)) lByPE.set(pe, lhs[i]!); });
  const shared = r.pes.filter((pe) => lByPE.has(pe));
  let sharedAt = 0;
  let nextShared: PathElement | undefined = shared[sharedAt++];
  const merged = new Set<PathElement>();
  const out: JsonValue[] = [];
  const take = (pe: PathElement, l: JsonValue | undefined, rv: JsonValue | undefined): void => {
    const v = mergeValues(l, rv, itemMeta, [...path, pe]);
    if (v !== undefined) out.push(v);
  };
  let li = 0;
  let ri = 0;
  while (li < lpes.length || ri < r.pes.length) {
    if (li < lpes.length && ri < r.pes.length) {
      const pe = lpes[li]!;
      if (pe === r.pes[ri]) {
        merged.add(pe);
        take(pe, lByPE.get(pe), r.byPE.get(pe));
        li++; ri++;
        nextShared = shared[sharedAt++];
        continue;
      }
      if (r.byPE.has(pe) && nextShared !== undefined && nextShared !== pe) { li++; continue; }
    }
    if (li < lpes.length) {
      const pe = lpes[li]!;
      if (!r.byPE.has(pe)) { take(pe, lhs[li], undefined); li++; continue; }
      if (merged.has(pe)) li++;
    }
    if (ri < r.pes.length) {
      const pe = r.pes[ri]!;
      merged.add(pe);
      take(pe, lByPE.get(pe), r.byPE.get(pe));
      ri++;
      if (nextShared === pe) nextShared = shared[sharedAt++];
    }
  }
  return out;
}

export interface Comparison { added: FieldSet; modified: FieldSet; removed: FieldSet }

/** Which fields were added, modified or removed going from `lhs` to `rhs`. */
export function compareValues(lhs: JsonValue | undefined, rhs: JsonValue | undefined, meta: PatchMeta): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  // The path to the node being compared: one array, pushed and popped (insert copies what it keeps).
  const path: PathElement[] = [];
  const walk = (l: JsonValue | undefined, r: JsonValue | undefined, m: PatchMeta, parent?: PatchMeta): void => {
    // One value on both sides (a part the write kept as it was): nothing below differs.
    if (l === r) return;
    const lk = l === undefined ? undefined : nodeKind(l, m);
    const rk = r === undefined ? undefined : nodeKind(r, m);
    const kind = lk ?? rk!;
    if (kind === 'leaf' || (lk !== undefined && rk !== undefined && lk !== rk)) {
      if (!path.length) return;
      if (l === undefined) c.added.insert(path);
      else if (r === undefined) c.removed.insert(path);
      else if (!jsonEqual(l, r)) c.modified.insert(path);
      return;
    }
    if (kind === 'object') {
      const lo = (l ?? {}) as JsonObject;
      const ro = (r ?? {}) as JsonObject;
      for (const k of Object.keys(lo)) {
        path.push(fieldPE(k));
        walk(lo[k], Object.prototype.hasOwnProperty.call(ro, k) ? ro[k] : undefined, childMeta(m, k), m);
        path.pop();
      }
      for (const k of Object.keys(ro)) {
        if (Object.prototype.hasOwnProperty.call(lo, k)) continue;
        path.push(fieldPE(k));
        walk(undefined, ro[k], childMeta(m, k), m);
        path.pop();
      }
    } else {
      const ll = (l ?? []) as JsonValue[];
      const rl = (r ?? []) as JsonValue[];
      const li = indexList(ll, m, path, false);
      const ri = indexList(rl, m, path, false);
      const items = m.items();
      for (const pe of li.pes) { path.push(pe); walk(li.byPE.get(pe), ri.byPE.get(pe), items); path.pop(); }
      for (const pe of ri.pes) {
        if (li.byPE.has(pe)) continue;
        path.push(pe);
        walk(undefined, ri.byPE.get(pe), items);
        path.pop();
      }
    }
    // The node itself is added/removed too, except where the built-in types always serialize it
    // (structs held by value, required fields): there is always an empty value to compare with,
    // so upstream records no "." for them.
    const last = path[path.length - 1];
    const alwaysThere = last !== undefined && last.startsWith('f:')
      && ((kind === 'object' && m.shape === 'struct') || (parent?.isRequired(last.slice(2)) ?? false));
    if (path.length && !alwaysThere) {
      if (l === undefined) c.added.insert(path);
      else if (r === undefined) c.removed.insert(path);
    }
  };
  walk(lhs, rhs, meta);
  return c;
}

/** Adds, as members, the declared (named) struct fields on the way to every path of `set`. */
export function ensureNamedFieldsAreMembers(set: FieldSet, meta: PatchMeta): FieldSet {
  const out = set.clone();
  const walk = (node: FieldSet, m: PatchMeta): void => {
    for (const [pe, child] of node.children) {
      let cm: PatchMeta;
      if (pe.startsWith('f:')) {
        const name = pe.slice(2);
        if (m.hasField(name)) child.member = true;
        cm = childMeta(m, name);
      } else {
        cm = m.items();
      }
      walk(child, cm);
    }
  };
  walk(out, meta);
  return out;
}

/**
 * Prunes from `merged` (in place) what the applier owned last time (`last`) and nobody owns now
 * (`owned`): a field goes when it is in `last` and it, or an ancestor that `last` covers, is not
 * in `owned`. Both sets must already carry their named fields as members.
 */
export function pruneUnowned(merged: JsonValue, last: FieldSet, owned: FieldSet, meta: PatchMeta): void {
  const walk = (value: JsonValue, lastNode: FieldSet, ownedNode: FieldSet | undefined, covered: boolean, forced: boolean, m: PatchMeta): void => {
    const kind = nodeKind(value, m);
    if (kind === 'leaf') return;
    if (kind === 'object') {
      const obj = value as JsonObject;
      for (const [pe, lastChild] of lastNode.children) {
        if (!pe.startsWith('f:')) continue;
        const key = pe.slice(2);
        if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
        const ownedChild = ownedNode?.children.get(pe);
        const c = covered || lastChild.member;
        const remove = forced || (c && !(ownedChild?.member ?? false));
        if (remove && lastChild.member) { delete obj[key]; continue; }
        if (lastChild.children.size > 0) {
          const cm = childMeta(m, key);
          walk(obj[key]!, lastChild, ownedChild, c, remove, cm);
          if (emptied(obj[key]!, cm)) delete obj[key];
        }
      }
      return;
    }
    const list = value as JsonValue[];
    const drop = new Set<number>();
    list.forEach((item, i) => {
      const pe = listItemPE(item, m, i);
      const lastChild = lastNode.children.get(pe);
      if (!lastChild) return;
      const ownedChild = ownedNode?.children.get(pe);
      const c = covered || lastChild.member;
      const remove = forced || (c && !(ownedChild?.member ?? false));
      if (remove && lastChild.member) { drop.add(i); return; }
      if (lastChild.children.size > 0) walk(item, lastChild, ownedChild, c, remove, m.items());
    });
    if (drop.size > 0) {
      let w = 0;
      for (let i = 0; i < list.length; i++) if (!drop.has(i)) list[w++] = list[i]!;
      list.length = w;
    }
  };
  walk(merged, last, owned, false, false, meta);
}

/** An emptied map or list: the built-in types omit those (`omitempty`), so pruning drops them. */
function emptied(v: JsonValue, m: PatchMeta): boolean {
  if (Array.isArray(v)) return v.length === 0;
  return isObject(v) && m.shape !== 'struct' && Object.keys(v).length === 0;
}
