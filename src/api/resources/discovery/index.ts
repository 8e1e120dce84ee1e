import type { ResourceDefinition } from '../../resource.js';
import { endpointSlices } from './endpoint-slices.js';

export * from './endpoint-slices.js';

export const discoveryResources: ResourceDefinition[] = [endpointSlices];
