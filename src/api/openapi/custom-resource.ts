import { fieldErr } from '../errors.js';
import type { FieldError } from '../types.js';
import type { Schema } from './schema.js';

/**
 * Custom resources against their CRD's structural `openAPIV3Schema`: validation (with the
 * messages kube-openapi gives, as the apiextensions-apiserver reports them), pruning and
 * defaulting. Paths are kube's (`spec.items[0].name`).
 */

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** go-openapi's name for a JSON value's type. */
function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

function hasType(v: unknown, type: string): boolean {
  switch (type) {
    case 'object': return isObject(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    default: return true;
  }
}

/** Canonical JSON (sorted keys) for equality of values. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

function fmtNumber(n: number): string {
  return String(n);
}

const formats: Record<string, (s: string) => boolean> = {
  'date-time': (s) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))),
  datetime: (s) => formats['date-time']?.(s) ?? false,
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  byte: (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s),
  int32: () => true,
  int64: () => true,
  ipv4: (s) => /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(s),
  ipv6: (s) => s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s) && s.split('::').length <= 2,
  cidr: (s) => { const [ip, bits, more] = s.split('/'); return more === undefined && bits !== undefined && /^\d{1,3}$/.test(bits) && (formats.ipv4?.(ip ?? '') ? Number(bits) <= 32 : formats.ipv6?.(ip ?? '') === true && Number(bits) <= 128); },
  mac: (s) => /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(s),
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid3: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid4: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  uuid5: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  email: (s) => /^[^\s@]+@[^\s@]+$/.test(s),
  hostname: (s) => s.length <= 255 && /^(?=.{1,255}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/.test(s),
  uri: (s) => { try { return new URL(s).protocol !== ''; } catch { return s.startsWith('/'); } },
  duration: (s) => /^([+-]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/.test(s) || s === '0',
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
};

/** Validates a custom resource against its schema; `metadata` at the root is left to ObjectMeta validation. */
export function validateCustomResource(schema: Schema, obj: unknown): FieldError[] {
  const errs: FieldError[] = [];
  validate(schema, obj, '', errs, true);
  return errs;
}

function validate(s: Schema, v: unknown, path: string, errs: FieldError[], isRoot = false): void {
  const name = path || '.';
  if (v === null || v === undefined) {
    if (v === null && !s.nullable && s.type) errs.push(fieldErr.typeInvalid(path, 'null', `${name} in body must be of type ${s.type}: "null"`));
    return;
  }
  if (s['x-kubernetes-int-or-string']) {
    if (!(typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)))) {
      errs.push(fieldErr.typeInvalid(path, typeName(v), `${name} in body must be of type integer,string: "${typeName(v)}"`));
      return;
    }
  } else if (s.type && !hasType(v, s.type)) {
    errs.push(fieldErr.typeInvalid(path, typeName(v), `${name} in body must be of type ${s.type}: "${typeName(v)}"`));
    return;
  }
  if (s.enum && !s.enum.some((e) => canonical(e) === canonical(v))) {
    errs.push(fieldErr.notSupported(path, v, s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
  if (typeof v === 'string') validateString(s, v, path, name, errs);
  if (typeof v === 'number') validateNumber(s, v, path, name, errs);
  if (Array.isArray(v)) validateArray(s, v, path, name, errs);
  if (isObject(v)) validateObject(s, v, path, name, errs, isRoot);
  for (const sub of s.allOf ?? []) validate(sub, v, path, errs);
  if (s.anyOf && !s.anyOf.some((sub) => passes(sub, v))) errs.push(fieldErr.invalid(path, v, `${name} in body must validate at least one schema (anyOf)`));
  if (s.oneOf && s.oneOf.filter((sub) => passes(sub, v)).length !== 1) errs.push(fieldErr.invalid(path, v, `${name} in body must validate one and only one schema (oneOf)`));
  if (s.not && passes(s.not, v)) errs.push(fieldErr.invalid(path, v, `${name} in body must not validate the schema (not)`));
}

function passes(s: Schema, v: unknown): boolean {
  const errs: FieldError[] = [];
  validate(s, v, '', errs);
  return errs.length === 0;
}

function validateString(s: Schema, v: string, path: string, name: string, errs: FieldError[]): void {
  const length = [...v].length;
  if (s.maxLength !== undefined && length > s.maxLength) errs.push(fieldErr.tooLong(path, s.maxLength));
  if (s.minLength !== undefined && length < s.minLength) errs.push(fieldErr.invalid(path, v, `${name} in body should be at least ${s.minLength} chars long`));
  if (s.pattern !== undefined && !patternOf(s.pattern).test(v)) errs.push(fieldErr.invalid(path, v, `${name} in body should match '${s.pattern}'`));
  if (s.format && formats[s.format] && !formats[s.format]?.(v)) errs.push(fieldErr.typeInvalid(path, v, `${name} in body must be of type ${s.format}: ${JSON.stringify(v)}`));
}

function patternOf(pattern: string): RegExp {
  // Go RE2 syntax; the common subset is the same in JavaScript ('u' for code points).
  try { return new RegExp(pattern, 'u'); } catch { return new RegExp(pattern); }
}

function validateNumber(s: Schema, v: number, path: string, name: string, errs: FieldError[]): void {
  if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
    errs.push(fieldErr.invalid(path, v, `${name} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${fmtNumber(s.minimum)}`));
  }
  if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
    errs.push(fieldErr.invalid(path, v, `${name} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${fmtNumber(s.maximum)}`));
  }
  if (s.multipleOf !== undefined && s.multipleOf > 0) {
    const q = v / s.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9) errs.push(fieldErr.invalid(path, v, `${name} in body should be a multiple of ${fmtNumber(s.multipleOf)}`));
  }
}

