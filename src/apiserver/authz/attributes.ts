import type { UserInfo } from '../context.js';
import type { RequestInfo } from '../http/request-info.js';
import { FieldSelectorParseError, parseFieldSelector, requiresExactMatch } from '../../api/selectors/index.js';
import { isValidPathSegmentName } from '../../api/validation/index.js';

/** What one request asks to do, as the authorizers see it (authorizer.Attributes). */
export interface Attributes {
  user: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  /** The URL path, for non-resource requests. */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

/** Resource attributes for a check made by the server itself (bind, escalate, impersonate, access reviews). */
export function resourceAttributes(user: UserInfo, a: { verb: string; apiGroup?: string; apiVersion?: string; resource: string; subresource?: string; namespace?: string; name?: string }): Attributes {
  return {
    user, verb: a.verb, isResourceRequest: true, path: '',
    apiGroup: a.apiGroup ?? '', apiVersion: a.apiVersion ?? '', resource: a.resource,
    subresource: a.subresource ?? '', namespace: a.namespace ?? '', name: a.name ?? '',
  };
}

export function nonResourceAttributes(user: UserInfo, verb: string, path: string): Attributes {
  return { user, verb, isResourceRequest: false, path, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
}

/**
 * The attributes of an HTTP request (GetAuthorizerAttributes over RequestInfoFactory), correcting
 * what the router reads differently: `/api/v1/namespaces/NAME` is in namespace NAME; a list or
 * watch with `fieldSelector=metadata.name=X` names X; `?watch=true` on a named GET stays a get.
 */
export function requestAttributes(user: UserInfo, info: RequestInfo, query: URLSearchParams): Attributes {
  if (!info.isResourceRequest) return nonResourceAttributes(user, info.verb, info.path);
  let { verb, name, namespace } = info;
  if (verb === 'watch' && name && !/\/watch\//.test(info.path)) verb = 'get';
  if ((verb === 'list' || verb === 'watch') && !name) {
    const selector = query.get('fieldSelector');
    if (selector) {
      try {
        const exact = requiresExactMatch(parseFieldSelector(selector), 'metadata.name');
        if (exact !== undefined && isValidPathSegmentName(exact).length === 0) name = exact;
      } catch (err) {
        // An unparsable selector names nothing here; the handler answers it with 400.
        if (!(err instanceof FieldSelectorParseError)) throw err;
      }
    }
  }
  if (info.group === '' && info.resource === 'namespaces' && info.name) namespace = info.name;
  return {
    user, verb, isResourceRequest: true, path: info.path,
    apiGroup: info.group, apiVersion: info.version, resource: info.resource, subresource: info.subresource, namespace, name,
  };
}
