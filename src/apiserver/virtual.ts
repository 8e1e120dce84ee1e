import type { ResourceDefinition } from '../api/resource.js';
import type { FieldError, KubeObject } from '../api/types.js';
import { fieldsOf } from '../api/types.js';
import { badRequest, fieldErr, invalid } from '../api/errors.js';
import type { RequestContext, UserInfo } from './context.js';
import type { VirtualHandler } from './http/resource-handler.js';
import { nonResourceAttributes, resourceAttributes, type Attributes, type Authorizer } from './authz/index.js';

interface ResourceAttributes { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string }
interface NonResourceAttributes { path?: string; verb?: string }
interface ReviewSpec { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: NonResourceAttributes; user?: string; groups?: string[]; uid?: string; extra?: Record<string, string[]>; namespace?: string }

/** Authenticates a bearer token for TokenReview. */
export type TokenAuthenticator = (token: string, audiences?: string[]) => Promise<UserInfo | undefined>;

/**
 * The resources that are answers, not storage: access reviews and rules reviews ask the
 * authorizer (the same one that guards every request), token reviews ask the authenticator,
 * SelfSubjectReview echoes the caller.
 */
export function virtualHandlers(authorizer: Authorizer, authenticateToken: TokenAuthenticator): Record<string, VirtualHandler> {
  /** SubjectAccessReviewSpec validation: one kind of attributes, and a subject when not "self". */
  function validateSpec(def: ResourceDefinition, spec: ReviewSpec, needsSubject: boolean): void {
    const errs: FieldError[] = [];
    if (spec.resourceAttributes && spec.nonResourceAttributes) {
      errs.push(fieldErr.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes'));
    }
    if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
      errs.push(fieldErr.invalid('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
    }
    if (needsSubject && !spec.user && !(spec.groups ?? []).length) {
      errs.push(fieldErr.invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'));
    }
    if (errs.length) throw invalid(def.kind, def.group, '', errs);
  }

  function attributesOf(user: UserInfo, spec: ReviewSpec): Attributes {
    const ra = spec.resourceAttributes;
    if (ra) {
      return resourceAttributes(user, {
        verb: ra.verb ?? '', apiGroup: ra.group ?? '', apiVersion: ra.version ?? '', resource: ra.resource ?? '',
        subresource: ra.subresource ?? '', namespace: ra.namespace ?? '', name: ra.name ?? '',
      });
    }
    const nra = spec.nonResourceAttributes ?? {};
    return nonResourceAttributes(user, nra.verb ?? '', nra.path ?? '');
  }

  function review(user: UserInfo, spec: ReviewSpec): Record<string, unknown> {
    const r = authorizer.authorize(attributesOf(user, spec));
    const status: Record<string, unknown> = { allowed: r.decision === 'Allow' };
    if (r.decision === 'Deny') status.denied = true;
    if (r.reason) status.reason = r.reason;
    return status;
  }

  const subjectOf = (spec: ReviewSpec): UserInfo => {
    const u: UserInfo = { username: spec.user ?? '', groups: spec.groups ?? [] };
    if (spec.uid) u.uid = spec.uid;
    if (spec.extra) u.extra = spec.extra;
    return u;
  };
  const answer = (def: ResourceDefinition, body: KubeObject, status: unknown): KubeObject => {
    const out = { ...structuredClone(body), status } as KubeObject;
    out.apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
    out.kind = def.kind;
    out.metadata = { ...(out.metadata ?? {}), creationTimestamp: null as unknown as string };
    return out;
  };
  const specOf = (body: KubeObject) => (fieldsOf(body).spec ?? {}) as ReviewSpec;

  return {
    'authorization.k8s.io/selfsubjectaccessreviews': async (def, body, ctx: RequestContext) => {
      const spec = specOf(body);
      validateSpec(def, spec, false);
      return answer(def, body, review(ctx.user, spec));
    },
    'authorization.k8s.io/localsubjectaccessreviews': async (def, body) => {
      const spec = specOf(body);
      validateSpec(def, spec, true);
      const ns = body.metadata?.namespace ?? '';
      if (spec.nonResourceAttributes) throw invalid(def.kind, def.group, '', [fieldErr.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'disallowed on this kind of request')]);
      if ((spec.resourceAttributes?.namespace ?? '') !== ns) {
        throw invalid(def.kind, def.group, '', [fieldErr.invalid('spec.resourceAttributes.namespace', spec.resourceAttributes?.namespace ?? '', 'must match metadata.namespace')]);
      }
      return answer(def, body, review(subjectOf(spec), spec));
    },
    'authorization.k8s.io/subjectaccessreviews': async (def, body) => {
      const spec = specOf(body);
      validateSpec(def, spec, true);
      return answer(def, body, review(subjectOf(spec), spec));
    },
    'authorization.k8s.io/selfsubjectrulesreviews': async (def, body, ctx) => {
      const spec = specOf(body);
      if (!spec.namespace) throw badRequest('no namespace on request');
      const rules = authorizer.rulesFor(ctx.user, spec.namespace);
      const status: Record<string, unknown> = { resourceRules: rules.resourceRules, nonResourceRules: rules.nonResourceRules, incomplete: rules.incomplete };
      if (rules.evaluationError) status.evaluationError = rules.evaluationError;
      return answer(def, body, status);
    },
    'authentication.k8s.io/selfsubjectreviews': async (def, body, ctx) => answer(def, body, { userInfo: userInfoJson(ctx.user) }),
    'authentication.k8s.io/tokenreviews': async (def, body) => {
      const spec = (fieldsOf(body).spec ?? {}) as { token?: string; audiences?: string[] };
      if (!spec.token) throw badRequest('TokenReview spec.token: Required value');
      const user = await authenticateToken(spec.token, spec.audiences);
      return answer(def, body, user ? { authenticated: true, user: userInfoJson(user), audiences: spec.audiences } : { authenticated: false, user: {} });
    },
  };
}

function userInfoJson(u: UserInfo): Record<string, unknown> {
  const out: Record<string, unknown> = { username: u.username, groups: u.groups };
  if (u.uid) out.uid = u.uid;
  if (u.extra && Object.keys(u.extra).length) out.extra = u.extra;
  return out;
}
