/**
 * Server-side application of a strategic merge patch (`application/strategic-merge-patch+json`),
 * following k8s.io/apimachinery/pkg/util/strategicpatch: maps merge recursively with `null`
 * deleting, lists with patch strategy `merge` merge element-wise by their merge key (or as a set of
 * scalars), other lists are replaced, and the directives `$patch`, `$retainKeys`,
 * `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>` are honoured. The result never
 * carries a directive. Lists are indexed by merge key, so big lists merge in O(n log n).
 */
import { StatusError, invalid, fieldErr, statusError } from '../errors.js';
import { cloneJson, goFormat, goTypeName, isObject, parseJsonText, scalarKey, jsonKindName, type JsonObject, type JsonValue } from './json-value.js';
import { patchStrategyOf, untypedMeta, type PatchMeta } from './patch-meta.js';

const directiveMarker = '$patch';
const retainKeysDirective = '$retainKeys';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';
const setElementOrderPrefix = '$setElementOrder';

export interface StrategicMergeOptions {
  /** What to do with an unknown `$` directive: Strict rejects (422), Warn records a warning, Ignore drops. Default Strict. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** Receives warnings (unknown directives under fieldValidation=Warn). */
  warnings?: string[];
}

/** Decodes an SMP body: must be a JSON object (400 BadRequest otherwise, as upstream). */
export function decodeStrategicMergePatch(body: string | unknown): JsonObject {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    const r = parseJsonText(body);
    if ('error' in r) throw statusError(400, 'BadRequest', r.error);
    parsed = r.value;
  }
  if (!isObject(parsed)) {
    throw statusError(400, 'BadRequest', `json: cannot unmarshal ${jsonKindName(parsed)} into Go value of type map[string]interface {}`);
  }
  return parsed;
}

/** Applies `patch` to a copy of `original` (neither argument is modified). */
export function applyStrategicMergePatch(original: JsonObject | undefined, patch: JsonObject, meta: PatchMeta, opts: StrategicMergeOptions = {}): JsonObject {
  const ctx: Ctx = { fieldValidation: opts.fieldValidation ?? 'Strict', warnings: opts.warnings, patch, unknown: [] };
  const result = mergeMap(original ? cloneJson(original) : undefined, patch, meta, ctx, '');
  if (ctx.unknown.length > 0) {
    const detail = `strict decoding error: ${ctx.unknown.map((f) => `unknown field "${f}"`).join(', ')}`;
    if (ctx.fieldValidation === 'Strict') {
      throw invalid('', '', '', [fieldErr.invalid('patch', goFormat(patch), detail)]);
    }
    if (ctx.fieldValidation === 'Warn') for (const f of ctx.unknown) ctx.warnings?.push(`unknown field "${f}"`);
  }
  return result;
}

interface Ctx {
  fieldValidation: 'Strict' | 'Warn' | 'Ignore';
  warnings: string[] | undefined;
  patch: JsonObject;
  unknown: string[];
}

/** A non-Status error upstream: rendered as 500 with an empty reason and the library's text. */
function libraryError(message: string): StatusError {
  return statusError(500, '', message);
}
const errBadRetainKeys = (): StatusError => statusError(400, 'BadRequest', 'invalid patch format of retainKeys');
const errBadPrimitiveList = (): StatusError => statusError(400, 'BadRequest', 'invalid patch format of primitive list');
const errBadSetElementOrder = (): StatusError => statusError(400, 'BadRequest', 'invalid patch format of setElementOrder list');
const errGeneric422 = (cause: string): StatusError => new StatusError(
  statusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {}).status, { cause: new Error(cause) });
const errBadArgType = (expected: string, actual: unknown): StatusError =>
  libraryError(`expected a ${expected}, but received a ${goTypeName(actual)}`);
const errNoMergeKey = (m: JsonObject, key: string): StatusError =>
  libraryError(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);
