/**
 * RFC 7386 JSON merge patch, as kube-apiserver applies `application/merge-patch+json`:
 * `null` deletes a member, objects merge recursively, everything else (arrays included) replaces.
 * Nulls inside newly added objects are dropped, as evanphx/json-patch does.
 */
import { statusError } from '../errors.js';
import { cloneJson, isObject, jsonKindName, parseJsonText, type JsonObject, type JsonValue } from './json-value.js';

export interface MergePatchDecodeOptions {
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

/** Decodes a merge patch body; anything but a JSON object is 400 BadRequest as upstream words it. */
export function decodeMergePatch(body: string | unknown, opts: MergePatchDecodeOptions = {}): JsonObject {
  const strict = opts.fieldValidation !== 'Ignore';
  let parsed: unknown = body;
  if (typeof body === 'string') {
    const r = parseJsonText(body);
    if ('error' in r) throw statusError(400, 'BadRequest', strict ? `error decoding patch: ${r.error}` : 'Invalid JSON Patch');
    parsed = r.value;
  }
  if (!isObject(parsed)) {
    if (strict && parsed !== null) {
      throw statusError(400, 'BadRequest',
        `error decoding patch: json: cannot unmarshal ${jsonKindName(parsed)} into Go value of type map[string]interface {}`);
    }
    throw statusError(400, 'BadRequest', 'Invalid JSON Patch');
  }
  return parsed;
}

/** Applies `patch` to a copy of `target` and returns the result (`target` is not modified). */
export function applyMergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return pruneNulls(cloneJson(patch));
  const doc: JsonObject = isObject(target) ? cloneJson(target) : {};
  mergeInto(doc, patch);
  return doc;
}

function mergeInto(doc: JsonObject, patch: JsonObject): void {
  for (const key of Object.keys(patch)) {
    const pv = patch[key]!;
    if (pv === null) { delete doc[key]; continue; }
    const cur = Object.prototype.hasOwnProperty.call(doc, key) ? doc[key] : undefined;
    if (cur === undefined || cur === null) { doc[key] = pruneNulls(cloneJson(pv)); continue; }
    if (isObject(cur)) {
      if (isObject(pv)) mergeInto(cur, pv);
      else doc[key] = cloneJson(pv);
      continue;
    }
    doc[key] = pruneNulls(cloneJson(pv));
  }
}

/** Drops null members of objects at any depth (null array elements stay). Mutates and returns `v`. */
function pruneNulls<T extends JsonValue>(v: T): T {
  if (Array.isArray(v)) {
    for (const el of v) if (el !== null) pruneNulls(el);
  } else if (isObject(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else pruneNulls(v[k]!);
    }
  }
  return v;
}
