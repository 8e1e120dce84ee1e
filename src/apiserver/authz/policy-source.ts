import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import { storagePrefix } from '../../api/resource.js';
import type { KubeObject } from '../../api/types.js';
import { clusterRoleBindings, clusterRoles, roleBindings, roles } from '../../api/resources/index.js';
import { sleep } from '../../base/async.js';
import type { Logger } from '../../base/log.js';
import { CompactedError } from '../../storage/store.js';
import type { ObjectCache } from '../registry/object-cache.js';
import type { UserInfo } from '../context.js';

/** The RBAC objects the authorizer evaluates (upstream's Role/ClusterRole getters and binding listers). */
export interface PolicySource {
  clusterRole(name: string): ClusterRole | undefined;
  role(namespace: string, name: string): Role | undefined;
  roleBindings(namespace: string): Iterable<RoleBinding>;
  clusterRoleBindings(): Iterable<ClusterRoleBinding>;
  /**
   * The bindings that may name this user (by user name, group or service account): the
   * authorizer looks only at these, not at every binding.
   */
  clusterRoleBindingsFor(user: UserInfo): Iterable<ClusterRoleBinding>;
  roleBindingsFor(user: UserInfo, namespace: string): Iterable<RoleBinding>;
}

const serviceAccountPrefix = 'system:serviceaccount:';

/** Index keys of a subject: `User:n`, `Group:n`, `ServiceAccount:ns/n` (a RoleBinding's own namespace by default). */
function subjectKey(s: Subject, bindingNamespace: string): string | undefined {
  if (s.kind === 'User' || s.kind === 'Group') return `${s.kind}:${s.name}`;
  if (s.kind === 'ServiceAccount') {
    const ns = s.namespace || bindingNamespace;
    return ns ? `ServiceAccount:${ns}/${s.name}` : undefined;
  }
  return undefined;
}

/** The keys under which a user's bindings are indexed. */
function userKeys(user: UserInfo): string[] {
  const keys = [`User:${user.username}`];
  for (const g of user.groups) keys.push(`Group:${g}`);
  if (user.username.startsWith(serviceAccountPrefix)) {
    const parts = user.username.slice(serviceAccountPrefix.length).split(':');
    if (parts.length === 2) keys.push(`ServiceAccount:${parts[0]}/${parts[1]}`);
  }
  return keys;
}

/** Bindings by subject key. */
class SubjectIndex<B extends { subjects?: Subject[] }> {
  readonly #byKey = new Map<string, Set<B>>();
  readonly #current = new Map<string, B>();

  constructor(private readonly namespaceOf: (b: B) => string) {}

  put(name: string, b: B): void {
    this.remove(name);
    this.#current.set(name, b);
    for (const s of b.subjects ?? []) {
      const key = subjectKey(s, this.namespaceOf(b));
      if (key === undefined) continue;
      let set = this.#byKey.get(key);
      if (!set) this.#byKey.set(key, (set = new Set()));
      set.add(b);
    }
  }

  remove(name: string): void {
    const old = this.#current.get(name);
    if (!old) return;
    this.#current.delete(name);
    for (const s of old.subjects ?? []) {
      const key = subjectKey(s, this.namespaceOf(old));
      const set = key === undefined ? undefined : this.#byKey.get(key);
      set?.delete(old);
      if (set && set.size === 0) this.#byKey.delete(key!);
    }
  }

