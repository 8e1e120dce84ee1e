import type { ResourceDefinition } from '../../resource.js';
import { localSubjectAccessReviews, selfSubjectAccessReviews, selfSubjectRulesReviews, subjectAccessReviews } from './access-reviews.js';

export * from './access-reviews.js';

export const authorizationResources: ResourceDefinition[] = [
  localSubjectAccessReviews, selfSubjectAccessReviews, selfSubjectRulesReviews, subjectAccessReviews,
];
