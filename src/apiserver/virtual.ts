import type { ResourceDefinition } from '../api/resource.js';
import type { KubeObject } from '../api/types.js';
import { fieldsOf } from '../api/types.js';
import { badRequest } from '../api/errors.js';
import type { RequestContext, UserInfo } from './context.js';
import type { Authorizer, VirtualHandler } from './http/resource-handler.js';

interface ResourceAttributes { namespace?: string; verb?: string; group?: string; resource?: string; subresource?: string; name?: string }
interface NonResourceAttributes { path?: string; verb?: string }
interface ReviewSpec { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: NonResourceAttributes; user?: string; groups?: string[]; uid?: string; extra?: Record<string, string[]>; namespace?: string }

/** Authenticates a bearer token for TokenReview. */
export type TokenAuthenticator = (token: string, audiences?: string[]) => Promise<UserInfo | undefined>;

/**
 * The resources that are answers, not storage: access reviews ask the authorizer, token reviews
 * ask the authenticator, SelfSubjectReview echoes the caller.
 */
export function virtualHandlers(authorizer: Authorizer, authenticateToken: TokenAuthenticator): Record<string, VirtualHandler> {
  async function review(user: UserInfo, spec: ReviewSpec) {
    const ra = spec.resourceAttributes;
    if (!ra && !spec.nonResourceAttributes) throw badRequest('exactly one of nonResourceAttributes or resourceAttributes must be specified');
    const decision = await authorizer.authorize(user, {
      verb: ra?.verb ?? spec.nonResourceAttributes?.verb ?? '', group: ra?.group ?? '', resource: ra?.resource ?? '',
      subresource: ra?.subresource ?? '', namespace: ra?.namespace ?? '', name: ra?.name ?? '',
    });
    const status: Record<string, unknown> = { allowed: decision.allowed };
    if (decision.reason) status.reason = decision.reason;
    return status;
  }
  const answer = (def: ResourceDefinition, body: KubeObject, status: unknown): KubeObject => {
    const out = { ...structuredClone(body), status } as KubeObject;
    out.apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
    out.kind = def.kind;
    out.metadata = { ...(out.metadata ?? {}), creationTimestamp: null as unknown as string };
    return out;
  };
  const specOf = (body: KubeObject) => (fieldsOf(body).spec ?? {}) as ReviewSpec;

  return {
    'authorization.k8s.io/selfsubjectaccessreviews': async (def, body, ctx: RequestContext) => answer(def, body, await review(ctx.user, specOf(body))),
    'authorization.k8s.io/localsubjectaccessreviews': async (def, body) => {
      const spec = specOf(body);
      const ns = body.metadata?.namespace;
      if (spec.resourceAttributes && ns) spec.resourceAttributes.namespace = ns;
      return answer(def, body, await review({ username: spec.user ?? '', groups: spec.groups ?? [], uid: spec.uid, extra: spec.extra }, spec));
    },
    'authorization.k8s.io/subjectaccessreviews': async (def, body) => {
      const spec = specOf(body);
      return answer(def, body, await review({ username: spec.user ?? '', groups: spec.groups ?? [], uid: spec.uid, extra: spec.extra }, spec));
    },
    'authorization.k8s.io/selfsubjectrulesreviews': async (def, body, ctx) => {
      const spec = specOf(body);
      const decision = await authorizer.authorize(ctx.user, { verb: '*', group: '*', resource: '*', subresource: '', namespace: spec.namespace ?? '', name: '' });
      const status = decision.allowed
        ? { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false }
        : { resourceRules: [], nonResourceRules: [], incomplete: true, evaluationError: decision.reason ?? '' };
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

/** Every authenticated user may do everything until RBAC lands (a later issue): the seam. */
export const allowAuthenticated: Authorizer = {
  async authorize(user) {
    return user.groups.includes('system:authenticated') || user.groups.includes('system:masters')
      ? { allowed: true }
      : { allowed: false, reason: 'not authenticated' };
  },
};
