import type { ResourceDefinition } from '../resource.js';
import type { GroupVersionKind } from '../types.js';
import type { Definitions } from './definitions.js';

/**
 * The REST paths and operations of resources, as the upstream OpenAPI documents list them —
 * one model rendered by both `/openapi/v2` (Swagger 2.0) and `/openapi/v3` (OpenAPI 3.0).
 */

export type Method = 'get' | 'put' | 'post' | 'patch' | 'delete' | 'options' | 'head';
export type Action = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'watch' | 'watchlist' | 'connect';

export interface Parameter {
  name: string;
  in: 'query' | 'path';
  description: string;
  type: 'string' | 'boolean' | 'integer';
  required?: boolean;
}

export interface Response {
  code: '200' | '201' | '202' | '401';
  description: string;
  /** Definition name of the body, or 'string' for plain text (logs, connect). */
  schema?: string;
}

export interface Operation {
  method: Method;
  operationId: string;
  description: string;
  action: Action;
  gvk?: GroupVersionKind;
  parameters: Parameter[];
  /** Definition name of the request body. */
  body?: string;
  bodyRequired?: boolean;
  consumes: readonly string[];
  produces: readonly string[];
  responses: Response[];
  tag: string;
}

export interface PathItem {
  path: string;
  parameters: Parameter[];
  operations: Operation[];
}

const statusDef = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const deleteOptionsDef = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const patchDef = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
const watchEventDef = 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent';
const scaleDef = 'io.k8s.api.autoscaling.v1.Scale';

