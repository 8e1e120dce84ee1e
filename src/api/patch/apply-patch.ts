/**
 * The one entry the apiserver's PATCH handler calls: decodes the body for its patch type and
 * applies it to the current object. Every failure is a StatusError worded as kube-apiserver words it.
 */
import { Buffer } from 'node:buffer';
import { parseAllDocuments } from 'yaml';
import { fieldErr, invalid, statusError } from '../errors.js';
import { applyJsonPatch, decodeJsonPatch } from './json-patch.js';
import { applyMergePatch, decodeMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch, decodeStrategicMergePatch } from './strategic-merge-patch.js';
import { apply } from './server-side-apply.js';
import { isObject, jsonKindName, type JsonObject, type JsonValue } from './json-value.js';
import { untypedMeta, type PatchMeta } from './patch-meta.js';

/** `application/json-patch+json`, `merge-patch+json`, `strategic-merge-patch+json`, `apply-patch+yaml`. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** The patch type for a request Content-Type (parameters such as `; charset=utf-8` ignored). */
export function patchTypeOf(contentType: string): PatchType | undefined {
  const base = contentType.split(';')[0]!.trim().toLowerCase();
  switch (base) {
    case 'application/json-patch+json': return 'json';
    case 'application/merge-patch+json': return 'merge';
    case 'application/strategic-merge-patch+json': return 'strategic';
    case 'application/apply-patch+yaml': return 'apply';
    default: return undefined;
  }
}

export interface PatchContext {
  /** Patch metadata of the resource's kind (strategic and apply); untyped when absent. */
  meta?: PatchMeta;
  /** The request's `fieldValidation` (default Strict, what kubectl sends). */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** Collects warnings to send back as `Warning:` headers under fieldValidation=Warn. */
  warnings?: string[];
  /** Apply only: the field manager (required for apply). */
  manager?: string;
  /** Apply only: `force=true`. */
  force?: boolean;
  /** Apply only: the request's group/version and kind. */
  apiVersion?: string;
  kind?: string;
  /** Apply only: the time recorded in managedFields. */
  now?: Date | string;
  /** Apply only: `status` when applying to /status. */
  subresource?: string;
  /** Apply only: whether the resource has a status subresource (default true). */
  statusSubresource?: boolean;
}

function bodyText(body: Buffer | string | object): string | unknown {
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return body;
}

/** 422 for a patch whose result cannot be an object of the kind (upstream decode failure). */
function notAnObject(result: JsonValue): never {
  const detail = `couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKindName(result)} into Go value of type struct `
    + '{ APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';
  throw invalid('', '', '', [fieldErr.invalid('patch', JSON.stringify(result), detail)]);
}

function strictFindings(errors: string[], result: JsonValue, ctx: PatchContext): void {
  if (errors.length === 0) return;
  const validation = ctx.fieldValidation ?? 'Strict';
  if (validation === 'Ignore') return;
  if (validation === 'Warn') { ctx.warnings?.push(...errors); return; }
  throw invalid('', '', '', [fieldErr.invalid('patch', JSON.stringify(result), `strict decoding error: ${errors.join(', ')}`)]);
}

/** Parses an apply body: YAML (JSON is YAML too); must be one object. */
export function decodeApplyPatch(body: Buffer | string | object): JsonObject {
  const raw = bodyText(body);
  if (typeof raw !== 'string') {
    if (!isObject(raw)) throw statusError(400, 'BadRequest', 'error decoding YAML: the applied configuration is not an object');
    return raw as JsonObject;
  }
  const docs = parseAllDocuments(raw, { version: '1.1', uniqueKeys: true });
  const first = Array.isArray(docs) ? docs[0] : docs;
  if (!first) return {};
  if (first.errors.length > 0) throw statusError(400, 'BadRequest', `error decoding YAML: ${first.errors[0]!.message}`);
  const value = first.toJS({ maxAliasCount: 100 }) as unknown;
  if (value === null || value === undefined) return {};
  if (!isObject(value)) {
    throw statusError(400, 'BadRequest', 'error decoding YAML: error unmarshaling JSON: while decoding JSON: '
      + `json: cannot unmarshal ${jsonKindName(value)} into Go value of type map[string]interface {}`);
  }
  return value;
}

/**
 * Applies a PATCH body of `type` to `current` (undefined when the object does not exist: only an
 * apply patch can create). Returns the patched object; for apply it carries the new managedFields.
 * Ordinary patches do not touch managedFields: the handler records ownership with `trackUpdate`.
 */
export function applyPatch(type: PatchType, current: object | undefined, patchBody: Buffer | string | object, ctx: PatchContext = {}): object {
  const cur = current as JsonObject | undefined;
  if (type === 'apply') {
    if (!ctx.manager) throw statusError(400, 'BadRequest', 'fieldManager is required for apply requests');
    const applied = decodeApplyPatch(patchBody);
    return apply(cur, applied, {
      manager: ctx.manager, force: ctx.force, apiVersion: ctx.apiVersion ?? (typeof applied.apiVersion === 'string' ? applied.apiVersion : ''),
      kind: ctx.kind, now: ctx.now ?? new Date(), meta: ctx.meta ?? untypedMeta, subresource: ctx.subresource,
      statusSubresource: ctx.statusSubresource,
    }).object;
  }
  if (cur === undefined) throw statusError(404, 'NotFound', 'the server could not find the requested resource');
  const body = bodyText(patchBody);
  switch (type) {
    case 'json': {
      const { operations, strictErrors } = decodeJsonPatch(body, { fieldValidation: ctx.fieldValidation });
      const result = applyJsonPatch(cur, operations);
      if (!isObject(result)) notAnObject(result);
      strictFindings(strictErrors, result, ctx);
      return result;
    }
    case 'merge': {
      const patch = decodeMergePatch(body, { fieldValidation: ctx.fieldValidation });
      return applyMergePatch(cur, patch) as JsonObject;
    }
    case 'strategic': {
      const patch = decodeStrategicMergePatch(body);
      return applyStrategicMergePatch(cur, patch, ctx.meta ?? untypedMeta, { fieldValidation: ctx.fieldValidation, warnings: ctx.warnings });
    }
    default:
      throw statusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
  }
}
