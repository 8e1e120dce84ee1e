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
 *
 * A writer may hand its object over with the bytes (`encode(…, true)`): the first decode of those
 * very bytes (the watch cache's, as the store passes the value through to its watchers) then
 * returns that object instead of parsing the JSON again: a write costs one serialisation and no
 * parse. The writer must not touch the object afterwards; the one who decodes it owns it, as the
 * writer built it: equal to the JSON as `JSON.stringify` sees it, undefined properties and all
 * (the watch cache's freezeAsJson drops those).
 */
export class ObjectCodec {
  readonly #handedOver = new WeakMap<Uint8Array, KubeObject>();

  constructor(private readonly transformer?: ValueTransformer) {}

  encode(key: string, obj: KubeObject, handOver = false): Buffer {
    const { resourceVersion: _rv, ...meta } = obj.metadata;
    const plain = encoder.encode(JSON.stringify({ ...obj, metadata: meta }));
    const stored = this.transformer ? this.transformer.toStorage(key, plain) : plain;
    // A Buffer view (no copy) that the store keeps as the value it hands its watchers.
    const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
    if (handOver) this.#handedOver.set(bytes, obj);
    return bytes;
  }

  decode(kv: KeyValue): KubeObject {
    const own = this.#handedOver.get(kv.value);
    if (own) {
      this.#handedOver.delete(kv.value);
      own.metadata.resourceVersion = String(kv.modRevision);
      return own;
    }
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
