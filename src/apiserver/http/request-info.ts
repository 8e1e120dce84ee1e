/** What a request path and method mean, as kube-apiserver's RequestInfoFactory reads them. */
export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  verb: string;
  /** 'api' or 'apis' for resource requests. */
  apiPrefix?: string;
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Path segments after the subresource (pods/proxy/<path>). */
  rest: string[];
}

const methodVerbs: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete', GET: 'get', HEAD: 'get' };

export function requestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  const base: RequestInfo = { isResourceRequest: false, path, verb: method.toLowerCase(), group: '', version: '', namespace: '', resource: '', subresource: '', name: '', rest: [] };
  if (parts.length === 0 || (parts[0] !== 'api' && parts[0] !== 'apis')) return base;
  const apiPrefix = parts[0]!;
  let i = 1;
  let group = '';
  if (apiPrefix === 'apis') {
    if (parts.length < 3) return { ...base, apiPrefix, group: parts[1] ?? '' };
    group = parts[i++]!;
  }
  if (parts.length <= i) return { ...base, apiPrefix };
  const version = parts[i++]!;
  if (parts.length <= i) return { ...base, apiPrefix, group, version };
  let rest = parts.slice(i);
  let verb = methodVerbs[method] ?? method.toLowerCase();
  let watchPath = false;
  if (rest[0] === 'watch') { watchPath = true; rest = rest.slice(1); }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length >= 2) {
    namespace = rest[1]!;
    if (rest.length > 2) rest = rest.slice(2);
    else rest = ['namespaces', namespace];
    if (rest[0] === 'namespaces' && rest.length === 2) namespace = '';
  }
  // /api/v1/namespaces/{name}/{status|finalize}: the namespace itself.
  if (namespace && rest.length === 1 && (rest[0] === 'status' || rest[0] === 'finalize')) {
    rest = ['namespaces', namespace, rest[0]!];
    namespace = '';
  }
  const resource = rest[0] ?? '';
  const name = rest[1] ?? '';
  const subresource = rest[2] ?? '';
  const tail = rest.slice(3);
  if (verb === 'get' && !name) verb = 'list';
  if (verb === 'delete' && !name) verb = 'deletecollection';
  if (watchPath || ((verb === 'list' || verb === 'get') && isTrue(query.get('watch')))) verb = 'watch';
  return { isResourceRequest: true, path, verb, apiPrefix, group, version, namespace, resource, subresource, name, rest: tail };
}

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}
