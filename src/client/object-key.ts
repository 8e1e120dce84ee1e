import type { KubeObject } from '../api/types.js';
import type { Key } from './work-queue.js';

/** `namespace/name`, or `name` for cluster-scoped objects (client-go's MetaNamespaceKeyFunc). */
export function keyOf(obj: Pick<KubeObject, 'metadata'>): Key {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name ?? ''}` : obj.metadata.name ?? '';
}

export function keyFor(namespace: string | undefined, name: string): Key {
  return namespace ? `${namespace}/${name}` : name;
}

/** The inverse of keyOf: namespace is '' for cluster-scoped keys. */
export function splitKey(key: Key): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
