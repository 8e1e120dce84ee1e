import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import type { ResourceDefinition } from '../resource.js';
import type { Definitions } from './definitions.js';
import { resourcePaths, type Operation, type Parameter } from './paths.js';
import type { Schema } from './schema.js';

/** The media type kubectl asks /openapi/v2 for; the answer must be the gnostic protobuf. */
export const openapiV2ProtobufMediaType = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/**
 * The Content-Type to answer it with, as upstream does: the dotted form, since Go's
 * mime.ParseMediaType (in kubectl) rejects the '@' (`mime: unexpected content after media subtype`).
 * Upstream also accepts this form in Accept.
 */
export const openapiV2ProtobufContentType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

type Json = Record<string, unknown>;

export interface SwaggerDocument {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, Json>;
  definitions: Record<string, Schema>;
  securityDefinitions: Json;
  security: Json[];
}

/** The Swagger 2.0 document of every served resource, with all known definitions (`/openapi/v2`). */
export function openapiV2Document(resources: readonly ResourceDefinition[], defs: Definitions): SwaggerDocument {
  const items = resources.flatMap((r) => resourcePaths(r, defs));
  items.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const paths: Record<string, Json> = {};
  for (const item of items) {
    const entry: Json = paths[item.path] ?? {};
    for (const op of item.operations) entry[op.method] = v2Operation(op);
    entry.parameters = item.parameters.map(v2Parameter);
    paths[item.path] = entry;
  }
  const definitions: Record<string, Schema> = {};
  for (const name of Object.keys(defs.schemas).sort()) definitions[name] = defs.schemas[name] as Schema;
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths,
    definitions,
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
}

function v2Parameter(p: Parameter): Json {
  const out: Json = { uniqueItems: true, type: p.type, description: p.description, name: p.name, in: p.in };
  if (p.required) out.required = true;
  return out;
}

function v2Operation(op: Operation): Json {
  const parameters: Json[] = [];
  if (op.body) {
    parameters.push({ name: 'body', in: 'body', ...(op.bodyRequired ? { required: true } : {}), schema: { $ref: `#/definitions/${op.body}` } });
  }
  parameters.push(...op.parameters.map(v2Parameter));
  const responses: Json = {};
  for (const r of op.responses) {
    const response: Json = { description: r.description };
    if (r.schema) response.schema = r.schema === 'string' ? { type: 'string' } : { $ref: `#/definitions/${r.schema}` };
    responses[r.code] = response;
  }
  const out: Json = {
    description: op.description, consumes: [...op.consumes], produces: [...op.produces], schemes: ['https'],
    tags: [op.tag], operationId: op.operationId,
  };
  if (parameters.length > 0) out.parameters = parameters;
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  if (op.gvk) out['x-kubernetes-group-version-kind'] = { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version };
  return out;
}

// ---------------------------------------------------------------------------------------------
// gnostic protobuf

const protoFile = new URL('./openapi-v2.proto', import.meta.url);

function documentType(): protobuf.Type {
  const root = protobuf.parse(readFileSync(protoFile, 'utf8'), { keepCase: true }).root;
  return root.lookupType('openapi.v2.Document');
}

/** Encodes a Swagger document as gnostic's `openapi.v2.Document` (what kubectl 1.27/1.28 require). */
export function encodeOpenapiV2(doc: SwaggerDocument): Uint8Array {
  const type = documentType();
  const message: Json = {
    swagger: doc.swagger,
    info: { title: doc.info.title, version: doc.info.version },
    paths: { path: Object.entries(doc.paths).map(([name, item]) => ({ name, value: pathItemMessage(item) })) },
    definitions: { additional_properties: Object.entries(doc.definitions).map(([name, s]) => ({ name, value: schemaMessage(s) })) },
    security: doc.security.map((req) => ({
      additional_properties: Object.entries(req).map(([name, scopes]) => ({ name, value: { value: scopes as string[] } })),
    })),
    security_definitions: {
      additional_properties: Object.entries(doc.securityDefinitions).map(([name, d]) => ({ name, value: { api_key_security: d } })),
    },
  };
  return type.encode(message).finish();
}

