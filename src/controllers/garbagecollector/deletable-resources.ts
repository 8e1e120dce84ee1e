import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';
import type { ResourceDefinition } from '../../api/resource.js';
import { defineResource } from '../../api/resource.js';
import type { KubeObject } from '../../api/types.js';

/** Resources the collector never watches (upstream's DefaultIgnoredResources). */
export const defaultIgnoredResources: readonly { group: string; resource: string }[] = [
  { group: '', resource: 'events' },
  { group: 'events.k8s.io', resource: 'events' },
];

/**
 * GetDeletableResources: the preferred (first listed) version of every resource that
 * supports delete, list and watch, less the ignored ones.
 */
export function deletableResources(defs: readonly ResourceDefinition[], ignored = defaultIgnoredResources): ResourceDefinition[] {
  const seen = new Set<string>();
  const out: ResourceDefinition[] = [];
  for (const def of defs) {
    const id = `${def.group}/${def.plural}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (def.virtual) continue;
    if (!['delete', 'list', 'watch'].every((v) => def.verbs.includes(v))) continue;
    if (ignored.some((i) => i.group === def.group && i.resource === def.plural)) continue;
    out.push(def);
  }
  return out;
}

/** True when the CRD's Established condition is True. */
export function isEstablished(crd: Pick<CustomResourceDefinition, 'status'>): boolean {
  return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true;
}

/**
 * A handle for a custom resource as the client needs it (group, served version, kind,
 * plural, scope): the storage version when served, else the first served one.
 */
export function customResource(crd: CustomResourceDefinition): ResourceDefinition | undefined {
  const served = crd.spec.versions.filter((v) => v.served);
  const version = served.find((v) => v.storage) ?? served[0];
  if (!version) return undefined;
  return defineResource<KubeObject>({
    group: crd.spec.group, version: version.name, kind: crd.spec.names.kind, plural: crd.spec.names.plural,
    scope: crd.spec.scope === 'Cluster' ? 'Cluster' : 'Namespaced',
    subresources: { status: version.subresources?.status !== undefined },
  });
}
