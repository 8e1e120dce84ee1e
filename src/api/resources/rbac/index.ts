import type { ResourceDefinition } from '../../resource.js';
import { clusterRoles, roles } from './roles.js';
import { clusterRoleBindings, roleBindings } from './role-bindings.js';

export * from './policy-rules.js';
export * from './roles.js';
export * from './role-bindings.js';

export const rbacResources: ResourceDefinition[] = [clusterRoleBindings, clusterRoles, roleBindings, roles];