const objectMedia = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'] as const;
const listMedia = [...objectMedia, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'] as const;
const anyMedia = ['*/*'] as const;
export const patchMedia = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'] as const;

// Parameter texts are our own wording of what the apiserver does with each.
const p = (name: string, type: Parameter['type'], description: string): Parameter => ({ name, in: 'query', type, description });
const params = {
  pretty: p('pretty', 'string', "If 'true', the output is pretty printed."),
  allowWatchBookmarks: p('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK events on a watch; the server may send them at any time or not at all.'),
  continue: p('continue', 'string', 'The continue token of a previous paginated list, to fetch the next page.'),
  fieldSelector: p('fieldSelector', 'string', 'Only return objects whose fields match this selector. Defaults to everything.'),
  labelSelector: p('labelSelector', 'string', 'Only return objects whose labels match this selector. Defaults to everything.'),
  limit: p('limit', 'integer', 'The most items to return; the list metadata carries a continue token when more remain.'),
  resourceVersion: p('resourceVersion', 'string', 'Which version of the data may answer the request; see resourceVersionMatch. Defaults to the most recent.'),
  resourceVersionMatch: p('resourceVersionMatch', 'string', 'How resourceVersion applies to a list: Exact or NotOlderThan.'),
  sendInitialEvents: p('sendInitialEvents', 'boolean', 'With watch=true, start the stream with synthetic ADDED events for the current state, then a bookmark.'),
  timeoutSeconds: p('timeoutSeconds', 'integer', 'Time limit of the list or watch call, in seconds.'),
  watch: p('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update and remove notifications.'),
  dryRun: p('dryRun', 'string', 'When present (All), the request is processed fully but nothing is persisted.'),
  fieldManager: p('fieldManager', 'string', 'Name of the actor making the change, recorded in managedFields. Required for apply patches.'),
  fieldValidation: p('fieldValidation', 'string', 'What the server does with unknown or duplicate fields in the body: Ignore (drop them), Warn (drop them and answer with a Warning header per field; the default) or Strict (refuse the request with 400 BadRequest).'),
  force: p('force', 'boolean', 'Apply requests only: take ownership of fields other managers own instead of failing with a conflict.'),
  gracePeriodSeconds: p('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; 0 deletes at once; unset uses the default of the type.'),
  orphanDependents: p('orphanDependents', 'boolean', 'Deprecated, use propagationPolicy: whether dependents are orphaned.'),
  propagationPolicy: p('propagationPolicy', 'string', 'Garbage collection of dependents: Orphan, Background or Foreground.'),
};
const listParams = [params.allowWatchBookmarks, params.continue, params.fieldSelector, params.labelSelector, params.limit, params.resourceVersion, params.resourceVersionMatch, params.sendInitialEvents, params.timeoutSeconds, params.watch];
const writeParams = [params.dryRun, params.fieldManager, params.fieldValidation];
const deleteParams = [params.dryRun, params.gracePeriodSeconds, params.orphanDependents, params.propagationPolicy];
const deleteCollectionParams = [params.continue, params.dryRun, params.fieldSelector, params.gracePeriodSeconds, params.labelSelector, params.limit, params.orphanDependents, params.propagationPolicy, params.resourceVersion, params.resourceVersionMatch, params.sendInitialEvents, params.timeoutSeconds];

const logParams = [
  p('container', 'string', 'The container whose log to return; defaults to the only container of the pod.'),
  p('follow', 'boolean', 'Keep streaming the log as it grows.'),
  p('insecureSkipTLSVerifyBackend', 'boolean', "Do not verify the kubelet's serving certificate when fetching the log."),
  p('limitBytes', 'integer', 'Stop after this many bytes of log.'),
  p('previous', 'boolean', 'Return the log of the previous, terminated container.'),
  p('sinceSeconds', 'integer', 'Only lines newer than this many seconds.'),
  p('tailLines', 'integer', 'Only this many lines from the end of the log.'),
  p('timestamps', 'boolean', 'Prefix every line with an RFC3339 timestamp.'),
];
const connectParams: Record<string, Parameter[]> = {
  exec: [
    p('command', 'string', 'The command to run, one argv element per parameter; not run in a shell.'),
    p('container', 'string', 'The container to run it in; defaults to the only container of the pod.'),
    p('stderr', 'boolean', 'Stream the standard error of the command.'),
    p('stdin', 'boolean', 'Stream the standard input of the command.'),
    p('stdout', 'boolean', 'Stream the standard output of the command.'),
    p('tty', 'boolean', 'Allocate a terminal for the command.'),
  ],
  attach: [
    p('container', 'string', 'The container to attach to; defaults to the only container of the pod.'),
    p('stderr', 'boolean', 'Stream the standard error of the container.'),
    p('stdin', 'boolean', 'Stream the standard input of the container.'),
    p('stdout', 'boolean', 'Stream the standard output of the container.'),
    p('tty', 'boolean', 'The container runs with a terminal.'),
  ],
  portforward: [p('ports', 'integer', 'The ports of the pod to forward.')],
  proxy: [p('path', 'string', 'The path of the request to proxy.')],
};

/** `apps` → `Apps`, `rbac.authorization.k8s.io` → `RbacAuthorization`, core → `Core`. */
export function groupPart(group: string): string {
  if (!group) return 'Core';
  return group.replace(/\.k8s\.io$/, '').split(/[.-]/).map(capitalize).join('');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `/api/v1` or `/apis/<group>/<version>`. */
export function groupVersionPath(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

/** `api/v1`, `apis/apps/v1`: the keys of the /openapi/v3 index. */
export function groupVersionKey(group: string, version: string): string {
  return groupVersionPath(group, version).slice(1);
}

/** The definition of a resource's kind: its declared schema, else the one tagged with its GVK (CRDs). */
export function kindDefinition(res: ResourceDefinition, defs: Definitions): string | undefined {
  if (res.schema && defs.has(res.schema)) return res.schema;
  return defs.nameOf({ group: res.group, version: res.version, kind: res.kind });
}

/** Every path of one resource with its operations, in upstream order and naming. */
export function resourcePaths(res: ResourceDefinition, defs: Definitions): PathItem[] {
  const base = groupVersionPath(res.group, res.version);
  const namespaced = res.scope === 'Namespaced';
  const gv = `${groupPart(res.group)}${capitalize(res.version)}`;
  const ns = namespaced ? 'Namespaced' : '';
  const kindDef = kindDefinition(res, defs);
  const listDef = kindDef && defs.has(`${kindDef}List`) ? `${kindDef}List` : undefined;
  const gvk: GroupVersionKind = { group: res.group, version: res.version, kind: res.kind };
  const tag = `${groupPart(res.group).toLowerCase()}_${res.version}`;
  const verbs = new Set(res.verbs);
  const scopeParams: Parameter[] = namespaced ? [{ name: 'namespace', in: 'path', type: 'string', required: true, description: 'object name and auth scope, such as for teams and projects' }] : [];
  const nameParam = (of: string): Parameter => ({ name: 'name', in: 'path', type: 'string', required: true, description: `name of the ${of}` });
  const collection = namespaced ? `${base}/namespaces/{namespace}/${res.plural}` : `${base}/${res.plural}`;
  const item = `${collection}/{name}`;
  const ok = (schema?: string): Response => ({ code: '200', description: 'OK', schema });
  const created = (schema?: string): Response => ({ code: '201', description: 'Created', schema });
  const accepted = (schema?: string): Response => ({ code: '202', description: 'Accepted', schema });
  const unauthorized: Response = { code: '401', description: 'Unauthorized' };
  const op = (o: Omit<Operation, 'tag' | 'consumes' | 'produces'> & Partial<Pick<Operation, 'consumes' | 'produces'>>): Operation => ({
    consumes: anyMedia, produces: objectMedia, tag, ...o,
  });
  const items: PathItem[] = [];

  if (res.virtual) {
    items.push({ path: collection, parameters: [...scopeParams, params.pretty], operations: [op({
      method: 'post', operationId: `create${gv}${ns}${res.kind}`, description: `create a ${res.kind}`, action: 'post', gvk,
      parameters: writeParams, body: kindDef, bodyRequired: true, responses: [ok(kindDef), created(kindDef), accepted(kindDef), unauthorized],
    })] });
    return items;
  }

  const collectionOps: Operation[] = [];
  if (verbs.has('list')) collectionOps.push(op({
    method: 'get', operationId: `list${gv}${ns}${res.kind}`, description: `list or watch objects of kind ${res.kind}`, action: 'list', gvk,
    parameters: listParams, produces: listMedia, responses: [ok(listDef), unauthorized],
  }));
  if (verbs.has('create')) collectionOps.push(op({
    method: 'post', operationId: `create${gv}${ns}${res.kind}`, description: `create a ${res.kind}`, action: 'post', gvk,
    parameters: writeParams, body: kindDef, bodyRequired: true, responses: [ok(kindDef), created(kindDef), accepted(kindDef), unauthorized],
  }));
  if (verbs.has('deletecollection')) collectionOps.push(op({
    method: 'delete', operationId: `deleteCollection${gv}${ns}${res.kind}`, description: `delete collection of ${res.kind}`, action: 'deletecollection', gvk,
    parameters: deleteCollectionParams, body: deleteOptionsDef, responses: [ok(statusDef), unauthorized],
  }));
  if (collectionOps.length > 0) items.push({ path: collection, parameters: [...scopeParams, params.pretty], operations: collectionOps });

  const itemOps: Operation[] = [];
  if (verbs.has('get')) itemOps.push(op({
    method: 'get', operationId: `read${gv}${ns}${res.kind}`, description: `read the specified ${res.kind}`, action: 'get', gvk,
    parameters: [], responses: [ok(kindDef), unauthorized],
  }));
  if (verbs.has('update')) itemOps.push(op({
    method: 'put', operationId: `replace${gv}${ns}${res.kind}`, description: `replace the specified ${res.kind}`, action: 'put', gvk,
    parameters: writeParams, body: kindDef, bodyRequired: true, responses: [ok(kindDef), created(kindDef), unauthorized],
  }));
  if (verbs.has('delete')) itemOps.push(op({
    method: 'delete', operationId: `delete${gv}${ns}${res.kind}`, description: `delete a ${res.kind}`, action: 'delete', gvk,
    parameters: deleteParams, body: deleteOptionsDef, responses: [ok(statusDef), accepted(statusDef), unauthorized],
  }));
  if (verbs.has('patch')) itemOps.push(op({
    method: 'patch', operationId: `patch${gv}${ns}${res.kind}`, description: `partially update the specified ${res.kind}`, action: 'patch', gvk,
    parameters: [...writeParams, params.force], body: patchDef, bodyRequired: true, consumes: patchMediaOf(res, defs),
    responses: [ok(kindDef), created(kindDef), unauthorized],
  }));
  if (itemOps.length > 0) items.push({ path: item, parameters: [nameParam(res.kind), ...scopeParams, params.pretty], operations: itemOps });

  const sub = (name: string, subGvk: GroupVersionKind, bodyDef: string | undefined, suffix: string, what: string): PathItem => ({
    path: `${item}/${name}`, parameters: [nameParam(what), ...scopeParams, params.pretty], operations: [
      op({ method: 'get', operationId: `read${gv}${ns}${res.kind}${suffix}`, description: `read ${name} of the specified ${res.kind}`, action: 'get', gvk: subGvk, parameters: [], responses: [ok(bodyDef), unauthorized] }),
      op({ method: 'put', operationId: `replace${gv}${ns}${res.kind}${suffix}`, description: `replace ${name} of the specified ${res.kind}`, action: 'put', gvk: subGvk, parameters: writeParams, body: bodyDef, bodyRequired: true, responses: [ok(bodyDef), created(bodyDef), unauthorized] }),
      op({ method: 'patch', operationId: `patch${gv}${ns}${res.kind}${suffix}`, description: `partially update ${name} of the specified ${res.kind}`, action: 'patch', gvk: subGvk, parameters: [...writeParams, params.force], body: patchDef, bodyRequired: true, consumes: patchMediaOf(res, defs), responses: [ok(bodyDef), created(bodyDef), unauthorized] }),
    ],
  });
  if (res.subresources.scale) items.push(sub('scale', { group: 'autoscaling', version: 'v1', kind: 'Scale' }, scaleDef, 'Scale', 'Scale'));
  if (res.subresources.status) items.push(sub('status', gvk, kindDef, 'Status', res.kind));
  for (const name of res.subresources.other ?? []) items.push(...otherSubresource(name));

  if (verbs.has('watch')) {
    const watchBase = namespaced ? `${base}/watch/namespaces/{namespace}/${res.plural}` : `${base}/watch/${res.plural}`;
    const watchOp = (action: 'watch' | 'watchlist', id: string, description: string): Operation => op({
      method: 'get', operationId: id, description, action, gvk, parameters: [], produces: listMedia, responses: [ok(watchEventDef), unauthorized],
    });
    items.push({ path: watchBase, parameters: [...listParams, ...scopeParams, params.pretty], operations: [watchOp('watchlist', `watch${gv}${ns}${res.kind}List`, `watch individual changes to a list of ${res.kind}. deprecated: use the 'watch' parameter with a list operation instead.`)] });
    items.push({ path: `${watchBase}/{name}`, parameters: [...listParams, nameParam(res.kind), ...scopeParams, params.pretty], operations: [watchOp('watch', `watch${gv}${ns}${res.kind}`, `watch changes to an object of kind ${res.kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`)] });
    if (namespaced) items.push({ path: `${base}/watch/${res.plural}`, parameters: [...listParams, params.pretty], operations: [watchOp('watchlist', `watch${gv}${res.kind}ListForAllNamespaces`, `watch individual changes to a list of ${res.kind}. deprecated: use the 'watch' parameter with a list operation instead.`)] });
  }
  if (namespaced && verbs.has('list')) {
    items.push({ path: `${base}/${res.plural}`, parameters: [...listParams, params.pretty], operations: [op({
      method: 'get', operationId: `list${gv}${res.kind}ForAllNamespaces`, description: `list or watch objects of kind ${res.kind}`, action: 'list', gvk,
      parameters: [], produces: listMedia, responses: [ok(listDef), unauthorized],
    })] });
  }
  return items;

  function otherSubresource(name: string): PathItem[] {
    const suffix = capitalize(name);
    const path = `${item}/${name}`;
    const base: Parameter[] = [nameParam(`${res.kind}${suffix}Options`), ...scopeParams];
    switch (name) {
      case 'log':
        return [{ path, parameters: [nameParam(res.kind), ...scopeParams, params.pretty], operations: [op({
          method: 'get', operationId: `read${gv}${ns}${res.kind}Log`, description: `read log of the specified ${res.kind}`, action: 'get', gvk,
          parameters: logParams, produces: ['text/plain', ...objectMedia], responses: [ok('string'), unauthorized],
        })] }];
      case 'exec': case 'attach': case 'portforward': case 'proxy': {
        const optionsGvk = { group: res.group, version: res.version, kind: `${res.kind}${name === 'portforward' ? 'PortForward' : suffix}Options` };
        const methods: Method[] = name === 'proxy' ? ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] : ['get', 'post'];
        const connect = (m: Method, extra: string): Operation => op({
          method: m, operationId: `connect${gv}${capitalize(m)}${ns}${res.kind}${name === 'portforward' ? 'Portforward' : suffix}${extra}`,
          description: `connect ${m.toUpperCase()} requests to ${name} of ${res.kind}`, action: 'connect', gvk: optionsGvk,
          parameters: [], produces: anyMedia, responses: [ok('string'), unauthorized],
        });
        const out: PathItem[] = [{ path, parameters: [...connectParams[name] ?? [], ...base], operations: methods.map((m) => connect(m, '')) }];
        if (name === 'proxy') out.push({ path: `${path}/{path}`, parameters: [...base, { name: 'path', in: 'path', type: 'string', required: true, description: 'path to the resource' }, ...connectParams.proxy ?? []], operations: methods.map((m) => connect(m, 'WithPath')) });
        return out;
      }
      case 'binding': case 'eviction': case 'token': {
        const target: Record<string, [GroupVersionKind, string]> = {
          binding: [{ group: '', version: 'v1', kind: 'Binding' }, 'io.k8s.api.core.v1.Binding'],
          eviction: [{ group: 'policy', version: 'v1', kind: 'Eviction' }, 'io.k8s.api.policy.v1.Eviction'],
          token: [{ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }, 'io.k8s.api.authentication.v1.TokenRequest'],
        };
        const [subGvk, def] = target[name] as [GroupVersionKind, string];
        return [{ path, parameters: [nameParam(subGvk.kind), ...scopeParams, params.pretty], operations: [op({
          method: 'post', operationId: `create${gv}${ns}${res.kind}${suffix}`, description: `create ${name} of a ${res.kind}`, action: 'post', gvk: subGvk,
          parameters: writeParams, body: def, bodyRequired: true, responses: [ok(def), created(def), accepted(def), unauthorized],
        })] }];
      }
      default:
        return [sub(name, gvk, kindDef, suffix, res.kind)];
    }
  }
}

/** Custom resources do not take strategic merge patches. */
function patchMediaOf(res: ResourceDefinition, defs: Definitions): readonly string[] {
  const builtin = res.schema !== undefined && defs.has(res.schema);
  return builtin ? patchMedia : patchMedia.filter((m) => m !== 'application/strategic-merge-patch+json');
}
