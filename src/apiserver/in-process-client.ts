import type { ResourceDefinition } from '../api/resource.js';
import type { KubeList, WatchEvent } from '../api/types.js';
import { cloneObject } from '../api/patch/json-value.js';
import type { Client, DeleteOptions, ListOptions, PatchOptions, PatchType, WatchOptions, WriteOptions } from '../client/types.js';
import { type RequestContext, type UserInfo, systemUser } from './context.js';
import type { RestStorage } from './registry/rest-storage.js';
import { parseSelection } from './registry/selection.js';
import type { Patcher } from './http/resource-handler.js';

export interface InProcessClientDeps {
  rest: RestStorage;
  patch: Patcher;
  /** Subresource creates (pods/binding, pods/eviction, serviceaccounts/token) by `group/plural/sub`. */
  subresources: Record<string, (def: ResourceDefinition, namespace: string, name: string, body: unknown, ctx: RequestContext) => Promise<unknown>>;
  user?: UserInfo;
  /**
   * The registered definition for a handle (so a bare handle a controller made for a custom
   * resource still gets the CRD's defaulting and validation).
   */
  resolve?: (def: ResourceDefinition) => ResourceDefinition;
}

/**
 * The API for components inside the server process: the same registry calls an HTTP request
 * makes (defaulting, admission, validation, resourceVersion, watch), without sockets or JSON.
 */
export function inProcessClient(deps: InProcessClientDeps): Client {
  const { rest } = deps;
  const user = deps.user ?? systemUser;
  const ctxOf = (opts?: WriteOptions): RequestContext => ({
    user, dryRun: opts?.dryRun, fieldManager: opts?.fieldManager, fieldValidation: opts?.fieldValidation ?? 'Ignore', signal: opts?.signal,
  });
  const nsOf = (def: ResourceDefinition, ns: string | undefined) => (def.scope === 'Namespaced' ? ns ?? '' : '');
  const asT = <T>(o: unknown) => o as T;
  // Write answers are the watch cache's shared, frozen objects: callers get their own copy,
  // unless they said they only read it.
  const own = <T>(o: unknown, opts?: WriteOptions) => (opts?.readOnlyResult ? o : cloneObject(o)) as T;
  const resolve = deps.resolve ?? ((d: ResourceDefinition) => d);

  return {
    get: async (res, namespace, name) => asT(await rest.get(resolve(res as ResourceDefinition), nsOf(res as ResourceDefinition, namespace), name)),
    list: async (res, opts: ListOptions = {}) => {
      const def = resolve(res as ResourceDefinition);
      const list = await rest.list(def, nsOf(def, opts.namespace), {
        selection: parseSelection(def, opts.labelSelector, opts.fieldSelector),
        limit: opts.limit, continue: opts.continue, resourceVersion: opts.resourceVersion, resourceVersionMatch: opts.resourceVersionMatch,
        shared: opts.readOnly === true,
      });
      return asT<KubeList<never>>(list);
    },
    create: async (res, obj, opts) => {
      const def = resolve(res as ResourceDefinition);
      return own(await rest.create(def, nsOf(def, obj.metadata.namespace), obj, ctxOf(opts)), opts);
    },
    update: async (res, obj, opts) => {
      const def = resolve(res as ResourceDefinition);
      const r = await rest.update(def, nsOf(def, obj.metadata.namespace), obj.metadata.name!, obj, ctxOf(opts), { createIfMissing: def.allowCreateOnUpdate === true });
      return own(r.object, opts);
    },
    updateStatus: async (res, obj, opts) => {
      const def = resolve(res as ResourceDefinition);
      const r = await rest.update(def, nsOf(def, obj.metadata.namespace), obj.metadata.name!, obj, ctxOf(opts), { subresource: 'status' });
      return own(r.object, opts);
    },
    updateSubresource: async (res, obj, subresource, opts) => {
      const def = resolve(res as ResourceDefinition);
      if (subresource === 'finalize' && !(def.group === '' && def.plural === 'namespaces')) throw new Error(`${def.plural} has no finalize subresource`);
      const r = await rest.update(def, nsOf(def, obj.metadata.namespace), obj.metadata.name!, obj, ctxOf(opts), { subresource });
      return own(r.object, opts);
    },
    patch: async (res, namespace, name, type: PatchType, patch, opts?: PatchOptions) => {
      const def = resolve(res as ResourceDefinition);
      const ctx = ctxOf(opts);
      const body = Buffer.from(typeof patch === 'string' ? patch : JSON.stringify(patch));
      const sub = opts?.subresource === 'status' ? 'status' : undefined;
      const r = await rest.guaranteedUpdate(def, nsOf(def, namespace), name, ctx,
        (current) => deps.patch(type, def, current, body, { ...ctx, force: opts?.force === true }),
        { subresource: sub, createIfMissing: type === 'apply' && !sub, operation: type === 'apply' ? 'Apply' : 'Update' });
      return own(r.object, opts);
    },
    delete: async (res, namespace, name, opts?: DeleteOptions) => {
      const def = resolve(res as ResourceDefinition);
      return own<never>(await rest.delete(def, nsOf(def, namespace), name, {
        gracePeriodSeconds: opts?.gracePeriodSeconds, propagationPolicy: opts?.propagationPolicy, preconditions: opts?.preconditions,
      }, { user, dryRun: opts?.dryRun, signal: opts?.signal }));
    },
    deleteCollection: async (res, opts: ListOptions & DeleteOptions = {}) => {
      const def = resolve(res as ResourceDefinition);
      return own(await rest.deleteCollection(def, nsOf(def, opts.namespace), { selection: parseSelection(def, opts.labelSelector, opts.fieldSelector) },
        { gracePeriodSeconds: opts.gracePeriodSeconds, propagationPolicy: opts.propagationPolicy, preconditions: opts.preconditions }, { user, dryRun: opts.dryRun }));
    },
    watch: (res, opts: WatchOptions, signal) => {
      const def = resolve(res as ResourceDefinition);
      // An expired resourceVersion throws the 410 StatusError, as the REST client does.
      return rest.watch(def, nsOf(def, opts.namespace), {
        selection: parseSelection(def, opts.labelSelector, opts.fieldSelector),
        resourceVersion: opts.resourceVersion, allowWatchBookmarks: opts.allowWatchBookmarks, sendInitialEvents: opts.sendInitialEvents,
        throwErrors: true,
      }, signal) as AsyncIterable<WatchEvent<never>>;
    },
    createSubresource: async (res, namespace, name, subresource, body, opts) => {
      const def = resolve(res as ResourceDefinition);
      const handler = deps.subresources[`${def.group}/${def.plural}/${subresource}`];
      if (!handler) throw new Error(`no in-process handler for ${def.plural}/${subresource}`);
      return asT(await handler(def, nsOf(def, namespace), name, body, ctxOf(opts)));
    },
  };
}
