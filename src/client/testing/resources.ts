import type { Pod, Namespace, ConfigMap } from 'kubernetes-types/core/v1.js';
import type { Kube } from '../../api/types.js';
import { defineResource } from '../../api/resource.js';

/** Local handles for the client machinery's own tests (same group/version/plural as the real ones). */
export const testPods = defineResource<Kube<Pod>>({
  group: '', version: 'v1', kind: 'Pod', plural: 'pods', scope: 'Namespaced', subresources: { status: true },
});
export const testNamespaces = defineResource<Kube<Namespace>>({
  group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', scope: 'Cluster', subresources: { status: true },
});
export const testConfigMaps = defineResource<Kube<ConfigMap>>({
  group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', scope: 'Namespaced',
});
