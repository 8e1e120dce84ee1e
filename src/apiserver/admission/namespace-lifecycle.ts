import type { ResourceDefinition } from '../../api/resource.js';
import { storageKey } from '../../api/resource.js';
import type { KubeObject } from '../../api/types.js';
import { forbidden, notFound } from '../../api/errors.js';
import type { AdmissionPlugin } from '../registry/admission.js';
import type { ObjectCache } from '../registry/object-cache.js';

/** Namespaces that may never be deleted, as upstream's NamespaceLifecycle keeps them. */
export const immortalNamespaces = ['default', 'kube-system', 'kube-public'];

/**
 * NamespaceLifecycle: namespaced objects are created only in namespaces that exist and are not
 * terminating; the system namespaces cannot be deleted.
 */
export function namespaceLifecycle(cache: ObjectCache, namespaces: ResourceDefinition): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    async validate(a) {
      if (a.operation === 'DELETE' && a.def === namespaces && immortalNamespaces.includes(a.name)) {
        throw forbidden(`namespaces "${a.name}" is forbidden: this namespace may not be deleted`, { resource: 'namespaces', name: a.name });
      }
      if (a.operation !== 'CREATE' || a.def.scope !== 'Namespaced' || !a.namespace) return;
      const ns = cache.get(storageKey(namespaces, '', a.namespace)) as (KubeObject & { status?: { phase?: string } }) | undefined;
      if (!ns) throw notFound({ resource: 'namespaces', name: a.namespace });
      if (ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') {
        const what = `${a.def.plural}${a.def.group ? '.' + a.def.group : ''} "${a.name}"`;
        throw forbidden(`${what} is forbidden: unable to create new content in namespace ${a.namespace} because it is being terminated`,
          { resource: a.def.plural, group: a.def.group || undefined, name: a.name });
      }
    },
  };
}
