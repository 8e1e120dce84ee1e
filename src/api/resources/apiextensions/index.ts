import type { ResourceDefinition } from '../../resource.js';
import { customResourceDefinitions } from './custom-resource-definitions.js';

export * from './custom-resource-definitions.js';

export const apiextensionsResources: ResourceDefinition[] = [customResourceDefinitions];
