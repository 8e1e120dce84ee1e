import { StatusError, statusError } from '../../api/errors.js';
import type { StatusDetails } from '../../api/types.js';
import type { Attributes } from './attributes.js';

/** responsewriters.forbiddenMessage: what the user may not do, and where. */
export function forbiddenMessage(a: Attributes): string {
  const user = a.user.username;
  if (!a.isResourceRequest) return `User "${user}" cannot ${a.verb} path "${a.path}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `User "${user}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${where}`;
}

/**
 * The 403 kube-apiserver answers a request its authorizers did not allow (responsewriters.Forbidden
 * → apierrors.NewForbidden): `pods "x" is forbidden: User "u" cannot get resource "pods" …`.
 */
export function forbiddenError(a: Attributes, reason: string): StatusError {
  const why = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  const qualified = a.resource ? (a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource) : '';
  const details: StatusDetails = {};
  if (a.name) details.name = a.name;
  if (a.apiGroup) details.group = a.apiGroup;
  if (a.resource) details.kind = a.resource;
  let message: string;
  if (!qualified) message = `forbidden: ${why}`;
  else if (!a.name) message = `${qualified} is forbidden: ${why}`;
  else message = `${qualified} "${a.name}" is forbidden: ${why}`;
  return statusError(403, 'Forbidden', message, details);
}
