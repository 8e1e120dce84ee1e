import type { ResourceDefinition } from '../../resource.js';
import { mutatingWebhookConfigurations, validatingWebhookConfigurations } from './webhook-configurations.js';

export * from './webhook-configurations.js';

export const admissionregistrationResources: ResourceDefinition[] = [
  mutatingWebhookConfigurations, validatingWebhookConfigurations,
];
