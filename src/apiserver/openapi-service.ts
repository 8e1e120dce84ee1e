import type { ResourceDefinition } from '../api/resource.js';
import type { Definitions } from '../api/openapi/definitions.js';
import type { Schema } from '../api/openapi/schema.js';
import { encodeOpenapiV2, openapiV2Document } from '../api/openapi/v2.js';
import { documentHash, groupVersionKeys, openapiV3Document, openapiV3Index } from '../api/openapi/v3.js';
import type { OpenApiService } from './http/api-handler.js';
import type { ResourceIndex } from './registry/resource-index.js';

const objectMeta = '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** `com.example.stable.v1.CronTab` for group stable.example.com, as upstream names CRD schemas. */
export function customDefinitionName(def: ResourceDefinition): string {
  return `${def.group.split('.').reverse().join('.')}.${def.version}.${def.kind}`;
}

/** The definitions of custom resources, from each served version's structural schema. */
function customDefinitions(resources: readonly ResourceDefinition[]): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const d of resources) {
    if (!d.customSchema) continue;
    const schema = d.customSchema as Schema;
    out[customDefinitionName(d)] = {
      ...schema,
      type: 'object',
      properties: {
        apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources' },
        kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
        metadata: { $ref: objectMeta, description: 'Standard object\'s metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata' },
        ...(schema.properties ?? {}),
      },
      'x-kubernetes-group-version-kind': [{ group: d.group, version: d.version, kind: d.kind }],
    };
  }
  return out;
}

/**
 * /openapi/v2 and /openapi/v3 documents, built lazily and cached until the resource index
 * changes (a CRD comes or goes); v3 hashes change with content so kubectl's cache stays right.
 */
export function openApiService(index: ResourceIndex, builtin: Definitions): OpenApiService {
  let generation = -1;
  let defs = builtin;
  let v2: Uint8Array | undefined;
  let v2json: unknown;
  const v3 = new Map<string, { doc: unknown; hash: string }>();

  function refresh(): void {
    if (generation === index.generation) return;
    generation = index.generation;
    const custom = customDefinitions(index.all());
    defs = Object.keys(custom).length ? builtin.with(custom) : builtin;
    v2 = undefined;
    v2json = undefined;
    v3.clear();
  }

  function v3For(key: string): { doc: unknown; hash: string } | undefined {
    refresh();
    let entry = v3.get(key);
    if (entry) return entry;
    const [prefix, a, b] = key.split('/');
    const gv = prefix === 'api' ? { group: '', version: a ?? '' } : { group: a ?? '', version: b ?? '' };
    const resources = index.all().filter((r) => r.group === gv.group && r.version === gv.version);
    if (resources.length === 0) return undefined;
    const doc = openapiV3Document(gv, resources, defs);
    entry = { doc, hash: documentHash(doc) };
    v3.set(key, entry);
    return entry;
  }

  return {
    v2Protobuf() {
      refresh();
      v2 ??= encodeOpenapiV2(openapiV2Document(index.all(), defs));
      return v2;
    },
    v2Json() {
      refresh();
      v2json ??= openapiV2Document(index.all(), defs);
      return v2json;
    },
    v3Index() {
      refresh();
      const keys = groupVersionKeys(index.all());
      return openapiV3Index(keys, (k) => v3For(k)?.hash ?? '');
    },
    v3Document(path) {
      return v3For(path.replace(/\?.*$/, ''))?.doc;
    },
  };
}
