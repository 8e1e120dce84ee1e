import type { ResourceDefinition } from '../../resource.js';
import { priorityClasses } from './priority-classes.js';

export * from './priority-classes.js';

export const schedulingResources: ResourceDefinition[] = [priorityClasses];
