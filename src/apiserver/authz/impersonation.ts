import type { IncomingHttpHeaders } from 'node:http';
import { internal } from '../../api/errors.js';
import type { UserInfo } from '../context.js';
import { resourceAttributes, type Attributes } from './attributes.js';
import type { Authorizer } from './authorizer.js';
import { forbiddenError } from './forbidden.js';

const userHeader = 'impersonate-user';
const groupHeader = 'impersonate-group';
const uidHeader = 'impersonate-uid';
const extraPrefix = 'impersonate-extra-';
const serviceAccountPrefix = 'system:serviceaccount:';
const anonymous = 'system:anonymous';

/** Header values one by one (Node joins repeated headers with ", " in `headers`, not in `headersDistinct`). */
export type DistinctHeaders = Record<string, string[] | undefined>;

/** True when the request asks to act as someone else. */
export function hasImpersonation(headers: IncomingHttpHeaders): boolean {
  for (const k of Object.keys(headers)) if (k.startsWith('impersonate-')) return true;
  return false;
}

/**
 * The impersonation filter (endpoints/filters/impersonation.go): `Impersonate-User`, `-Group`,
 * `-Uid` and `-Extra-<key>` become the request's user once the requestor may `impersonate` each
 * of them (users, groups, serviceaccounts, uids, userextras/<key>); a 403 otherwise.
 */
export function impersonate(headers: DistinctHeaders, requestor: UserInfo, authorizer: Authorizer): UserInfo {
  const checks: Attributes[] = [];
  const requestedUser = headers[userHeader]?.[0] ?? '';
  const groupValues = headers[groupHeader] ?? [];
  const requestedUid = headers[uidHeader]?.[0] ?? '';
  const extraValues: Array<[string, string[]]> = [];
  for (const [name, values] of Object.entries(headers)) {
    if (!name.startsWith(extraPrefix) || !values) continue;
    extraValues.push([unescapeExtraKey(name.slice(extraPrefix.length).toLowerCase()), values]);
  }
  if (!requestedUser && (groupValues.length > 0 || extraValues.length > 0 || requestedUid)) {
    throw internal(new Error('impersonation'), `Internal Server Error: requested impersonation of groups, extra or uid without impersonating a user`);
  }
  if (!requestedUser) return requestor;

  let username = requestedUser;
  let groups: string[] = [];
  const sa = splitServiceAccount(requestedUser);
  if (sa) {
    checks.push(resourceAttributes(requestor, { verb: 'impersonate', resource: 'serviceaccounts', namespace: sa.namespace, name: sa.name, apiVersion: 'v1' }));
    if (groupValues.length === 0) groups = ['system:serviceaccounts', `system:serviceaccounts:${sa.namespace}`];
  } else {
    checks.push(resourceAttributes(requestor, { verb: 'impersonate', resource: 'users', name: requestedUser, apiVersion: 'v1' }));
    username = requestedUser;
  }
  for (const g of groupValues) {
    checks.push(resourceAttributes(requestor, { verb: 'impersonate', resource: 'groups', name: g, apiVersion: 'v1' }));
    groups.push(g);
  }
  const extra: Record<string, string[]> = {};
  for (const [key, values] of extraValues) {
    for (const v of values) {
      checks.push(resourceAttributes(requestor, { verb: 'impersonate', apiGroup: 'authentication.k8s.io', apiVersion: 'v1', resource: 'userextras', subresource: key, name: v }));
      (extra[key] ??= []).push(v);
    }
  }
  if (requestedUid) checks.push(resourceAttributes(requestor, { verb: 'impersonate', apiGroup: 'authentication.k8s.io', apiVersion: 'v1', resource: 'uids', name: requestedUid }));

  for (const a of checks) {
    const r = authorizer.authorize(a);
    if (r.decision !== 'Allow') throw forbiddenError(a, r.reason);
  }

  if (username !== anonymous) {
    if (!groups.includes('system:authenticated') && !groups.includes('system:unauthenticated')) groups.push('system:authenticated');
  } else if (!groups.includes('system:unauthenticated')) {
    groups.push('system:unauthenticated');
  }
  const user: UserInfo = { username, groups };
  if (requestedUid) user.uid = requestedUid;
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}

function splitServiceAccount(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(serviceAccountPrefix)) return undefined;
  const parts = username.slice(serviceAccountPrefix.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}

/** Extra keys are percent-encoded in header names (`Impersonate-Extra-example.com%2fkey`). */
function unescapeExtraKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch (err) {
    if (err instanceof URIError) return encoded;   // upstream keeps a key it cannot unescape as sent
    throw err;
  }
}
