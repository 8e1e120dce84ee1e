import type { ResourceDefinition } from '../../resource.js';
import { eventsV1 } from './events.js';

export * from './events.js';

export const eventsResources: ResourceDefinition[] = [eventsV1];
