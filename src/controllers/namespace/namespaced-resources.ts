import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';
import type { ResourceDefinition } from '../../api/resource.js';
import { customResource, isEstablished } from '../garbagecollector/index.js';

/**
 * The resources a namespace's content is deleted from: the preferred version of every
 * namespaced resource that supports delete (built-in and established CRDs), as discovery
 * filtered by `delete` gives them to upstream's deleter.
 */
export function namespacedResources(builtin: readonly ResourceDefinition[], crds: readonly CustomResourceDefinition[]): ResourceDefinition[] {
  const custom = crds.filter((c) => isEstablished(c) && c.spec.scope === 'Namespaced')
    .map((c) => customResource(c)).filter((r): r is ResourceDefinition => r !== undefined);
  const seen = new Set<string>();
  const out: ResourceDefinition[] = [];
  for (const def of [...builtin, ...custom]) {
    const id = `${def.group}/${def.plural}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (def.scope !== 'Namespaced' || def.virtual || !def.verbs.includes('delete')) continue;
    out.push(def);
  }
  return out;
}

/** schema.GroupVersionResource's String(): `apps/v1, Resource=deployments`. */
export function groupVersionResource(def: Pick<ResourceDefinition, 'group' | 'version' | 'plural'>): string {
  return `${def.group}/${def.version}, Resource=${def.plural}`;
}
