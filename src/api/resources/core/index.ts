import type { ResourceDefinition } from '../../resource.js';
import { pods } from './pods.js';
import { podTemplates } from './pod-templates.js';
import { replicationControllers } from './replication-controllers.js';
import { bindings } from './bindings.js';
import { services } from './services.js';
import { endpoints } from './endpoints.js';
import { configMaps } from './config-maps.js';
import { secrets } from './secrets.js';
import { namespaces } from './namespaces.js';
import { nodes } from './nodes.js';
import { events } from './events.js';
import { serviceAccounts } from './service-accounts.js';
import { persistentVolumes } from './persistent-volumes.js';
import { persistentVolumeClaims } from './persistent-volume-claims.js';
import { resourceQuotas } from './resource-quotas.js';
import { limitRanges } from './limit-ranges.js';
import { componentStatuses } from './component-statuses.js';

export * from './pods.js';
export * from './pod-spec.js';
export * from './replication-controllers.js';
export * from './pod-templates.js';
export * from './bindings.js';
export * from './services.js';
export * from './endpoints.js';
export * from './config-maps.js';
export * from './secrets.js';
export * from './namespaces.js';
export * from './nodes.js';
export * from './events.js';
export * from './service-accounts.js';
export * from './persistent-volumes.js';
export * from './persistent-volume-claims.js';
export * from './resource-quotas.js';
export * from './limit-ranges.js';
export * from './component-statuses.js';

/** Every core/v1 resource, in discovery order. */
export const coreResources: ResourceDefinition[] = [
  bindings, componentStatuses, configMaps, endpoints, events, limitRanges, namespaces, nodes,
  persistentVolumeClaims, persistentVolumes, pods, podTemplates, replicationControllers,
  resourceQuotas, secrets, serviceAccounts, services,
];
