import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import { storagePrefix } from '../../api/resource.js';
import type { KubeObject } from '../../api/types.js';
import { clusterRoleBindings, clusterRoles, roleBindings, roles } from '../../api/resources/index.js';
import { sleep } from '../../base/async.js';
import type { Logger } from '../../base/log.js';
import { CompactedError } from '../../storage/store.js';
import type { ObjectCache } from '../registry/object-cache.js';

/** The RBAC objects the authorizer evaluates (upstream's Role/ClusterRole getters and binding listers). */
export interface PolicySource {
  clusterRole(name: string): ClusterRole | undefined;
  role(namespace: string, name: string): Role | undefined;
  roleBindings(namespace: string): Iterable<RoleBinding>;
  clusterRoleBindings(): Iterable<ClusterRoleBinding>;
}

/** The four maps a policy source keeps. */
class PolicyMaps implements PolicySource {
  readonly #clusterRoles = new Map<string, ClusterRole>();
  readonly #roles = new Map<string, Role>();
  readonly #roleBindings = new Map<string, Map<string, RoleBinding>>();
  readonly #clusterRoleBindings = new Map<string, ClusterRoleBinding>();

  clusterRole(name: string): ClusterRole | undefined { return this.#clusterRoles.get(name); }
  role(namespace: string, name: string): Role | undefined { return this.#roles.get(`${namespace}/${name}`); }
  roleBindings(namespace: string): Iterable<RoleBinding> { return this.#roleBindings.get(namespace)?.values() ?? []; }
  clusterRoleBindings(): Iterable<ClusterRoleBinding> { return this.#clusterRoleBindings.values(); }

  put(kind: RbacKind, obj: KubeObject): void {
    const { name = '', namespace = '' } = obj.metadata;
    switch (kind) {
      case 'clusterroles': this.#clusterRoles.set(name, obj as ClusterRole); break;
      case 'roles': this.#roles.set(`${namespace}/${name}`, obj as Role); break;
      case 'clusterrolebindings': this.#clusterRoleBindings.set(name, obj as ClusterRoleBinding); break;
      case 'rolebindings': {
        let m = this.#roleBindings.get(namespace);
        if (!m) this.#roleBindings.set(namespace, (m = new Map()));
        m.set(name, obj as RoleBinding);
        break;
      }
    }
  }

  remove(kind: RbacKind, obj: KubeObject): void {
    const { name = '', namespace = '' } = obj.metadata;
    switch (kind) {
      case 'clusterroles': this.#clusterRoles.delete(name); break;
      case 'roles': this.#roles.delete(`${namespace}/${name}`); break;
      case 'clusterrolebindings': this.#clusterRoleBindings.delete(name); break;
      case 'rolebindings': {
        const m = this.#roleBindings.get(namespace);
        m?.delete(name);
        if (m && m.size === 0) this.#roleBindings.delete(namespace);
        break;
      }
    }
  }

  clear(): void {
    this.#clusterRoles.clear();
    this.#roles.clear();
    this.#roleBindings.clear();
    this.#clusterRoleBindings.clear();
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
    run,
  };
}
