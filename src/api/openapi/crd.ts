import type { CustomResourceDefinition, JSONSchemaProps } from 'kubernetes-types/apiextensions/v1.js';
import { fieldErr } from '../errors.js';
import type { FieldError, GroupVersionKind } from '../types.js';
import type { Schema } from './schema.js';

const objectMetaRef = '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const listMetaRef = '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';
const apiVersionText = 'APIVersion defines the versioned schema of this representation of an object. Servers convert recognized schemas to the latest internal value and may reject unrecognized values.';
const kindText = 'Kind is a string value representing the REST resource this object represents. Servers may infer it from the endpoint the client submits requests to. In CamelCase.';

/** `stable.example.com` + `v1` + `CronTab` → `com.example.stable.v1.CronTab`, as upstream names CRD models. */
export function crdDefinitionName(gvk: GroupVersionKind): string {
  return `${gvk.group.split('.').reverse().join('.')}.${gvk.version}.${gvk.kind}`;
}

export interface CrdDefinitionOptions {
  /** For the Swagger 2.0 document: drop what v2 cannot say (nullable, oneOf/anyOf/not, int-or-string types). */
  v2?: boolean;
}

/**
 * The definitions of a CRD's served versions (kind and list), tagged with their GVKs, for the
 * OpenAPI documents and `kubectl explain`. Versions without a schema get a schema that
 * preserves unknown fields.
 */
export function crdDefinitions(crd: CustomResourceDefinition, options: CrdDefinitionOptions = {}): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const { group, names } = crd.spec;
  for (const version of crd.spec.versions) {
    if (!version.served) continue;
    const gvk = { group, version: version.name, kind: names.kind };
    const name = crdDefinitionName(gvk);
    const source = (version.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as Schema;
    let schema = structuredClone(source) as Schema & Record<string, unknown>;
    if (options.v2) schema = toV2(schema) as Schema & Record<string, unknown>;
    const properties: Record<string, Schema> = { ...schema.properties };
    properties.apiVersion = { description: apiVersionText, type: 'string' };
    properties.kind = { description: kindText, type: 'string' };
    properties.metadata = { description: "Standard object's metadata.", $ref: objectMetaRef };
    out[name] = { ...schema, type: 'object', properties: sortKeys(properties), 'x-kubernetes-group-version-kind': [gvk] };
    out[`${name}List`] = {
      description: `${names.kind}List is a list of ${names.kind}`,
      type: 'object',
      required: ['items'],
      properties: {
        apiVersion: { description: apiVersionText, type: 'string' },
        items: { description: `List of ${names.plural}.`, type: 'array', items: { $ref: `#/definitions/${name}` } },
        kind: { description: kindText, type: 'string' },
        metadata: { description: "Standard list metadata.", $ref: listMetaRef },
      },
      'x-kubernetes-group-version-kind': [{ ...gvk, kind: names.listKind ?? `${names.kind}List` }],
    };
  }
  return out;
}

function sortKeys(o: Record<string, Schema>): Record<string, Schema> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k] as Schema]));
}

/** What Swagger 2.0 clients can read of a structural schema (as upstream publishes CRDs in v2). */
function toV2(s: Schema): Schema {
  const out: Record<string, unknown> = { ...s };
  delete out.nullable; delete out.oneOf; delete out.anyOf; delete out.not;
  if (s.nullable || s['x-kubernetes-int-or-string'] || (s['x-kubernetes-preserve-unknown-fields'] && !s.properties)) delete out.type;
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toV2(v)]));
  if (s.items) out.items = toV2(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = toV2(s.additionalProperties);
  if (s.allOf) out.allOf = s.allOf.map(toV2);
  return out as Schema;
}

/**
 * Checks that a CRD schema is structural (the rules of the apiextensions-apiserver for v1 CRDs).
 * Upstream rejects a v1 CRD whose schema is not structural with 422 Invalid; k8ts does the same
 * with these errors (the NonStructuralSchema condition only concerns pre-v1 objects, which k8ts
 * never stores). `path` is where the schema sits: `spec.versions[0].schema.openAPIV3Schema`.
 */
export function validateStructuralSchema(schema: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const root = schema as Schema & Record<string, unknown>;
  if (root.type !== 'object') errs.push(root.type ? fieldErr.invalid(`${path}.type`, root.type, 'must be object at the root') : fieldErr.required(`${path}.type`, 'must not be empty at the root'));
  checkNode(root, path, errs, { root: true, inLogic: false });
  const metadata = root.properties?.metadata as (Schema & Record<string, unknown>) | undefined;
  if (metadata) {
    for (const key of Object.keys(metadata.properties ?? {})) {
      if (key !== 'name' && key !== 'generateName') errs.push(fieldErr.forbidden(`${path}.properties[metadata].properties[${key}]`, 'must not be specified'));
    }
  }
  return errs;
}