  values(): Iterable<B> { return this.#current.values(); }
  get size(): number { return this.#current.size; }

  /** Bindings naming the user, its groups or its service account, each once (user, then groups in order, then service account). */
  candidates(keys: readonly string[]): Iterable<B> {
    let first: Set<B> | undefined;
    let merged: Set<B> | undefined;
    for (const key of keys) {
      const set = this.#byKey.get(key);
      if (!set) continue;
      if (!first) { first = set; continue; }
      merged ??= new Set(first);
      for (const b of set) merged.add(b);
    }
    return merged ?? first ?? [];
  }
}

/** The four maps a policy source keeps. */
class PolicyMaps implements PolicySource {
  readonly #clusterRoles = new Map<string, ClusterRole>();
  readonly #roles = new Map<string, Role>();
  readonly #roleBindings = new Map<string, SubjectIndex<RoleBinding>>();
  readonly #clusterRoleBindings = new SubjectIndex<ClusterRoleBinding>(() => '');

  clusterRole(name: string): ClusterRole | undefined { return this.#clusterRoles.get(name); }
  role(namespace: string, name: string): Role | undefined { return this.#roles.get(`${namespace}/${name}`); }
  roleBindings(namespace: string): Iterable<RoleBinding> { return this.#roleBindings.get(namespace)?.values() ?? []; }
  clusterRoleBindings(): Iterable<ClusterRoleBinding> { return this.#clusterRoleBindings.values(); }
  clusterRoleBindingsFor(user: UserInfo): Iterable<ClusterRoleBinding> { return this.#clusterRoleBindings.candidates(userKeys(user)); }
  roleBindingsFor(user: UserInfo, namespace: string): Iterable<RoleBinding> { return this.#roleBindings.get(namespace)?.candidates(userKeys(user)) ?? []; }

  put(kind: RbacKind, obj: KubeObject): void {
    const { name = '', namespace = '' } = obj.metadata;
    switch (kind) {
      case 'clusterroles': this.#clusterRoles.set(name, obj as ClusterRole); break;
      case 'roles': this.#roles.set(`${namespace}/${name}`, obj as Role); break;
      case 'clusterrolebindings': this.#clusterRoleBindings.put(name, obj as ClusterRoleBinding); break;
      case 'rolebindings': {
        let m = this.#roleBindings.get(namespace);
        if (!m) this.#roleBindings.set(namespace, (m = new SubjectIndex<RoleBinding>(() => namespace)));
        m.put(name, obj as RoleBinding);
        break;
      }
    }
  }

  remove(kind: RbacKind, obj: KubeObject): void {
    const { name = '', namespace = '' } = obj.metadata;
    switch (kind) {
      case 'clusterroles': this.#clusterRoles.delete(name); break;
      case 'roles': this.#roles.delete(`${namespace}/${name}`); break;
      case 'clusterrolebindings': this.#clusterRoleBindings.remove(name); break;
      case 'rolebindings': {
        const m = this.#roleBindings.get(namespace);
        m?.remove(name);
        if (m && m.size === 0) this.#roleBindings.delete(namespace);
        break;
      }
    }
  }

  clear(): void {
    this.#clusterRoles.clear();
    this.#roles.clear();
    this.#roleBindings.clear();
    for (const b of [...this.#clusterRoleBindings.values()]) this.#clusterRoleBindings.remove(b.metadata?.name ?? '');
  }
}

type RbacKind = 'clusterroles' | 'roles' | 'rolebindings' | 'clusterrolebindings';
const rbacDefs = { clusterroles: clusterRoles, roles, rolebindings: roleBindings, clusterrolebindings: clusterRoleBindings } as const;

/** A fixed set of objects (tests, benchmarks). */
export function staticPolicy(objs: { roles?: Role[]; roleBindings?: RoleBinding[]; clusterRoles?: ClusterRole[]; clusterRoleBindings?: ClusterRoleBinding[] }): PolicySource {
  const maps = new PolicyMaps();
  for (const o of objs.roles ?? []) maps.put('roles', o as KubeObject);
  for (const o of objs.roleBindings ?? []) maps.put('rolebindings', o as KubeObject);
  for (const o of objs.clusterRoles ?? []) maps.put('clusterroles', o as KubeObject);
  for (const o of objs.clusterRoleBindings ?? []) maps.put('clusterrolebindings', o as KubeObject);
  return maps;
}

export interface CachedPolicy extends PolicySource {
  /** Follows the watch cache until `signal` aborts (relisting when its history no longer reaches back). */
  run(signal: AbortSignal): Promise<void>;
}

/**
 * The RBAC objects of the API server's watch cache, kept in maps that one watch of the RBAC
 * storage prefix updates: an authorization decision reads memory only, never the store.
 */
export function cachedPolicy(cache: ObjectCache, log: Logger): CachedPolicy {
  const maps = new PolicyMaps();
  const prefix = '/registry/rbac.authorization.k8s.io/';
  const kindOf = (key: string): RbacKind | undefined => {
    const k = key.slice(prefix.length, key.indexOf('/', prefix.length)) as RbacKind;
    return k in rbacDefs ? k : undefined;
  };

  /** Fills the maps from the cache; synchronous, so every list is at one revision. */
  function relist(): number {
    maps.clear();
    const revision = cache.revision();
    for (const kind of Object.keys(rbacDefs) as RbacKind[]) {
      for (const obj of cache.list(storagePrefix(rbacDefs[kind])).items) maps.put(kind, obj);
    }
    return revision;
  }
  let revision = relist();

  async function run(signal: AbortSignal): Promise<void> {
    let delay = 100;
    while (!signal.aborted) {
      try {
        for await (const ev of cache.watch(prefix, revision, signal)) {
          const kind = kindOf(ev.key);
          if (kind) {
            if (ev.type === 'put') maps.put(kind, ev.object);
            else maps.remove(kind, ev.object);
          }
          revision = ev.revision;
          delay = 100;
        }
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof CompactedError) {
          log.info('rbac policy: watch history compacted, relisting', { revision });
          revision = relist();
          continue;
        }
        log.warn('rbac policy: watch failed, retrying', { err, delayMs: delay });
        await sleep(delay, signal);   // rejects with the abort: spawn ends quietly
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  return {
    clusterRole: (name) => maps.clusterRole(name),
    role: (ns, name) => maps.role(ns, name),
    roleBindings: (ns) => maps.roleBindings(ns),
    clusterRoleBindings: () => maps.clusterRoleBindings(),
    clusterRoleBindingsFor: (user) => maps.clusterRoleBindingsFor(user),
    roleBindingsFor: (user, ns) => maps.roleBindingsFor(user, ns),
    run,
  };
}
