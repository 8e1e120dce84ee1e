import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ResourceDefinition } from '../../api/resource.js';
import type { KubeObject, WatchEvent } from '../../api/types.js';
import { apiVersionOf, parseApiVersion } from '../../api/types.js';
import { StatusError, badRequest, methodNotAllowed, notAcceptable, notFound, statusError, unsupportedMediaType } from '../../api/errors.js';
import type { Clock } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import type { FieldValidation, RequestContext, UserInfo } from '../context.js';
import type { RestStorage, DeleteParams } from '../registry/rest-storage.js';
import type { ResourceIndex } from '../registry/resource-index.js';
import { parseSelection } from '../registry/selection.js';
import { getScale, scaleMutation } from '../registry/scale.js';
import type { RequestInfo } from './request-info.js';
import { type MediaType, negotiateObject, parseAccept } from './negotiate.js';
import { contentTypeOf, decodeObjectBody, parseJson, readBody, type ProtobufDecoder } from './body.js';
import { sendJson, sendJsonList, sendJsonText, warningHeaders } from './respond.js';
import { type IncludeObject, partialObjectMetadata, toTable } from './table.js';

export type PatchKind = 'json' | 'merge' | 'strategic' | 'apply';

/** Applies a PATCH body to the current object (undefined: apply-patch on a missing object). */
export type Patcher = (type: PatchKind, def: ResourceDefinition, current: KubeObject | undefined, body: Buffer, ctx: RequestContext & { force: boolean }) => KubeObject;

/** Schema checks on a decoded body: unknown/duplicate fields and type errors per fieldValidation. */
export type FieldChecker = (def: ResourceDefinition, obj: Record<string, unknown>, text: string | undefined, ctx: RequestContext) => void;

/** Subresources served by other components (log, exec, attach, portforward, proxy, binding, eviction, token). */
export type SubresourceHandler = (req: IncomingMessage, res: ServerResponse, def: ResourceDefinition, info: RequestInfo, ctx: RequestContext) => Promise<void>;

/**
 * Subresources reached by an HTTP Upgrade (exec, attach, portforward over SPDY or WebSocket): the
 * handler owns the socket from here on.
 */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, def: ResourceDefinition, info: RequestInfo, ctx: RequestContext) => Promise<void>;

/** Resources answered by computation, not storage (access reviews, token reviews). */
export type VirtualHandler = (def: ResourceDefinition, body: KubeObject, ctx: RequestContext) => Promise<KubeObject>;

export interface ResourceHandlerDeps {
  index: ResourceIndex;
  rest: RestStorage;
  clock: Clock;
  log: Logger;
  patch: Patcher;
  checkFields: FieldChecker;
  protobuf?: ProtobufDecoder;
  subresources: Record<string, SubresourceHandler>;
  /** Keyed like `subresources`: `<group>/<plural>/<subresource>`. */
  upgrades: Record<string, UpgradeHandler>;
  virtual: Record<string, VirtualHandler>;
  /** Upstream ends idle watches after 30–60 minutes; tests may shorten it. */
  defaultWatchTimeoutSeconds?: number;
}

