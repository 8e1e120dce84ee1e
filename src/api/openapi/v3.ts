import { createHash } from 'node:crypto';
import type { ResourceDefinition } from '../resource.js';
import type { Definitions } from './definitions.js';
import { groupVersionKey, resourcePaths, type Operation, type Parameter, type PathItem } from './paths.js';
import { refName, type Schema } from './schema.js';

/** `/openapi/v3`: one entry per group-version, each naming its document by content hash. */
export interface OpenApiV3Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

export type JsonObject = Record<string, unknown>;

export interface OpenApiV3Document {
  openapi: '3.0.0';
  info: { title: string; version: string };
  paths: Record<string, JsonObject>;
  components: { schemas: Record<string, JsonObject>; securitySchemes: JsonObject };
  security: JsonObject[];
}

/**
 * The index. `groupVersions` are its keys (`api/v1`, `apis/apps/v1`, see `groupVersionKey`);
 * `hashOf(key)` the hash of that document (`documentHash`), which must change with its content.
 */
export function openapiV3Index(groupVersions: readonly string[], hashOf: (groupVersion: string) => string): OpenApiV3Index {
  const paths: OpenApiV3Index['paths'] = {};
  for (const gv of groupVersions) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${hashOf(gv)}` };
  return { paths };
}

/** The index keys of the group-versions the resources are served in, in first-seen order. */
export function groupVersionKeys(resources: readonly ResourceDefinition[]): string[] {
  return [...new Set(resources.map((r) => groupVersionKey(r.group, r.version)))];
}

/** Content hash of a document, as upstream writes it: SHA-512, upper-case hex. */
export function documentHash(doc: unknown): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
}

/**
 * The OpenAPI 3.0 document of one group-version: the upstream paths and operations of every
 * resource served in it, and every schema they reference (transitively) under components.
 */
export function openapiV3Document(gv: { group: string; version: string }, resources: readonly ResourceDefinition[], defs: Definitions): OpenApiV3Document {
  const wanted = new Set<string>();
  const paths: Record<string, JsonObject> = {};
  const served = resources.filter((r) => r.group === gv.group && r.version === gv.version);
  const items: PathItem[] = served.flatMap((r) => resourcePaths(r, defs));
  items.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const item of items) {
    const entry: JsonObject = paths[item.path] ?? {};
    for (const op of item.operations) entry[op.method] = v3Operation(op, wanted);
    entry.parameters = item.parameters.map(v3Parameter);
    paths[item.path] = entry;
  }
  const schemas: Record<string, JsonObject> = {};
  const queue = [...wanted];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    if (schemas[name]) continue;
    const schema = defs.get(name);
    if (!schema) continue;
    const refs = new Set<string>();
    schemas[name] = toV3(schema, refs, name);
    for (const r of refs) if (!schemas[r]) queue.push(r);
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths,
    components: {
      schemas: Object.fromEntries(Object.keys(schemas).sort().map((k) => [k, schemas[k] as JsonObject])),
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    },
    security: [{ BearerToken: [] }],
  };
}

function v3Parameter(p: Parameter): JsonObject {
  const out: JsonObject = { name: p.name, in: p.in, description: p.description };
  if (p.required) out.required = true;
  out.schema = { type: p.type, uniqueItems: true };
  return out;
}

function v3Operation(op: Operation, wanted: Set<string>): JsonObject {
  const out: JsonObject = { tags: [op.tag], description: op.description, operationId: op.operationId };
  if (op.parameters.length > 0) out.parameters = op.parameters.map(v3Parameter);
  if (op.body) {
    wanted.add(op.body);
    const ref = { $ref: `#/components/schemas/${op.body}` };
    out.requestBody = { content: Object.fromEntries(op.consumes.map((m) => [m, { schema: ref }])), ...(op.bodyRequired ? { required: true } : {}) };
  }
  const responses: JsonObject = {};
  for (const r of op.responses) {
    if (!r.schema) { responses[r.code] = { description: r.description }; continue; }
    let schema: JsonObject;
    if (r.schema === 'string') schema = { type: 'string' };
    else { wanted.add(r.schema); schema = { $ref: `#/components/schemas/${r.schema}` }; }
    responses[r.code] = { description: r.description, content: Object.fromEntries(op.produces.map((m) => [m, { schema }])) };
  }
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  if (op.gvk) out['x-kubernetes-group-version-kind'] = { group: op.gvk.group, version: op.gvk.version, kind: op.gvk.kind };
  return out;
}

/** A Swagger 2.0 definition as OpenAPI 3.0: refs under components, `$ref` with siblings as allOf. */
export function toV3(schema: Schema, refs: Set<string>, name?: string): JsonObject {
  if (name === 'io.k8s.apimachinery.pkg.util.intstr.IntOrString') {
    return { ...descriptionOf(schema), format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] };
  }
  if (name === 'io.k8s.apimachinery.pkg.api.resource.Quantity') {
    return { ...descriptionOf(schema), oneOf: [{ type: 'string' }, { type: 'number' }] };
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    switch (key) {
      case '$ref': break;
      case 'properties':
        out.properties = Object.fromEntries(Object.entries(value as Record<string, Schema>).map(([k, v]) => [k, toV3(v, refs)]));
        break;
      case 'items': case 'not':
        out[key] = toV3(value as Schema, refs);
        break;
      case 'additionalProperties':
        out[key] = typeof value === 'boolean' ? value : toV3(value as Schema, refs);
        break;
      case 'allOf': case 'oneOf': case 'anyOf':
        out[key] = (value as Schema[]).map((v) => toV3(v, refs));
        break;
      default:
        out[key] = value;
    }
  }
  if (schema.$ref) {
    const target = refName(schema.$ref);
    refs.add(target);
    const ref = { $ref: `#/components/schemas/${target}` };
    if (Object.keys(out).length === 0) return ref;
    out.allOf = [ref];
  }
  return out;
}

function descriptionOf(schema: Schema): JsonObject {
  return schema.description ? { description: schema.description } : {};
}
