import type { ResourceDefinition } from '../../resource.js';
import { selfSubjectReviews, tokenReviews } from './reviews.js';

export * from './reviews.js';

export const authenticationResources: ResourceDefinition[] = [selfSubjectReviews, tokenReviews];
