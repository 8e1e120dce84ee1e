import type { KubeObject } from '../../api/types.js';
import type { ResourceDefinition } from '../../api/resource.js';
import { apiVersionOf } from '../../api/types.js';
import { cloneJson } from '../../api/patch/json-value.js';
import type { KeyValue } from '../../storage/store.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Transforms stored bytes (encryption at rest) by storage key; identity when absent. */
export interface ValueTransformer {
  toStorage(key: string, plain: Uint8Array): Uint8Array;
  fromStorage(key: string, stored: Uint8Array): Uint8Array;
}

/**
 * Objects are stored as JSON in their storage version, without resourceVersion (the store's
 * modRevision is the resourceVersion, set when reading), through an optional transformer.
 */
export class ObjectCodec {
  constructor(private readonly transformer?: ValueTransformer) {}

  encode(key: string, obj: KubeObject): Uint8Array {
    const { resourceVersion: _rv, ...meta } = obj.metadata;
    const plain = encoder.encode(JSON.stringify({ ...obj, metadata: meta }));
    return this.transformer ? this.transformer.toStorage(key, plain) : plain;
  }

  decode(kv: KeyValue): KubeObject {
    const bytes = this.transformer ? this.transformer.fromStorage(kv.key, kv.value) : kv.value;
    const obj = JSON.parse(decoder.decode(bytes)) as KubeObject;
    obj.metadata.resourceVersion = String(kv.modRevision);
    return obj;
  }
}

/**
 * The object in the version a request speaks (a copy; cached objects are never handed out).
 * `owned`: `stored` is the caller's own fresh object (just decoded), converted in place.
 */
export function fromStorage(def: ResourceDefinition, stored: KubeObject, owned = false): KubeObject {
  // Stored objects are plain JSON (decoded bytes): a JSON copy, several times faster than structuredClone.
  const copy = owned ? stored : cloneJson(stored);
  const out = def.conversion && def.storage.version !== def.version ? def.conversion.fromStorage(copy) : copy;
  out.apiVersion = apiVersionOf(def.group, def.version);
  out.kind = def.kind;
  return out;
}

/** The object in its storage version, ready to encode. */
export function toStorage(def: ResourceDefinition, obj: KubeObject): KubeObject {
  const out = def.conversion && def.storage.version !== def.version ? def.conversion.toStorage(obj) : obj;
  out.apiVersion = apiVersionOf(def.storage.group, def.storage.version);
  if (!def.conversion) out.kind = def.kind;
  return out;
}
