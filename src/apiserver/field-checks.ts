import type { ResourceDefinition } from '../api/resource.js';
import { badRequest } from '../api/errors.js';
import type { Definitions } from '../api/openapi/definitions.js';
import { cannotHandle, checkObject, normalizeNulls, pruneUnknownFields, strictDecodingError } from '../api/openapi/decode-check.js';
import type { Schema } from '../api/openapi/schema.js';
import { type RequestContext, warn } from './context.js';
import type { FieldChecker } from './http/resource-handler.js';
import type { CustomSchemaOps } from './crd/crd-resources.js';

/**
 * fieldValidation on every create/update body: unknown or duplicate fields are an error
 * (Strict), a warning (Warn, the default) or silently dropped (Ignore); values of the wrong
 * type are always a 400, as the Go decoder makes them.
 */
export function fieldChecker(defs: Definitions, custom: CustomSchemaOps): FieldChecker {
  return (def: ResourceDefinition, obj, text, ctx: RequestContext) => {
    if (def.schema && defs.has(def.schema)) {
      const check = checkObject(defs, def.schema, obj, text);
      if (check.typeErrors.length) throw badRequest(cannotHandle(def.kind, def.version, check.typeErrors[0]!));
      report(check.strict, ctx, strictDecodingError(check));
      if (check.unknown.length) pruneUnknownFields(defs, def.schema, obj);
      normalizeNulls(defs, def.schema, obj);
      return;
    }
    if (def.customSchema) {
      const removed = custom.prune(def.customSchema as Schema, structuredClone(obj));
      const strict = removed.map((p) => `unknown field "${p}"`);
      report(strict, ctx, `strict decoding error: ${strict.join(', ')}`);
    }
  };
}

function report(problems: string[], ctx: RequestContext, message: string): void {
  if (problems.length === 0) return;
  if (ctx.fieldValidation === 'Strict') throw badRequest(message);
  if (ctx.fieldValidation === 'Warn' || ctx.fieldValidation === undefined) for (const p of problems) warn(ctx, p);
}
