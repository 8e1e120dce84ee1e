import { defineResource, type ResourceDefinition } from '../resource.js';

/**
 * A few resources declared as src/api/resources declares them, for the OpenAPI tests and the
 * kubectl check (the real registry lives in src/api/resources).
 */
export const testResources: readonly ResourceDefinition[] = [
  defineResource({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', scope: 'Cluster', schema: 'io.k8s.api.core.v1.Namespace', subresources: { status: true, other: ['finalize'] } }),
  defineResource({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', scope: 'Namespaced', schema: 'io.k8s.api.core.v1.Pod', shortNames: ['po'],
    subresources: { status: true, other: ['log', 'exec', 'attach', 'portforward', 'proxy', 'binding', 'eviction', 'ephemeralcontainers'] } }),
  defineResource({ group: '', version: 'v1', kind: 'Service', plural: 'services', scope: 'Namespaced', schema: 'io.k8s.api.core.v1.Service', subresources: { status: true, other: ['proxy'] } }),
  defineResource({ group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', scope: 'Namespaced', schema: 'io.k8s.api.core.v1.ServiceAccount', subresources: { other: ['token'] } }),
  defineResource({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', scope: 'Namespaced', schema: 'io.k8s.api.core.v1.ConfigMap' }),
  defineResource({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', scope: 'Namespaced', schema: 'io.k8s.api.apps.v1.Deployment',
    subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } } }),
  defineResource({ group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', scope: 'Namespaced', schema: 'io.k8s.api.apps.v1.ReplicaSet',
    subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } } }),
  defineResource({ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', scope: 'Cluster',
    schema: 'io.k8s.api.authorization.v1.SelfSubjectAccessReview', virtual: true, verbs: ['create'] }),
  defineResource({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', scope: 'Cluster',
    schema: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition', subresources: { status: true } }),
];
