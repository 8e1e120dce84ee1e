/** JSON values as the patch algorithms see them: what `JSON.parse` returns. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject { [key: string]: JsonValue }

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A deep copy of a JSON value (faster than structuredClone for plain JSON). */
export function cloneJson<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneJson) as T;
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v)) out[k] = cloneJson(v[k]) as JsonValue;
    return out as T;
  }
  return v;
}

/**
 * A deep copy of a Kubernetes object, except that frozen `metadata.managedFields[].fieldsV1` trees
 * are shared with the original: they are values (the watch cache keeps one frozen copy of each
 * distinct tree, and the field manager never changes a tree in place) and about half of a
 * typical object, so copies of cached objects cost half as much.
 */
export function cloneObject<T>(obj: T): T {
  if (!isObject(obj)) return cloneJson(obj);
  const out: JsonObject = {};
  for (const k of Object.keys(obj)) out[k] = k === 'metadata' ? cloneMetadata(obj[k]) : cloneJson(obj[k]) as JsonValue;
  return out as T;
}

/** cloneObject's copy of `metadata`: deep, sharing frozen fieldsV1 trees. */
export function cloneMetadata(m: JsonValue | undefined): JsonValue {
  if (!isObject(m)) return cloneJson(m) as JsonValue;
  const out: JsonObject = {};
  for (const k of Object.keys(m)) {
    const v = m[k];
    out[k] = k === 'managedFields' && Array.isArray(v) ? v.map(cloneManagedFieldsEntry) : cloneJson(v) as JsonValue;
  }
  return out;
}

function cloneManagedFieldsEntry(e: JsonValue): JsonValue {
  if (!isObject(e)) return cloneJson(e);
  const out: JsonObject = {};
  for (const k of Object.keys(e)) out[k] = k === 'fieldsV1' && Object.isFrozen(e[k]) ? e[k]! : cloneJson(e[k]) as JsonValue;
  return out;
}

/**
 * Deep-freezes `v` in place as the JSON value it stands for: what `JSON.parse(JSON.stringify(v))`
 * would give for the objects writers build (an undefined property is dropped, an undefined array
 * element becomes null). A frozen part is taken to be done already and is not walked.
 */
export function freezeAsJson<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      if (v[i] === undefined) v[i] = null;
      else freezeAsJson(v[i]);
    }
  } else {
    const o = v as Record<string, unknown>;
    for (const k in o) {
      if (o[k] === undefined) delete o[k];
      else freezeAsJson(o[k]);
    }
  }
  return Object.freeze(v);
}

/** Structural equality of two JSON values (key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ak = Object.keys(a);
    if (ak.length !== Object.keys(b).length) return false;
    for (const k of ak) {
      if (!Object.prototype.hasOwnProperty.call(b, k) || !jsonEqual(a[k], b[k])) return false;
    }
    return true;
  }
  return false;
}

/**
 * Equal as JSON: what JSON.stringify of each would compare equal as, without serialising (an
 * undefined property is absent, an undefined array element is null; key order does not matter).
 */
export function equalAsJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equalAsJson(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const k in x) {
    const v = x[k];
    if (v === undefined || typeof v === 'function') continue;
    defined++;
    if (!equalAsJson(v, y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined && typeof y[k] !== 'function') defined--;
  return defined === 0;
}

/**
 * The identity of a scalar as Go's `==` on decoded JSON sees it (type and value), usable as a Map key:
 * `80` and `"80"` differ, `80` and `80.0` are the same.
 */
export function scalarKey(v: unknown): string {
  if (v === undefined) return 'u';
  return JSON.stringify(v) ?? 'u';
}

/** Go's name for the dynamic type of a decoded JSON value, for upstream-worded error messages. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  switch (typeof v) {
    case 'string': return 'string';
    case 'number': return Number.isInteger(v) ? 'int64' : 'float64';
    case 'boolean': return 'bool';
    default: return 'map[string]interface {}';
  }
}

/** JSON kind names as Go's encoding/json reports them in "cannot unmarshal X into …". */
export function jsonKindName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

/** Renders a decoded JSON value the way Go's `fmt.Sprintf("%v", v)` does (used in upstream messages). */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

/**
 * Parses JSON text; a syntax error becomes the message Go's encoding/json would give
 * (`invalid character 'x' looking for beginning of value`, `unexpected end of JSON input`).
 */
export function parseJsonText(text: string): { value: JsonValue } | { error: string } {
  try {
    return { value: JSON.parse(text) as JsonValue };
  } catch (e) {
    return { error: goSyntaxMessage(text, e) };
  }
}

function goSyntaxMessage(text: string, e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (text.trim() === '' || /end of JSON input/i.test(msg)) return 'unexpected end of JSON input';
  const pos = /position (\d+)/.exec(msg);
  let at = pos ? Number(pos[1]) : -1;
  if (at < 0) {
    const tok = /Unexpected token '?(.)'?/.exec(msg);
    if (tok) at = text.indexOf(tok[1]!);
  }
  const ch = at >= 0 && at < text.length ? text[at]! : '';
  if (!ch) return 'unexpected end of JSON input';
  const shown = ch === "'" ? "\\'" : ch;
  return `invalid character '${shown}' looking for beginning of value`;
}
