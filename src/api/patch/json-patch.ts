/**
 * RFC 6902 JSON Patch with the semantics kube-apiserver has (it uses evanphx/json-patch v4):
 * negative array indices count from the end, `replace` of a missing object member adds it, a `test`
 * of a missing member against `null` passes. The patch is applied to a copy: a failing operation
 * leaves the input untouched.
 */
import { StatusError, statusError } from '../errors.js';
import { cloneJson, isObject, jsonEqual, jsonKindName, parseJsonText, type JsonObject, type JsonValue } from './json-value.js';

export interface JsonPatchOperation {
  op?: unknown;
  path?: unknown;
  from?: unknown;
  value?: unknown;
  [other: string]: unknown;
}

/** Upstream limit on the number of operations in one JSON patch. */
export const maxJsonPatchOperations = 10000;

const knownOpFields = new Set(['op', 'path', 'from', 'value']);

export interface DecodeOptions {
  /** `fieldValidation` of the request; anything but Ignore decodes strictly (the upstream default is Warn). */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

export interface DecodedJsonPatch {
  operations: JsonPatchOperation[];
  /** Strict-decoding findings (`json patch unknown field "x"`), reported by the caller per fieldValidation. */
  strictErrors: string[];
}

/** Decodes a JSON patch body; malformed bodies are 400 BadRequest worded as upstream words them. */
export function decodeJsonPatch(body: string | unknown, opts: DecodeOptions = {}): DecodedJsonPatch {
  let parsed: unknown = body;
  const strict = opts.fieldValidation !== 'Ignore';
  if (typeof body === 'string') {
    const r = parseJsonText(body);
    if ('error' in r) throw badPatch(strict ? `error decoding patch: ${r.error}` : r.error);
    parsed = r.value;
  }
  if (!Array.isArray(parsed)) {
    throw badPatch(strict
      ? `error decoding patch: json: cannot unmarshal ${jsonKindName(parsed)} into Go value of type []handlers.jsonPatchOp`
      : `json: cannot unmarshal ${jsonKindName(parsed)} into Go value of type jsonpatch.Patch`);
  }
  const strictErrors: string[] = [];
  parsed.forEach((op) => {
    if (op === null) return;
    if (!isObject(op)) {
      throw badPatch(strict
        ? `error decoding patch: json: cannot unmarshal ${jsonKindName(op)} into Go value of type handlers.jsonPatchOp`
        : `json: cannot unmarshal ${jsonKindName(op)} into Go value of type jsonpatch.Operation`);
    }
    if (!strict) return;
    for (const f of ['op', 'path', 'from'] as const) {
      const v = op[f];
      if (v !== undefined && v !== null && typeof v !== 'string') {
        throw badPatch(`error decoding patch: json: cannot unmarshal ${jsonKindName(v)} into Go struct field jsonPatchOp.${f} of type string`);
      }
    }
    for (const k of Object.keys(op)) if (!knownOpFields.has(k)) strictErrors.push(`json patch unknown field ${JSON.stringify(k)}`);
  });
  if (parsed.length > maxJsonPatchOperations) {
    throw statusError(413, 'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${maxJsonPatchOperations}, got ${parsed.length}`);
  }
  return { operations: parsed.map((op) => (op === null ? {} : op as JsonPatchOperation)), strictErrors };
}

function badPatch(message: string): StatusError {
  return statusError(400, 'BadRequest', message);
}

/**
 * The error kube-apiserver answers for any failing operation: 422 with a generic message (the
 * library's own text is dropped by `NewGenericServerResponse`); ours is kept as the `cause`.
 */
function applyFailed(detail: string): StatusError {
  const err = statusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  return new StatusError(err.status, { cause: new Error(detail) });
}

type Container = JsonObject | JsonValue[];

function decodeToken(t: string): string {
  return t.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Go's strconv.Atoi: optional sign, decimal digits. */
function atoi(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

/** Finds the container holding the last token of `path`, as evanphx/json-patch v4 does. */
function findContainer(doc: Container, path: string): { con: Container; key: string } | undefined {
  const parts = path.split('/');
  if (parts.length < 2) return undefined;
  let cur: Container = doc;
  for (const raw of parts.slice(1, -1)) {
    const next = getChild(cur, decodeToken(raw));
    if ('error' in next || next.value === undefined || next.value === null) return undefined;
    if (!isObject(next.value) && !Array.isArray(next.value)) return undefined;
    cur = next.value;
  }
  return { con: cur, key: decodeToken(parts[parts.length - 1]!) };
}

function getChild(con: Container, key: string): { value: JsonValue | undefined } | { error: string } {
  if (!Array.isArray(con)) return { value: Object.prototype.hasOwnProperty.call(con, key) ? con[key] : undefined };
  const idx = arrayIndex(con, key, false);
  if (typeof idx === 'string') return { error: idx };
  return { value: con[idx] };
}

/** Resolves an array index (negative counts from the end); `forInsert` allows one past the end. */
function arrayIndex(arr: JsonValue[], key: string, forInsert: boolean): number | string {
  let idx = atoi(key);
  if (idx === undefined) return `value was not a proper array index: '${key}'`;
  const len = forInsert ? arr.length + 1 : arr.length;
  if (idx >= len) return `Unable to access invalid index: ${idx}`;
  if (idx < 0) {
    if (idx < -len) return `Unable to access invalid index: ${idx}`;
    idx += len;
  }
  return idx;
}

function addTo(con: Container, key: string, value: JsonValue): string | undefined {
  if (!Array.isArray(con)) { con[key] = value; return undefined; }
  if (key === '-') { con.push(value); return undefined; }
  const idx = arrayIndex(con, key, true);
  if (typeof idx === 'string') return idx;
  con.splice(idx, 0, value);
  return undefined;
}

function removeFrom(con: Container, key: string): string | undefined {
  if (!Array.isArray(con)) {
    if (!Object.prototype.hasOwnProperty.call(con, key)) return `Unable to remove nonexistent key: ${key}: missing value`;
    delete con[key];
    return undefined;
  }
  const idx = arrayIndex(con, key, false);
  if (typeof idx === 'string') return idx;
  con.splice(idx, 1);
  return undefined;
}

function opValue(op: JsonPatchOperation): JsonValue {
  return op.value === undefined ? null : cloneJson(op.value as JsonValue);
}

/**
 * Applies decoded operations to a copy of `doc` and returns the result. Any failure is a
 * 422 `StatusError` and `doc` is left as it was.
 */
export function applyJsonPatch(doc: JsonValue, operations: readonly JsonPatchOperation[]): JsonValue {
  if (!isObject(doc) && !Array.isArray(doc)) throw applyFailed('document is not an object or array');
  let root: Container = cloneJson(doc);
  for (const op of operations) {
    const kind = typeof op.op === 'string' ? op.op : 'unknown';
    const path = typeof op.path === 'string' ? op.path : undefined;
    const fail = (detail: string): never => { throw applyFailed(`${kind} operation does not apply: ${detail}`); };
    switch (kind) {
      case 'add': {
        if (path === undefined) fail('missing path');
        const t = findContainer(root, path!) ?? fail(`doc is missing path: "${path}"`);
        const err = addTo(t.con, t.key, opValue(op));
        if (err) fail(err);
        break;
      }
      case 'remove': {
        if (path === undefined) fail('missing path');
        const t = findContainer(root, path!) ?? fail(`doc is missing path: "${path}"`);
        const err = removeFrom(t.con, t.key);
        if (err) fail(err);
        break;
      }
      case 'replace': {
        if (path === undefined) fail('missing path');
        if (path === '') {
          const v = opValue(op);
          if (!isObject(v) && !Array.isArray(v)) fail('replace operation value must be object or array');
          root = v as Container;
          break;
        }
        const t = findContainer(root, path!) ?? fail(`doc is missing path: ${path}`);
        const cur = getChild(t.con, t.key);
        if ('error' in cur) fail(`doc is missing key: ${path}`);
        if (Array.isArray(t.con)) t.con[arrayIndex(t.con, t.key, false) as number] = opValue(op);
        else t.con[t.key] = opValue(op);
        break;
      }
      case 'move': {
        const from = typeof op.from === 'string' ? op.from : fail('missing from');
        const src = findContainer(root, from) ?? fail(`doc is missing from path: ${from}`);
        const got = getChild(src.con, src.key);
        if ('error' in got) fail(got.error);
        const moved = (got as { value: JsonValue | undefined }).value;
        const rerr = removeFrom(src.con, src.key);
        if (rerr) fail(rerr);
        if (path === undefined) fail('missing path');
        const dst = findContainer(root, path!) ?? fail(`doc is missing destination path: ${path}`);
        const aerr = addTo(dst.con, dst.key, moved === undefined ? null : moved);
        if (aerr) fail(aerr);
        break;
      }
      case 'copy': {
        const from = typeof op.from === 'string' ? op.from : fail('missing from');
        const src = findContainer(root, from) ?? fail(`doc is missing from path: ${from}`);
        const got = getChild(src.con, src.key);
        if ('error' in got) fail(got.error);
        const copied = (got as { value: JsonValue | undefined }).value;
        if (path === undefined) fail('missing path');
        const dst = findContainer(root, path!) ?? fail(`doc is missing destination path: ${path}`);
        const aerr = addTo(dst.con, dst.key, copied === undefined ? null : cloneJson(copied));
        if (aerr) fail(aerr);
        break;
      }
      case 'test': {
        if (path === undefined) fail('missing path');
        if (path === '') {
          if (!jsonEqual(root, op.value)) fail(`testing value ${path} failed: test failed`);
          break;
        }
        const t = findContainer(root, path!) ?? fail(`is missing path: ${path}`);
        const got = getChild(t.con, t.key);
        if ('error' in got) fail(got.error);
        const actual = (got as { value: JsonValue | undefined }).value;
        const expectsNothing = op.value === undefined || op.value === null;
        if (actual === undefined || actual === null) {
          if (!expectsNothing) fail(`testing value ${path} failed: test failed`);
        } else if (op.value === undefined || !jsonEqual(actual, op.value)) {
          fail(`testing value ${path} failed: test failed`);
        }
        break;
      }
      default:
        throw applyFailed(`Unexpected kind: ${kind}`);
    }
  }
  return root;
}
