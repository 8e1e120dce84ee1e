import type { SelfSubjectReview, TokenReview } from 'kubernetes-types/authentication/v1.js';
import type { Kube } from '../../types.js';
import { defineResource } from '../../resource.js';

export type TokenReviewObject = Kube<TokenReview>;
export type SelfSubjectReviewObject = Kube<SelfSubjectReview>;

/**
 * TokenReview: the apiserver authenticates spec.token and answers in status. An empty token is
 * a 400 from the REST handler upstream ("token is required for TokenReview in authentication").
 */
export const tokenReviews = defineResource<TokenReviewObject>({
  group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview', plural: 'tokenreviews', scope: 'Cluster',
  verbs: ['create'], virtual: true,
  schema: 'io.k8s.api.authentication.v1.TokenReview',
  nameValidation: () => [],
});

/** SelfSubjectReview (`kubectl auth whoami`, v1 since 1.28): answers with the caller's user info. */
export const selfSubjectReviews = defineResource<SelfSubjectReviewObject>({
  group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', scope: 'Cluster',
  verbs: ['create'], virtual: true,
  schema: 'io.k8s.api.authentication.v1.SelfSubjectReview',
  nameValidation: () => [],
});