const forbiddenKeys = ['$ref', '$schema', 'id', 'definitions', 'dependencies', 'patternProperties', 'additionalItems'] as const;
const logicForbidden = ['type', 'additionalProperties', 'description', 'default', 'nullable', 'title',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string',
  'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type'] as const;

function checkNode(s: Schema & Record<string, unknown>, path: string, errs: FieldError[], ctx: { root: boolean; inLogic: boolean; intOrString?: boolean }): void {
  for (const key of forbiddenKeys) if (s[key] !== undefined) errs.push(fieldErr.forbidden(`${path}.${key}`, `${key} is not supported`));
  if (s.uniqueItems === true) errs.push(fieldErr.forbidden(`${path}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if (s.additionalProperties === false) errs.push(fieldErr.forbidden(`${path}.additionalProperties`, 'additionalProperties cannot be set to false'));
  if (s['x-kubernetes-preserve-unknown-fields'] === false) errs.push(fieldErr.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  if (ctx.inLogic) {
    for (const key of logicForbidden) {
      // int-or-string may spell its two types out: anyOf/allOf [{type: integer}, {type: string}].
      if (key === 'type' && ctx.intOrString && (s.type === 'integer' || s.type === 'string')) continue;
      if (s[key] !== undefined) errs.push(fieldErr.forbidden(`${path}.${key}`, 'must be empty to be structural'));
    }
  } else {
    const specified = s.properties !== undefined || s.items !== undefined || (typeof s.additionalProperties === 'object');
    const exempt = s['x-kubernetes-int-or-string'] === true || s['x-kubernetes-preserve-unknown-fields'] === true;
    if (!s.type && !exempt && !ctx.root) errs.push(fieldErr.required(`${path}.type`, specified ? 'must not be empty for specified object fields' : 'must not be empty for specified fields'));
    if (s['x-kubernetes-int-or-string'] && s.type) errs.push(fieldErr.forbidden(`${path}.type`, 'must be empty if x-kubernetes-int-or-string is true'));
    if (s.properties && typeof s.additionalProperties === 'object') errs.push(fieldErr.forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
    if (s.type === 'array' && !s.items) errs.push(fieldErr.required(`${path}.items`, 'must be specified'));
    if (s['x-kubernetes-embedded-resource']) {
      if (s.type !== 'object') errs.push(fieldErr.invalid(`${path}.type`, s.type ?? '', 'must be object if x-kubernetes-embedded-resource is true'));
      if (!s.properties && !s['x-kubernetes-preserve-unknown-fields']) errs.push(fieldErr.required(`${path}.properties`, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
    }
    const listType = s['x-kubernetes-list-type'];
    if (listType !== undefined && !['atomic', 'set', 'map'].includes(listType)) errs.push(fieldErr.notSupported(`${path}.x-kubernetes-list-type`, listType, ['atomic', 'set', 'map']));
    if (listType === 'map' && !(s['x-kubernetes-list-map-keys']?.length)) errs.push(fieldErr.required(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
    if (listType === 'map' && s.items?.type !== 'object') errs.push(fieldErr.invalid(`${path}.items.type`, s.items?.type ?? '', 'must be object if parent array\'s x-kubernetes-list-type is map'));
  }
  for (const [key, child] of Object.entries(s.properties ?? {})) checkNode(child as Schema & Record<string, unknown>, `${path}.properties[${key}]`, errs, { root: false, inLogic: ctx.inLogic });
  if (s.items) {
    if (Array.isArray(s.items)) errs.push(fieldErr.forbidden(`${path}.items`, 'items must be a schema object and not an array'));
    else checkNode(s.items as Schema & Record<string, unknown>, `${path}.items`, errs, { root: false, inLogic: ctx.inLogic });
  }
  if (typeof s.additionalProperties === 'object') checkNode(s.additionalProperties as Schema & Record<string, unknown>, `${path}.additionalProperties`, errs, { root: false, inLogic: ctx.inLogic });
  for (const logic of ['allOf', 'anyOf', 'oneOf'] as const) {
    (s[logic] ?? []).forEach((sub, i) => checkNode(sub as Schema & Record<string, unknown>, `${path}.${logic}[${i}]`, errs, { root: false, inLogic: true, intOrString: s['x-kubernetes-int-or-string'] === true && logic !== 'oneOf' }));
  }
  if (s.not) checkNode(s.not as Schema & Record<string, unknown>, `${path}.not`, errs, { root: false, inLogic: true });
}
