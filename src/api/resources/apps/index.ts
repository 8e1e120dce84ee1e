import type { ResourceDefinition } from '../../resource.js';
import { controllerRevisions } from './controller-revisions.js';
import { daemonSets } from './daemon-sets.js';
import { deployments } from './deployments.js';
import { replicaSets } from './replica-sets.js';
import { statefulSets } from './stateful-sets.js';

export * from './controller-revisions.js';
export * from './daemon-sets.js';
export * from './deployments.js';
export * from './replica-sets.js';
export * from './stateful-sets.js';
export * from './int-or-percent.js';
export * from './workload-template.js';

/** apps/v1, in discovery order. */
export const appsResources: ResourceDefinition[] = [
  controllerRevisions, daemonSets, deployments, replicaSets, statefulSets,
] as unknown as ResourceDefinition[];