const patchTypes: Record<string, PatchKind> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** Serves every request under /api and /apis that names a resource. */
export function resourceHandler(deps: ResourceHandlerDeps) {
  const { index, rest, clock } = deps;
  /**
   * JSON of shared watch-event objects, written once for every watcher. Watchers get an event in
   * the same turn, so the JSON is kept for that turn only: the objects themselves live on in the
   * watch cache, and their JSON must not (it would double the memory of every watched object).
   */
  let serialized = new WeakMap<object, string>();
  let forgetScheduled = false;
  const remember = (object: object, json: string) => {
    serialized.set(object, json);
    if (forgetScheduled) return;
    forgetScheduled = true;
    setImmediate(() => { serialized = new WeakMap(); forgetScheduled = false; });
  };
  /** JSON of a (shared) object: a write's answer is the object its watch events carry. */
  const jsonOf = (object: object): string => {
    let json = serialized.get(object);
    if (json === undefined) remember(object, (json = JSON.stringify(object)));
    return json;
  };

  /** An Upgrade request for a resource path: only streaming subresources take one. */
  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, info: RequestInfo, query: URLSearchParams, user: UserInfo): Promise<void> {
    const def = index.lookup(info.group, info.version, info.resource);
    const handler = def && info.subresource && (def.subresources.other ?? []).includes(info.subresource)
      ? deps.upgrades[`${def.group}/${def.plural}/${info.subresource}`] : undefined;
    if (!def || !handler) throw statusError(404, 'NotFound', 'the server could not find the requested resource');
    void query;
    await handler(req, socket, head, def, info, { user });
  }

  return { handle, upgrade };

  async function handle(req: IncomingMessage, res: ServerResponse, info: RequestInfo, query: URLSearchParams, user: UserInfo): Promise<void> {
    const def = index.lookup(info.group, info.version, info.resource);
    if (!def) throw statusError(404, 'NotFound', 'the server could not find the requested resource');
    if (def.scope === 'Cluster' && info.namespace) throw statusError(404, 'NotFound', 'the server could not find the requested resource');
    const ctx: RequestContext = {
      user,
      dryRun: dryRunOf(query),
      fieldManager: query.get('fieldManager') ?? managerFromUserAgent(req.headers['user-agent']),
      fieldValidation: fieldValidationOf(query),
      warnings: [],
    };
    const accept = parseAccept(req.headers.accept);
    const ns = def.scope === 'Namespaced' ? info.namespace : '';

    if (def.virtual) {
      if (info.verb !== 'create') throw methodNotAllowed(`the server does not allow this method on the requested resource`);
      const handler = deps.virtual[`${def.group}/${def.plural}`];
      if (!handler) throw notFound({ resource: def.plural, group: def.group });
      const body = await readObject(req, def, deps, ctx);
      if (ns) body.metadata = { ...body.metadata, namespace: ns };
      const out = await handler(def, body, ctx);
      return respondObject(res, 201, def, out, accept, ctx);
    }

    if (info.subresource) return handleSubresource(req, res, def, info, query, ctx, accept, ns);

    switch (info.verb) {
      case 'get': {
        const obj = await rest.get(def, ns, info.name);
        return respondObject(res, 200, def, obj, accept, ctx, query);
      }
      case 'list': {
        const selection = parseSelection(def, query.get('labelSelector') ?? undefined, query.get('fieldSelector') ?? undefined);
        const list = await rest.list(def, ns, {
          selection,
          limit: numberParam(query, 'limit'),
          continue: query.get('continue') ?? undefined,
          resourceVersion: query.get('resourceVersion') ?? undefined,
          resourceVersionMatch: query.get('resourceVersionMatch') ?? undefined,
          // Only serialized here: the cache's shared views, no copy of every item.
          shared: true,
        });
        const view = negotiateObject(accept);
        if (!view) throw notAcceptable('only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
        if (view.view === 'Table') {
          const table = toTable(def, list.items, list.metadata, { now: clock.now(), includeObject: includeObjectOf(query), metaVersion: view.metaVersion });
          return sendJson(res, 200, table, warningHeaders(ctx.warnings));
        }
        if (view.view === 'PartialObjectMetadata') {
          return sendJsonList(res, { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${view.metaVersion}`, metadata: list.metadata, items: list.items.map((o) => partialObjectMetadata(o, view.metaVersion)) });
        }
        return sendJsonList(res, list, warningHeaders(ctx.warnings), (o) => serialized.get(o as object) ?? JSON.stringify(o));
      }
      case 'watch':
        return streamWatch(req, res, def, ns, query, accept);
      case 'create': {
        const body = await readObject(req, def, deps, ctx);
        const created = await rest.create(def, ns, body, ctx);
        return respondObject(res, 201, def, created, accept, ctx);
      }
      case 'update': {
        const body = await readObject(req, def, deps, ctx);
        const r = await rest.update(def, ns, info.name, body, ctx, { createIfMissing: def.allowCreateOnUpdate === true });
        return respondObject(res, r.created ? 201 : 200, def, r.object, accept, ctx);
      }
      case 'patch': {
        const r = await patchObject(req, def, ns, info.name, query, ctx);
        return respondObject(res, r.created ? 201 : 200, def, r.object, accept, ctx);
      }
      case 'delete': {
        const opts = await readDeleteOptions(req, query);
        const deleted = await rest.delete(def, ns, info.name, opts, ctx);
        return respondObject(res, 200, def, deleted, accept, ctx);
      }
      case 'deletecollection': {
        const opts = await readDeleteOptions(req, query);
        const selection = parseSelection(def, query.get('labelSelector') ?? undefined, query.get('fieldSelector') ?? undefined);
        const list = await rest.deleteCollection(def, ns, { selection }, opts, ctx);
        return sendJson(res, 200, list, warningHeaders(ctx.warnings));
      }
      default:
        throw methodNotAllowed(`the server does not allow this method on the requested resource`);
    }
  }

  async function handleSubresource(req: IncomingMessage, res: ServerResponse, def: ResourceDefinition, info: RequestInfo,
    query: URLSearchParams, ctx: RequestContext, accept: MediaType[], ns: string): Promise<void> {
    const sub = info.subresource;
    if (sub === 'status' && def.subresources.status) {
      switch (info.verb) {
        case 'get': return respondObject(res, 200, def, await rest.get(def, ns, info.name), accept, ctx);
        case 'update': {
          const body = await readObject(req, def, deps, ctx);
          const r = await rest.update(def, ns, info.name, body, ctx, { subresource: 'status' });
          return respondObject(res, 200, def, r.object, accept, ctx);
        }
        case 'patch': {
          const r = await patchObject(req, def, ns, info.name, query, ctx, 'status');
          return respondObject(res, 200, def, r.object, accept, ctx);
        }
        default: throw methodNotAllowed('the server does not allow this method on the requested resource');
      }
    }
    if (sub === 'scale' && def.subresources.scale) {
      const scaleSpec = def.subresources.scale;
      switch (info.verb) {
        case 'get': return sendJson(res, 200, getScale(def, scaleSpec, await rest.get(def, ns, info.name)));
        case 'update': {
          const body = (await readJson(req)) as KubeObject;
          const r = await rest.guaranteedUpdate(def, ns, info.name, ctx, scaleMutation(def, scaleSpec, () => body), {});
          return sendJson(res, 200, getScale(def, scaleSpec, r.object), warningHeaders(ctx.warnings));
        }
        case 'patch': {
          const type = patchTypeOf(req, def);
          const body = await readBody(req);
          const r = await rest.guaranteedUpdate(def, ns, info.name, ctx, scaleMutation(def, scaleSpec,
            (scale) => deps.patch(type, def, scale, body, { ...ctx, force: query.get('force') === 'true' })), {});
          return sendJson(res, 200, getScale(def, scaleSpec, r.object), warningHeaders(ctx.warnings));
        }
        default: throw methodNotAllowed('the server does not allow this method on the requested resource');
      }
    }
    if (sub === 'finalize' && def.group === '' && def.plural === 'namespaces' && info.verb === 'update') {
      const body = await readObject(req, def, deps, ctx);
      const r = await rest.update(def, '', info.name, body, ctx, { subresource: 'finalize' });
      return respondObject(res, 200, def, r.object, accept, ctx);
    }
    const handler = (def.subresources.other ?? []).includes(sub) ? deps.subresources[`${def.group}/${def.plural}/${sub}`] : undefined;
    if (!handler) throw statusError(404, 'NotFound', 'the server could not find the requested resource');
    return handler(req, res, def, info, ctx);
  }

  async function patchObject(req: IncomingMessage, def: ResourceDefinition, ns: string, name: string, query: URLSearchParams,
    ctx: RequestContext, subresource?: 'status'): Promise<{ object: KubeObject; created: boolean }> {
    const type = patchTypeOf(req, def);
    if (type === 'apply' && !ctx.fieldManager) throw badRequest('PATCH requests with apply-patch+yaml content type require the fieldManager query parameter');
    const body = await readBody(req);
    const force = query.get('force') === 'true';
    if (force && type !== 'apply') throw badRequest('force: Forbidden: may not be specified for non-apply patch');
    return rest.guaranteedUpdate(def, ns, name, ctx, (current) => {
      const patched = deps.patch(type, def, current, body, { ...ctx, force });
      if (patched === null || typeof patched !== 'object' || Array.isArray(patched)) throw badRequest('the patch did not produce an object');
      // The patched object is decoded like a body: type errors, unknown fields, Go-style nulls.
      deps.checkFields(def, patched as unknown as Record<string, unknown>, undefined, ctx);
      patched.metadata ??= {};
      if (current && patched.metadata?.resourceVersion && patched.metadata.resourceVersion !== current.metadata.resourceVersion) {
        throw statusError(409, 'Conflict', `Operation cannot be fulfilled on ${def.plural}${def.group ? '.' + def.group : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          { name, group: def.group || undefined, kind: def.plural });
      }
      if (current && patched.metadata.uid && current.metadata.uid && patched.metadata.uid !== current.metadata.uid) {
        throw statusError(409, 'Conflict', `Operation cannot be fulfilled on ${def.plural}${def.group ? '.' + def.group : ''} "${name}": Precondition failed: UID in precondition: ${patched.metadata.uid}, UID in object meta: ${current.metadata.uid}`,
          { name, group: def.group || undefined, kind: def.plural });
      }
      if (!current) delete patched.metadata?.resourceVersion;
      return patched;
    }, { subresource, createIfMissing: type === 'apply' && !subresource, operation: type === 'apply' ? 'Apply' : 'Update' });
  }

  async function streamWatch(req: IncomingMessage, res: ServerResponse, def: ResourceDefinition, ns: string, query: URLSearchParams, accept: MediaType[]): Promise<void> {
    const view = negotiateObject(accept);
    if (!view) throw notAcceptable('only the following media types are accepted: application/json');
    const selection = parseSelection(def, query.get('labelSelector') ?? undefined, query.get('fieldSelector') ?? undefined);
    const timeoutSeconds = numberParam(query, 'timeoutSeconds') ?? deps.defaultWatchTimeoutSeconds ?? (1800 + Math.floor(Math.random() * 1800));
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutSeconds * 1000);
    const onClose = () => abort.abort();
    res.on('close', onClose);
    const includeObject = includeObjectOf(query);
    let headersSent = false;
    // Events that arrive together (one store commit holds many) leave in one write: corked
    // until the event loop has handled what is ready, instead of a TLS record and a syscall each.
    let corked = false;
    const uncork = () => { corked = false; res.uncork(); };
    const write = (e: WatchEvent) => {
      if (!corked) { corked = true; res.cork(); setImmediate(uncork); }
      let object: unknown = e.object;
      if (e.type !== 'ERROR' && e.type !== 'BOOKMARK') {
        if (view.view === 'Table') object = toTable(def, [e.object], { resourceVersion: e.object.metadata.resourceVersion }, { now: clock.now(), includeObject, metaVersion: view.metaVersion });
        else if (view.view === 'PartialObjectMetadata') object = partialObjectMetadata(e.object, view.metaVersion);
      }
      // Objects of watch events are shared by all watchers: serialize each once.
      const json = view.view === 'Object' && typeof object === 'object' && object !== null ? jsonOf(object) : JSON.stringify(object);
      res.write(`{"type":${JSON.stringify(e.type)},"object":${json}}\n`);
    };
    try {
      const events = rest.watch(def, ns, {
        selection,
        resourceVersion: query.get('resourceVersion') ?? undefined,
        allowWatchBookmarks: query.get('allowWatchBookmarks') === 'true',
        sendInitialEvents: query.get('sendInitialEvents') === 'true' ? true : undefined,
      }, abort.signal);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
      res.flushHeaders();
      headersSent = true;
      for await (const e of events) {
        write(e);
        if (e.type === 'ERROR') break;
      }
    } catch (err) {
      if (!abort.signal.aborted) {
        if (!headersSent) throw err;
        const status = err instanceof StatusError ? err.status : statusError(500, 'InternalError', String(err)).status;
        deps.log.warn('watch failed', { resource: def.plural, err });
        write({ type: 'ERROR', object: status as unknown as KubeObject });
      }
    } finally {
      clearTimeout(timer);
      res.off('close', onClose);
      if (!res.writableEnded) res.end();
    }
  }

  function respondObject(res: ServerResponse, code: number, def: ResourceDefinition, obj: KubeObject, accept: MediaType[], ctx: RequestContext, query?: URLSearchParams): void {
    const view = negotiateObject(accept);
    if (!view) throw notAcceptable('only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
    const headers = warningHeaders(ctx.warnings);
    if (view.view === 'Table' && obj.kind === def.kind) {
      const table = toTable(def, [obj], { resourceVersion: obj.metadata.resourceVersion }, { now: clock.now(), includeObject: query ? includeObjectOf(query) : 'Metadata', metaVersion: view.metaVersion });
      return sendJson(res, code, table, headers);
    }
    if (view.view === 'PartialObjectMetadata' && obj.kind === def.kind) return sendJson(res, code, partialObjectMetadata(obj, view.metaVersion), headers);
    return sendJsonText(res, code, jsonOf(obj), headers);
  }
}

function patchTypeOf(req: IncomingMessage, def: ResourceDefinition): PatchKind {
  const ct = contentTypeOf(req);
  const type = patchTypes[ct];
  if (!type) throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${def.schema ? ', application/strategic-merge-patch+json' : ''}`);
  if (type === 'strategic' && !def.schema) {
    throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
  }
  return type;
}

/** Reads a create/update body and checks it names this resource's kind and version. */
async function readObject(req: IncomingMessage, def: ResourceDefinition, deps: ResourceHandlerDeps, ctx: RequestContext): Promise<KubeObject> {
  const raw = await readBody(req);
  const { object, text } = decodeObjectBody(raw, contentTypeOf(req), deps.protobuf);
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    throw badRequest(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
  }
  const obj = object as Record<string, unknown>;
  const expected = apiVersionOf(def.group, def.version);
  if (obj.apiVersion !== undefined && obj.apiVersion !== '' && typeof obj.apiVersion === 'string') {
    const { group, version } = parseApiVersion(obj.apiVersion);
    if (group !== def.group || version !== def.version) {
      // Kinds served in several versions of one group may be sent in any of them.
      const other = deps.index.byKind(group, version, String(obj.kind ?? def.kind));
      if (!other || other.storage.resource !== def.storage.resource || other.storage.group !== def.storage.group) {
        throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`);
      }
    }
  }
  if (obj.kind !== undefined && obj.kind !== '' && obj.kind !== def.kind && !(def.subresources.scale && obj.kind === 'Scale')) {
    throw badRequest(`${String(obj.kind)} in version "${def.version}" cannot be handled as a ${def.kind}: the object provided is unrecognized (must be of type ${def.kind})`);
  }
  if (obj.metadata !== undefined && (obj.metadata === null || typeof obj.metadata !== 'object' || Array.isArray(obj.metadata))) {
    throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: json: cannot unmarshal ${jsonType(obj.metadata)} into Go struct field ${def.kind}.metadata of type v1.ObjectMeta`);
  }
  deps.checkFields(def, obj, text, ctx);
  obj.metadata ??= {};
  return obj as unknown as KubeObject;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req);
  return parseJson(raw.toString('utf8'));
}

/** DeleteOptions from the body (kubectl) and the query (client-node, curl). */
async function readDeleteOptions(req: IncomingMessage, query: URLSearchParams): Promise<DeleteParams> {
  const raw = await readBody(req);
  let body: Record<string, unknown> = {};
  if (raw.length) {
    const ct = contentTypeOf(req);
    const decoded = ct === 'application/vnd.kubernetes.protobuf' ? {} : parseJson(raw.toString('utf8'));
    if (decoded && typeof decoded === 'object') body = decoded as Record<string, unknown>;
  }
  const opts: DeleteParams = {};
  const grace = body.gracePeriodSeconds ?? numberParam(query, 'gracePeriodSeconds');
  if (grace !== undefined && grace !== null) {
    if (typeof grace !== 'number' || grace < 0) throw badRequest('gracePeriodSeconds must be a non-negative integer');
    opts.gracePeriodSeconds = grace;
  }
  let policy = (body.propagationPolicy ?? query.get('propagationPolicy') ?? undefined) as string | undefined;
  const orphan = body.orphanDependents ?? (query.get('orphanDependents') !== null ? query.get('orphanDependents') === 'true' : undefined);
  if (policy === undefined && orphan !== undefined) policy = orphan ? 'Orphan' : 'Background';
  if (policy !== undefined) {
    if (policy !== 'Foreground' && policy !== 'Background' && policy !== 'Orphan') {
      throw statusError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
    }
    opts.propagationPolicy = policy;
  }
  const pre = body.preconditions as { uid?: string; resourceVersion?: string } | undefined;
  if (pre && typeof pre === 'object') opts.preconditions = { uid: pre.uid ?? undefined, resourceVersion: pre.resourceVersion ?? undefined };
  return opts;
}

/** Upstream's default field manager: the user agent up to its first '/' (`kubectl`, `node-fetch`). */
function managerFromUserAgent(ua: string | undefined): string {
  const name = (ua ?? '').split('/')[0]!.trim();
  return name ? name.slice(0, 128) : 'unknown';
}

function dryRunOf(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return values.length > 0;
}

function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation parameter unsupported: ${v}`);
}

function includeObjectOf(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject');
  return v === 'Object' ? 'Object' : v === 'None' ? 'None' : 'Metadata';
}

function numberParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw badRequest(`invalid ${name}: ${v}`);
  return n;
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}
