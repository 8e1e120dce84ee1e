import type { ResourceDefinition } from '../../resource.js';
import { podDisruptionBudgets } from './pod-disruption-budgets.js';

export * from './pod-disruption-budgets.js';
export * from './evictions.js';

/** policy/v1, in discovery order (evictions are the pods/eviction subresource, not listed). */
export const policyResources: ResourceDefinition[] = [podDisruptionBudgets] as unknown as ResourceDefinition[];