/** Decodes a gnostic document back into protobufjs' plain object form (for tests and tools). */
export function decodeOpenapiV2(bytes: Uint8Array): Json {
  const type = documentType();
  return type.toObject(type.decode(bytes), { longs: Number, defaults: false, arrays: true, oneofs: false }) as Json;
}

/** JSON text is YAML: gnostic keeps extension and default values as YAML text in `Any.yaml`. */
function anyMessage(v: unknown): Json {
  return { yaml: `${JSON.stringify(v)}\n` };
}

function vendorExtensions(obj: Json): Json[] {
  return Object.entries(obj).filter(([k]) => k.startsWith('x-')).map(([name, v]) => ({ name, value: anyMessage(v) }));
}

function schemaMessage(s: Schema): Json {
  const m: Json = {};
  if (s.$ref) m._ref = s.$ref;
  if (s.format) m.format = s.format;
  if (s.title) m.title = s.title;
  if (s.description) m.description = s.description;
  if (s.default !== undefined) m.default = anyMessage(s.default);
  if (s.multipleOf !== undefined) m.multiple_of = s.multipleOf;
  if (s.maximum !== undefined) m.maximum = s.maximum;
  if (s.exclusiveMaximum) m.exclusive_maximum = true;
  if (s.minimum !== undefined) m.minimum = s.minimum;
  if (s.exclusiveMinimum) m.exclusive_minimum = true;
  if (s.maxLength !== undefined) m.max_length = s.maxLength;
  if (s.minLength !== undefined) m.min_length = s.minLength;
  if (s.pattern) m.pattern = s.pattern;
  if (s.maxItems !== undefined) m.max_items = s.maxItems;
  if (s.minItems !== undefined) m.min_items = s.minItems;
  if (s.uniqueItems) m.unique_items = true;
  if (s.maxProperties !== undefined) m.max_properties = s.maxProperties;
  if (s.minProperties !== undefined) m.min_properties = s.minProperties;
  if (s.required?.length) m.required = [...s.required];
  if (s.enum) m.enum = s.enum.map(anyMessage);
  if (s.additionalProperties !== undefined) {
    m.additional_properties = typeof s.additionalProperties === 'boolean' ? { boolean: s.additionalProperties } : { schema: schemaMessage(s.additionalProperties) };
  }
  if (s.type) m.type = { value: [s.type] };
  if (s.items) m.items = { schema: [schemaMessage(s.items)] };
  if (s.allOf) m.all_of = s.allOf.map(schemaMessage);
  if (s.properties) m.properties = { additional_properties: Object.entries(s.properties).map(([name, v]) => ({ name, value: schemaMessage(v) })) };
  if (s.example !== undefined) m.example = anyMessage(s.example);
  const ext = vendorExtensions(s as Json);
  if (ext.length > 0) m.vendor_extension = ext;
  return m;
}

function parameterMessage(p: Json): Json {
  if (p.in === 'body') {
    return { parameter: { body_parameter: { name: p.name, in: 'body', required: p.required === true, ...(p.description ? { description: p.description } : {}), schema: schemaMessage(p.schema as Schema) } } };
  }
  const sub: Json = { required: p.required === true, in: p.in, description: p.description, name: p.name, type: p.type, unique_items: p.uniqueItems === true };
  return { parameter: { non_body_parameter: p.in === 'path' ? { path_parameter_sub_schema: sub } : { query_parameter_sub_schema: sub } } };
}

function operationMessage(op: Json): Json {
  const responses = Object.entries(op.responses as Record<string, Json>).map(([name, r]) => ({
    name,
    value: { response: { description: r.description, ...(r.schema ? { schema: { schema: schemaMessage(r.schema as Schema) } } : {}) } },
  }));
  return {
    tags: op.tags, description: op.description, operation_id: op.operationId, produces: op.produces, consumes: op.consumes,
    parameters: ((op.parameters as Json[] | undefined) ?? []).map(parameterMessage),
    responses: { response_code: responses }, schemes: op.schemes, vendor_extension: vendorExtensions(op),
  };
}

function pathItemMessage(item: Json): Json {
  const m: Json = {};
  for (const method of ['get', 'put', 'post', 'delete', 'options', 'head', 'patch']) {
    if (item[method]) m[method] = operationMessage(item[method] as Json);
  }
  m.parameters = ((item.parameters as Json[] | undefined) ?? []).map(parameterMessage);
  return m;
}
