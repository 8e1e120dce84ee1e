import type { ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { age } from '../../printers.js';

export type ServiceAccountObject = Kube<ServiceAccount>;

export const serviceAccounts = defineResource<ServiceAccountObject>({
  group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', scope: 'Namespaced',
  shortNames: ['sa'],
  subresources: { other: ['token'] },
  schema: 'io.k8s.api.core.v1.ServiceAccount',
  printerColumns: [
    { name: 'Secrets', type: 'string', description: 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.', cell: (s) => (s.secrets ?? []).length },
    { name: 'Age', type: 'string', cell: (s, now) => age(s.metadata.creationTimestamp, now) },
  ],
});
