import type { ResourceDefinition } from '../../resource.js';
import { leases } from './leases.js';

export * from './leases.js';

export const coordinationResources: ResourceDefinition[] = [leases];
