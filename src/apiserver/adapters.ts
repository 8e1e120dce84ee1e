import { parse as parseYaml } from 'yaml';
import type { ResourceDefinition } from '../api/resource.js';
import type { KubeObject } from '../api/types.js';
import { apiVersionOf } from '../api/types.js';
import { badRequest, statusError } from '../api/errors.js';
import type { Definitions } from '../api/openapi/definitions.js';
import type { Schema } from '../api/openapi/schema.js';
import { defaultCustomResource, pruneCustomResource, validateCustomResource } from '../api/openapi/custom-resource.js';
import { applyJsonPatch, decodeJsonPatch } from '../api/patch/json-patch.js';
import { applyMergePatch, decodeMergePatch } from '../api/patch/merge-patch.js';
import { applyStrategicMergePatch, decodeStrategicMergePatch } from '../api/patch/strategic-merge-patch.js';
import { type PatchMeta, type Definitions as PatchDefinitions, patchMetaFromDefinitions, untypedMeta } from '../api/patch/patch-meta.js';
import { apply as serverSideApply, trackUpdate } from '../api/patch/server-side-apply.js';
import type { JsonObject, JsonValue } from '../api/patch/json-value.js';
import { createProtobufDecoder, decodeKubernetesProtobuf } from '../api/protobuf/index.js';
import type { CustomSchemaOps } from './crd/crd-resources.js';
import type { Patcher } from './http/resource-handler.js';
import type { ManagedFieldsTracker } from './registry/validation.js';
import type { ProtobufDecoder } from './http/body.js';

/** The structural-schema operations CRDs use, from src/api/openapi. */
export function customSchemaOps(): CustomSchemaOps {
  return {
    validate: (schema, obj) => validateCustomResource(schema, obj),
    prune: (schema, obj) => pruneCustomResource(schema, obj),
    applyDefaults: (schema, obj) => defaultCustomResource(schema, obj),
  };
}

/** kubectl 1.32+ typed-client bodies. The decoder (protobuf schemas) is built once, on first use. */
export function protobufDecoder(): ProtobufDecoder {
  let decoder: ReturnType<typeof createProtobufDecoder> | undefined;
  return (body) => decodeKubernetesProtobuf(body, (decoder ??= createProtobufDecoder()));
}

/**
 * The four PATCH types plus field-ownership tracking, with patch metadata derived once per
 * definition (built-ins from the OpenAPI definitions, CRDs from their structural schema).
 */
export function patcher(defs: Definitions): { apply: Patcher; track: ManagedFieldsTracker } {
  const metas = new WeakMap<ResourceDefinition, PatchMeta>();
  const metaOf = (def: ResourceDefinition): PatchMeta => {
    let meta = metas.get(def);
    if (!meta) {
      if (def.schema && defs.has(def.schema)) meta = patchMetaFromDefinitions(defs.schemas as PatchDefinitions, def.schema);
      else if (def.customSchema) meta = patchMetaFromDefinitions({ root: def.customSchema as never }, 'root');
      else meta = untypedMeta;
      metas.set(def, meta);
    }
    return meta;
  };

  const apply: Patcher = (type, def, current, body, ctx) => {
    const text = body.toString('utf8');
    const live = current as unknown as JsonObject | undefined;
    switch (type) {
      case 'json':
        return applyJsonPatch(live as JsonValue, decodeJsonPatch(text).operations) as unknown as KubeObject;
      case 'merge':
        return applyMergePatch(live, decodeMergePatch(text)) as unknown as KubeObject;
      case 'strategic':
        return applyStrategicMergePatch(live, decodeStrategicMergePatch(text), metaOf(def), {
          fieldValidation: ctx.fieldValidation ?? 'Warn', warnings: (ctx.warnings ??= []),
        }) as unknown as KubeObject;
      case 'apply': {
        let applied: unknown;
        try {
          applied = parseYaml(text, { maxAliasCount: 100 });
        } catch (err) {
          throw badRequest(`error decoding YAML: ${(err as Error).message}`);
        }
        if (applied === null || typeof applied !== 'object' || Array.isArray(applied)) {
          throw badRequest('apply patch must be a YAML or JSON object');
        }
        const result = serverSideApply(live, applied as JsonObject, {
          manager: ctx.fieldManager ?? 'unknown',
          apiVersion: apiVersionOf(def.group, def.version),
          kind: def.kind,
          now: new Date(),
          meta: metaOf(def),
          force: ctx.force,
          statusSubresource: def.subresources.status === true,
        });
        const out = result.object as unknown as KubeObject;
        out.metadata = { ...out.metadata, managedFields: result.managedFields as never };
        return out;
      }
      default:
        throw statusError(415, 'UnsupportedMediaType', `unsupported patch type ${String(type)}`);
    }
  };

  const track: ManagedFieldsTracker = (def, old, obj, ctx, operation, now, subresource) => {
    if (operation === 'Apply') return; // server-side apply already set ownership
    const next = trackUpdate(old as unknown as JsonObject | undefined, obj as unknown as JsonObject, {
      manager: ctx.fieldManager ?? 'unknown',
      apiVersion: apiVersionOf(def.group, def.version),
      kind: def.kind,
      now: new Date(now),
      meta: metaOf(def),
      subresource,
      statusSubresource: def.subresources.status === true,
    });
    const managed = (next.metadata as { managedFields?: unknown } | undefined)?.managedFields;
    if (managed === undefined) delete obj.metadata.managedFields;
    else obj.metadata.managedFields = managed as never;
  };

  return { apply, track };
}

export type { Schema };
