import type { ResourceDefinition } from '../../resource.js';
import { ingresses } from './ingresses.js';
import { ingressClasses } from './ingress-classes.js';
import { networkPolicies } from './network-policies.js';

export * from './ingresses.js';
export * from './ingress-classes.js';
export * from './network-policies.js';

export const networkingResources: ResourceDefinition[] = [ingressClasses, ingresses, networkPolicies];