function validateArray(s: Schema, v: unknown[], path: string, name: string, errs: FieldError[]): void {
  if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(tooMany(path, v.length, s.maxItems));
  if (s.minItems !== undefined && v.length < s.minItems) errs.push(fieldErr.invalid(path, v.length, `${name} in body should have at least ${s.minItems} items`));
  if (s.uniqueItems && new Set(v.map(canonical)).size !== v.length) errs.push(fieldErr.invalid(path, v, `${name} in body shouldn't contain duplicates`));
  if (s.items) v.forEach((item, i) => validate(s.items as Schema, item, `${path}[${i}]`, errs));
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set') {
    const seen = new Set<string>();
    v.forEach((item, i) => {
      const key = canonical(item);
      if (seen.has(key)) errs.push(fieldErr.duplicate(`${path}[${i}]`, item));
      seen.add(key);
    });
  } else if (listType === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    v.forEach((item, i) => {
      if (!isObject(item)) return;
      const id: Record<string, unknown> = {};
      for (const k of keys) {
        const value = item[k] ?? s.items?.properties?.[k]?.default;
        if (value !== undefined) id[k] = value;
      }
      const key = canonical(id);
      if (seen.has(key)) errs.push(fieldErr.duplicate(`${path}[${i}]`, id));
      seen.add(key);
    });
  }
}

function tooMany(path: string, actual: number, max: number): FieldError {
  // formatFieldError does not print values for TooMany; upstream prints "Too many: <actual>: must have at most <max> items".
  return { field: path, type: 'FieldValueTooMany', value: actual, detail: `${actual}: must have at most ${max} items` };
}

function validateObject(s: Schema, v: Record<string, unknown>, path: string, name: string, errs: FieldError[], isRoot: boolean): void {
  const count = Object.keys(v).length;
  if (s.maxProperties !== undefined && count > s.maxProperties) errs.push(tooMany(path, count, s.maxProperties));
  if (s.minProperties !== undefined && count < s.minProperties) errs.push(fieldErr.invalid(path, count, `${name} in body should have at least ${s.minProperties} properties`));
  for (const req of s.required ?? []) {
    if (!Object.hasOwn(v, req) || v[req] === undefined) errs.push(fieldErr.required(join(path, req), ''));
  }
  if (s['x-kubernetes-embedded-resource']) {
    for (const k of ['apiVersion', 'kind']) {
      if (typeof v[k] !== 'string' || v[k] === '') errs.push(fieldErr.required(join(path, k), 'must not be empty'));
    }
  }
  for (const [key, value] of Object.entries(v)) {
    if (isRoot && (key === 'metadata' || key === 'apiVersion' || key === 'kind')) continue;
    const prop = s.properties?.[key];
    if (prop) validate(prop, value, join(path, key), errs);
    else if (s.additionalProperties && typeof s.additionalProperties === 'object') validate(s.additionalProperties, value, join(path, key), errs);
  }
}

/**
 * Drops fields the schema does not specify (unless `x-kubernetes-preserve-unknown-fields`), as
 * the apiextensions-apiserver does silently on every write; returns the removed paths.
 */
export function pruneCustomResource(schema: Schema, obj: unknown): string[] {
  const removed: string[] = [];
  prune(schema, obj, '', removed, true);
  return removed;
}

function prune(s: Schema, v: unknown, path: string, removed: string[], keepTypeMeta: boolean): void {
  if (Array.isArray(v)) {
    if (s.items) v.forEach((item, i) => prune(s.items as Schema, item, `${path}[${i}]`, removed, !!s.items?.['x-kubernetes-embedded-resource']));
    return;
  }
  if (!isObject(v)) return;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const additional = s.additionalProperties;
  for (const key of Object.keys(v)) {
    if (keepTypeMeta && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) {
      if (key !== 'metadata' || !s.properties?.metadata) continue;
    }
    const prop = s.properties?.[key];
    if (prop) {
      prune(prop, v[key], join(path, key), removed, !!prop['x-kubernetes-embedded-resource']);
    } else if (additional && typeof additional === 'object') {
      prune(additional, v[key], join(path, key), removed, !!additional['x-kubernetes-embedded-resource']);
    } else if (additional === true || preserve) {
      continue;
    } else {
      delete v[key];
      removed.push(join(path, key));
    }
  }
}

/** Applies `default`s of the schema to absent (and non-nullable null) fields, recursively. */
export function defaultCustomResource(schema: Schema, obj: unknown): void {
  applyDefaults(schema, obj);
}

function applyDefaults(s: Schema, v: unknown): void {
  if (Array.isArray(v)) {
    if (s.items) for (const item of v) applyDefaults(s.items, item);
    return;
  }
  if (!isObject(v)) return;
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    if (prop.default !== undefined && (!Object.hasOwn(v, key) || (v[key] === null && !prop.nullable))) v[key] = structuredClone(prop.default);
    if (v[key] !== undefined) applyDefaults(prop, v[key]);
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    for (const [key, value] of Object.entries(v)) if (!s.properties?.[key]) applyDefaults(s.additionalProperties, value);
  }
}
