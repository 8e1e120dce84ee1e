import type { ResourceDefinition, ScaleSubresource } from '../../api/resource.js';
import type { KubeObject } from '../../api/types.js';
import { fieldsOf } from '../../api/types.js';
import { conflict, fieldErr, invalid } from '../../api/errors.js';
import { formatLabelSelector, labelSelectorString, selectorFromSet } from '../../api/selectors/index.js';
import type { Mutation } from './rest-storage.js';
import { cloneObject } from '../../api/patch/json-value.js';

function read(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.replace(/^\./, '').split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function write(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    if (cur[part] === null || typeof cur[part] !== 'object') cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

/** A LabelSelector (matchLabels/matchExpressions) or, for ReplicationControllers, a plain label map. */
function selectorString(v: Record<string, unknown>): string {
  if ('matchLabels' in v || 'matchExpressions' in v) return formatLabelSelector(v as never);
  return labelSelectorString(selectorFromSet(v as Record<string, string>));
}

/** The autoscaling/v1 Scale view of a scalable object. */
export function getScale(def: ResourceDefinition, spec: ScaleSubresource, obj: KubeObject): KubeObject {
  const m = obj.metadata;
  const selectorValue = spec.labelSelectorPath ? read(obj, spec.labelSelectorPath) : undefined;
  const selector = typeof selectorValue === 'string' ? selectorValue
    : selectorValue && typeof selectorValue === 'object' ? selectorString(selectorValue as Record<string, unknown>) : undefined;
  const status: Record<string, unknown> = { replicas: Number(read(obj, spec.statusReplicasPath) ?? 0) };
  if (selector) status.selector = selector;
  const scale = {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: Number(read(obj, spec.specReplicasPath) ?? 0) },
    status,
  };
  if (!m.namespace) delete scale.metadata.namespace;
  void def;
  return scale as unknown as KubeObject;
}

/**
 * A mutation of the parent object through its Scale: `change` turns the current Scale into the
 * wanted one (a PUT body or a patched copy); its spec.replicas lands at specReplicasPath.
 */
export function scaleMutation(def: ResourceDefinition, spec: ScaleSubresource, change: (scale: KubeObject) => KubeObject): Mutation {
  return (current) => {
    if (!current) throw new Error('scale of a missing object');
    const before = getScale(def, spec, current);
    const after = change(structuredClone(before));
    const rv = after.metadata?.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) {
      throw conflict({ resource: def.plural, group: def.group || undefined, name: current.metadata.name });
    }
    const replicas = (fieldsOf(after).spec as { replicas?: unknown } | undefined)?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
      throw invalid('Scale', 'autoscaling', current.metadata.name ?? '', [fieldErr.invalid('spec.replicas', replicas ?? null, 'must be an integer')]);
    }
    if (replicas < 0) {
      throw invalid('Scale', 'autoscaling', current.metadata.name ?? '', [fieldErr.invalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
    }
    const next = cloneObject(current);
    write(fieldsOf(next), spec.specReplicasPath, replicas);
    return next;
  };
}
