import type {
  LocalSubjectAccessReview, SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview, SubjectAccessReviewSpec,
} from 'kubernetes-types/authorization/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';

export type SubjectAccessReviewObject = Kube<SubjectAccessReview>;
export type SelfSubjectAccessReviewObject = Kube<SelfSubjectAccessReview>;
export type LocalSubjectAccessReviewObject = Kube<LocalSubjectAccessReview>;
export type SelfSubjectRulesReviewObject = Kube<SelfSubjectRulesReview>;

/** Access reviews are computed, never stored: only create is served. */
const reviewVerbs = ['create'] as const;

/** metadata of a review must be empty apart from managedFields (ValidateSubjectAccessReview & co.). */
function validateReviewMeta(meta: Kube<SubjectAccessReview>['metadata'], allowNamespace: boolean): FieldError[] {
  const rest = { ...meta } as Record<string, unknown>;
  delete rest.managedFields;
  if (allowNamespace) delete rest.namespace;
  for (const k of ['creationTimestamp', 'name', 'generateName', 'resourceVersion', 'uid']) if (rest[k] === null || rest[k] === '') delete rest[k];
  return Object.keys(rest).length > 0 ? [fieldErr.invalid('metadata', meta, 'must be empty')] : [];
}

function validateAttributes(spec: Partial<SubjectAccessReviewSpec>, path = 'spec'): FieldError[] {
  const hasResource = spec.resourceAttributes !== undefined;
  const hasNonResource = spec.nonResourceAttributes !== undefined;
  if (hasResource && hasNonResource) return [fieldErr.invalid(`${path}.nonResourceAttributes`, spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes')];
  if (!hasResource && !hasNonResource) return [fieldErr.invalid(`${path}.resourceAttributes`, null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  return [];
}

export function validateSubjectAccessReview(r: SubjectAccessReviewObject): FieldError[] {
  const errs = validateAttributes(r.spec ?? {});
  if (!r.spec?.user && (r.spec?.groups ?? []).length === 0) errs.push(fieldErr.invalid('spec.user', r.spec?.user ?? '', '`user` or `groups` must be specified'));
  return [...validateReviewMeta(r.metadata, false), ...errs];
}

export function validateLocalSubjectAccessReview(r: LocalSubjectAccessReviewObject): FieldError[] {
  const errs = validateAttributes(r.spec ?? {});
  if (!r.spec?.user && (r.spec?.groups ?? []).length === 0) errs.push(fieldErr.invalid('spec.user', r.spec?.user ?? '', '`user` or `groups` must be specified'));
  if (r.spec?.nonResourceAttributes) errs.push(fieldErr.invalid('spec.nonResourceAttributes', r.spec.nonResourceAttributes, 'disallowed on this kind of request'));
  const ns = r.metadata.namespace ?? '';
  if (r.spec?.resourceAttributes && (r.spec.resourceAttributes.namespace ?? '') !== ns) {
    errs.push(fieldErr.invalid('spec.resourceAttributes.namespace', r.spec.resourceAttributes.namespace ?? '', 'must match metadata.namespace'));
  }
  return [...validateReviewMeta(r.metadata, true), ...errs];
}

export function validateSelfSubjectAccessReview(r: SelfSubjectAccessReviewObject): FieldError[] {
  return [...validateReviewMeta(r.metadata, false), ...validateAttributes(r.spec ?? {})];
}

export const subjectAccessReviews = defineResource<SubjectAccessReviewObject>({
  group: 'authorization.k8s.io', version: 'v1', kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', scope: 'Cluster',
  verbs: reviewVerbs, virtual: true,
  schema: 'io.k8s.api.authorization.v1.SubjectAccessReview',
  nameValidation: () => [],
  validate: validateSubjectAccessReview,
});

export const selfSubjectAccessReviews = defineResource<SelfSubjectAccessReviewObject>({
  group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', scope: 'Cluster',
  verbs: reviewVerbs, virtual: true,
  schema: 'io.k8s.api.authorization.v1.SelfSubjectAccessReview',
  nameValidation: () => [],
  validate: validateSelfSubjectAccessReview,
});

export const localSubjectAccessReviews = defineResource<LocalSubjectAccessReviewObject>({
  group: 'authorization.k8s.io', version: 'v1', kind: 'LocalSubjectAccessReview', plural: 'localsubjectaccessreviews', scope: 'Namespaced',
  verbs: reviewVerbs, virtual: true,
  schema: 'io.k8s.api.authorization.v1.LocalSubjectAccessReview',
  nameValidation: () => [],
  validate: validateLocalSubjectAccessReview,
});

export const selfSubjectRulesReviews = defineResource<SelfSubjectRulesReviewObject>({
  group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', scope: 'Cluster',
  verbs: reviewVerbs, virtual: true,
  schema: 'io.k8s.api.authorization.v1.SelfSubjectRulesReview',
  nameValidation: () => [],
  validate: (r) => (r.spec?.namespace === undefined ? [fieldErr.required('spec.namespace', '')] : []),
});
