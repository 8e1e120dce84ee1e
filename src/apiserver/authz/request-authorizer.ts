import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../context.js';
import { requestInfo } from '../http/request-info.js';
import { requestAttributes } from './attributes.js';
import type { Authorizer } from './authorizer.js';
import { forbiddenError } from './forbidden.js';
import { hasImpersonation, impersonate } from './impersonation.js';

/**
 * The filters between authentication and the handlers (WithImpersonation, then WithAuthorization):
 * returns the user the request acts as, or throws the 403 Status upstream answers.
 */
export function requestAuthorizer(authorizer: Authorizer) {
  return function authorizeRequest(req: IncomingMessage, authenticated: UserInfo, path: string, query: URLSearchParams): UserInfo {
    const user = hasImpersonation(req.headers) ? impersonate(req.headersDistinct, authenticated, authorizer) : authenticated;
    const attrs = requestAttributes(user, requestInfo(req.method ?? 'GET', path, query), query);
    const r = authorizer.authorize(attrs);
    if (r.decision !== 'Allow') throw forbiddenError(attrs, r.reason);
    return user;
  };
}
