import type { ResourceDefinition } from '../resource.js';
import { coreResources } from './core/index.js';
import { appsResources } from './apps/index.js';
import { batchResources } from './batch/index.js';
import { autoscalingResources } from './autoscaling/index.js';
import { policyResources } from './policy/index.js';
import { networkingResources } from './networking/index.js';
import { discoveryResources } from './discovery/index.js';
import { coordinationResources } from './coordination/index.js';
import { rbacResources } from './rbac/index.js';
import { storageResources } from './storage/index.js';
import { eventsResources } from './events/index.js';
import { schedulingResources } from './scheduling/index.js';
import { apiextensionsResources } from './apiextensions/index.js';
import { authorizationResources } from './authorization/index.js';
import { authenticationResources } from './authentication/index.js';
import { admissionregistrationResources } from './admissionregistration/index.js';

/**
 * Every built-in resource, in discovery order. Within a group the preferred version comes
 * first (kubectl treats the first as preferred).
 */
export const builtinResources: readonly ResourceDefinition[] = [
  ...coreResources, ...appsResources, ...batchResources, ...autoscalingResources, ...policyResources,
  ...networkingResources, ...discoveryResources, ...coordinationResources, ...rbacResources,
  ...storageResources, ...eventsResources, ...schedulingResources, ...apiextensionsResources,
  ...authorizationResources, ...authenticationResources, ...admissionregistrationResources,
];