const errBadPatchType = (t: unknown, m: JsonObject): StatusError =>
  libraryError(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`);

/** `$deleteFromPrimitiveList/finalizers` → `finalizers`; a malformed directive is a 400. */
function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    throw prefix === deleteFromPrimitiveListPrefix ? errBadPrimitiveList() : errBadSetElementOrder();
  }
  return s.slice(slash + 1);
}

function path(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

/** A patch value taken as it is where nothing exists yet: directives applied against nothing. */
function fresh(value: JsonValue, meta: PatchMeta | undefined, ctx: Ctx, at: string): JsonValue {
  if (isObject(value)) return mergeMap(undefined, value, meta ?? untypedMeta, ctx, at);
  if (Array.isArray(value)) {
    const { strategy } = patchStrategyOf(meta);
    const items = meta ? meta.items() : untypedMeta;
    if (strategy === 'merge') return mergeList([], value, items, meta?.patchMergeKey ?? '', false, ctx, at);
    return value.map((el) => (isObject(el) ? mergeMap(undefined, el, items, ctx, at) : cloneJson(el)));
  }
  return value;
}

function mergeMap(original: JsonObject | undefined, patch: JsonObject, meta: PatchMeta, ctx: Ctx, at: string): JsonObject {
  if (Object.prototype.hasOwnProperty.call(patch, directiveMarker)) {
    const directive = patch[directiveMarker];
    if (directive === 'replace') {
      const rest: JsonObject = {};
      for (const k of Object.keys(patch)) if (k !== directiveMarker) rest[k] = patch[k]!;
      return mergeMap(undefined, rest, meta, ctx, at);
    }
    if (directive === 'delete') return {};
    if (directive !== 'merge') throw errBadPatchType(directive, patch);
  }
  const result: JsonObject = original ?? {};
  const consumed = new Set<string>();

  // $retainKeys: drop every key of the original not listed; the patch may only set listed keys.
  if (Object.prototype.hasOwnProperty.call(patch, retainKeysDirective)) {
    const list = patch[retainKeysDirective];
    if (!Array.isArray(list)) throw errBadRetainKeys();
    const retained = new Set(list.filter((v): v is string => typeof v === 'string'));
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || k === retainKeysDirective || k === directiveMarker
        || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix)) continue;
      if (!retained.has(k)) throw errGeneric422("patch content doesn't match retainKeys list");
    }
    for (const k of Object.keys(result)) if (!retained.has(k)) delete result[k];
  }

  // $setElementOrder/<list>: merge that list now and impose the requested order.
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    const order = patch[key];
    if (!Array.isArray(order)) throw errBadArgType('[]interface {}', order);
    const listKey = extractKey(key, setElementOrderPrefix);
    const fm = meta.field(listKey);
    const { strategy } = patchStrategyOf(fm);
    const mergeKey = fm?.patchMergeKey ?? '';
    const hasOrig = Object.prototype.hasOwnProperty.call(result, listKey);
    const hasPatch = Object.prototype.hasOwnProperty.call(patch, listKey);
    const origList = hasOrig ? result[listKey] : undefined;
    const patchList = hasPatch ? patch[listKey] : undefined;
    if (hasOrig && !Array.isArray(origList)) throw errBadArgType('[]interface {}', origList);
    if (hasPatch && patchList !== null && !Array.isArray(patchList)) throw errBadArgType('[]interface {}', patchList);
    const elemMeta = fm ? fm.items() : untypedMeta;
    if (Array.isArray(patchList)) validatePatchWithSetOrderList(patchList, order, mergeKey);
    consumed.add(listKey);
    let merged: JsonValue[];
    if (hasPatch && patchList === null) {
      delete result[listKey];
      continue;
    }
    if (hasOrig && !hasPatch) {
      merged = origList as JsonValue[];
    } else if (!hasOrig && hasPatch) {
      merged = fresh(patchList as JsonValue[], fm, ctx, path(at, listKey)) as JsonValue[];
    } else if (hasOrig && hasPatch) {
      merged = strategy === 'merge'
        ? mergeList(origList as JsonValue[], patchList as JsonValue[], elemMeta, mergeKey, false, ctx, path(at, listKey))
        : fresh(patchList as JsonValue[], fm, ctx, path(at, listKey)) as JsonValue[];
    } else {
      continue;
    }
    const identity = identityFn(mergeKey, merged, origList as JsonValue[] | undefined);
    result[listKey] = normalizeOrder(merged, order, (origList as JsonValue[] | undefined) ?? [], identity);
  }

  for (const key of Object.keys(patch)) {
    if (consumed.has(key) || key === retainKeysDirective || key === directiveMarker || key.startsWith(setElementOrderPrefix)) continue;
    const patchV = patch[key]!;
    let k = key;
    let isDeleteList = false;
    if (key.startsWith(deleteFromPrimitiveListPrefix)) {
      k = extractKey(key, deleteFromPrimitiveListPrefix);
      isDeleteList = true;
    } else if (key.startsWith('$') && meta.shape === 'struct' && !meta.hasField(key)) {
      if (ctx.fieldValidation === 'Ignore') continue;
      ctx.unknown.push(path(at, key));
      continue;
    }
    const fm = meta.field(k);
    if (isDeleteList) {
      if (!Array.isArray(patchV)) throw errBadArgType('[]interface {}', patchV);
      const cur = result[k];
      if (cur === undefined || cur === null) continue;
      if (!Array.isArray(cur)) throw errBadArgType('[]interface {}', cur);
      result[k] = deleteFromSlice(cur, patchV);
      continue;
    }
    if (patchV === null) { delete result[k]; continue; }
    const cur = Object.prototype.hasOwnProperty.call(result, k) ? result[k] : undefined;
    const childAt = path(at, k);
    if (cur === undefined || cur === null || goTypeName(cur) !== goTypeName(patchV) && !(typeof cur === 'number' && typeof patchV === 'number')) {
      result[k] = fresh(patchV, fm, ctx, childAt);
      continue;
    }
    const { strategy } = patchStrategyOf(fm);
    if (isObject(cur) && isObject(patchV)) {
      result[k] = strategy === 'replace' ? fresh(patchV, fm, ctx, childAt) : mergeMap(cur, patchV, fm ?? untypedMeta, ctx, childAt);
    } else if (Array.isArray(cur) && Array.isArray(patchV)) {
      result[k] = strategy === 'merge'
        ? mergeList(cur, patchV, fm ? fm.items() : untypedMeta, fm?.patchMergeKey ?? '', false, ctx, childAt)
        : fresh(patchV, fm, ctx, childAt);
    } else {
      result[k] = patchV;
    }
  }
  return result;
}

/** Checks that the patch list's items appear in `$setElementOrder` in the same relative order. */
function validatePatchWithSetOrderList(patchList: JsonValue[], order: JsonValue[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? patchList.filter((el) => !(isObject(el) && el[directiveMarker] === 'delete')) : patchList;
  const id = (v: JsonValue): string => {
    if (!mergeKey) return scalarKey(v);
    if (!isObject(v)) throw errBadArgType('map[string]interface {}', v);
    if (!Object.prototype.hasOwnProperty.call(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    return scalarKey(v[mergeKey]);
  };
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const el = items[p]!;
    if (isObject(el) && Object.prototype.hasOwnProperty.call(el, directiveMarker)) { p++; continue; }
    if (id(el) === id(order[o]!)) p++;
    o++;
  }
  if (p < items.length) {
    throw libraryError(`The order in patch list:\n${goFormat(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goFormat(order)}\n`);
  }
}

type Identity = (v: JsonValue) => string | undefined;

function identityFn(mergeKey: string, ...lists: (JsonValue[] | undefined)[]): Identity {
  const objects = lists.some((l) => l?.some(isObject));
  if (mergeKey && objects) {
    return (v) => (isObject(v) && Object.prototype.hasOwnProperty.call(v, mergeKey) ? scalarKey(v[mergeKey]) : undefined);
  }
  return (v) => (isObject(v) || Array.isArray(v) ? undefined : scalarKey(v));
}

/**
 * Orders `merged`: items named by `order` in that order, interleaved with the other items in their
 * original (server) order — upstream's normalizeElementOrder + mergeSortedSlice.
 */
function normalizeOrder(merged: JsonValue[], order: JsonValue[], serverOrder: JsonValue[], identity: Identity): JsonValue[] {
  const orderPos = new Map<string, number>();
  order.forEach((v, i) => {
    const id = identity(v);
    if (id !== undefined && !orderPos.has(id)) orderPos.set(id, i);
  });
  const serverPos = new Map<string, number>();
  serverOrder.forEach((v, i) => {
    const id = identity(v);
    if (id !== undefined && !serverPos.has(id)) serverPos.set(id, i);
  });
  const patchItems: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const v of merged) {
    const id = identity(v);
    if (id !== undefined && orderPos.has(id)) patchItems.push(v);
    else serverOnly.push(v);
  }
  const byPos = (pos: Map<string, number>) => (a: JsonValue, b: JsonValue): number => {
    const ia = pos.get(identity(a) ?? '');
    const ib = pos.get(identity(b) ?? '');
    return ia !== undefined && ib !== undefined ? ia - ib : 0;
  };
  patchItems.sort(byPos(orderPos));
  serverOnly.sort(byPos(serverPos));
  return mergeSorted(serverOnly, patchItems, serverPos, identity);
}

/**
 * Interleaves server-only items (`left`) with patch items (`right`): a server item goes first only
 * when both are known to the server and it came first there; otherwise the patch item goes first.
 */
function mergeSorted(left: JsonValue[], right: JsonValue[], serverPos: Map<string, number>, identity: Identity): JsonValue[] {
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) { out.push(right[j++]!); continue; }
    if (j >= right.length) { out.push(left[i++]!); continue; }
    const li = serverPos.get(identity(left[i]!) ?? '');
    const ri = serverPos.get(identity(right[j]!) ?? '');
    if (li !== undefined && ri !== undefined && li < ri) out.push(left[i++]!);
    else out.push(right[j++]!);
  }
  return out;
}

function deleteFromSlice(current: JsonValue[], toDelete: JsonValue[]): JsonValue[] {
  const gone = new Set(toDelete.map(scalarKey));
  return current.filter((v) => !gone.has(scalarKey(v)));
}

function mergeList(original: JsonValue[], patch: JsonValue[], itemMeta: PatchMeta, mergeKey: string,
  isDeleteList: boolean, ctx: Ctx, at: string): JsonValue[] {
  if (original.length === 0 && patch.length === 0) return original;
  if (patch.some(Array.isArray) || original.some(Array.isArray)) throw errGeneric422('lists of lists are not supported');
  const ofMaps = patch.some(isObject) || (patch.length === 0 && original.some(isObject));
  if (!ofMaps) {
    if (isDeleteList) return deleteFromSlice(original, patch);
    const seen = new Set<string>();
    const merged: JsonValue[] = [];
    for (const v of [...original, ...patch]) {
      const id = scalarKey(v);
      if (seen.has(id)) continue;
      seen.add(id);
      merged.push(v);
    }
    const identity = identityFn('', merged);
    return normalizeOrder(merged, patch, original, identity);
  }
  if (!mergeKey) throw libraryError('cannot merge lists without merge key for type map');

  // Special elements first: `$patch: delete` removes by key, `$patch: replace` replaces the list.
  const keyOf = (m: JsonObject): string => {
    if (!Object.prototype.hasOwnProperty.call(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
    return scalarKey(m[mergeKey]);
  };
  let base = original;
  const plain: JsonObject[] = [];
  let replace = false;
  for (const el of patch) {
    if (el === null) continue;
    if (!isObject(el)) throw errBadArgType('map[string]interface {}', el);
    if (!Object.prototype.hasOwnProperty.call(el, directiveMarker)) { plain.push(el); continue; }
    const d = el[directiveMarker];
    if (d === 'delete') {
      const gone = keyOf(el);
      base = base.filter((o) => !(isObject(o) && Object.prototype.hasOwnProperty.call(o, mergeKey) && scalarKey(o[mergeKey]) === gone));
    } else if (d === 'replace') {
      replace = true;
    } else if (d === 'merge') {
      const rest: JsonObject = {};
      for (const k of Object.keys(el)) if (k !== directiveMarker) rest[k] = el[k]!;
      plain.push(rest);
    } else {
      throw errBadPatchType(d, el);
    }
  }
  if (replace) return plain.map((el) => mergeMap(undefined, el, itemMeta, ctx, at));

  const merged = base.slice();
  const index = new Map<string, number>();
  merged.forEach((o, i) => {
    if (isObject(o) && Object.prototype.hasOwnProperty.call(o, mergeKey)) {
      const id = scalarKey(o[mergeKey]);
      if (!index.has(id)) index.set(id, i);
    }
  });
  for (const el of plain) {
    const id = keyOf(el);
    const at0 = index.get(id);
    if (at0 !== undefined) {
      merged[at0] = mergeMap(merged[at0] as JsonObject, el, itemMeta, ctx, at);
    } else {
      index.set(id, merged.length);
      merged.push(mergeMap(undefined, el, itemMeta, ctx, at));
    }
  }
  const identity = identityFn(mergeKey, merged, plain);
  return normalizeOrder(merged, plain, base, identity);
}
