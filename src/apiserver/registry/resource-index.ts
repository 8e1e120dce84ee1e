import type { ResourceDefinition } from '../../api/resource.js';

/** Discovery's group order, as kube-apiserver ranks its built-in groups; CRD groups follow. */
const groupOrder = [
  '', 'apiregistration.k8s.io', 'apps', 'events.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io',
  'autoscaling', 'batch', 'certificates.k8s.io', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io',
  'storage.k8s.io', 'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'scheduling.k8s.io',
  'coordination.k8s.io', 'node.k8s.io', 'discovery.k8s.io', 'flowcontrol.apiserver.k8s.io',
];

export interface GroupVersionResources { version: string; resources: ResourceDefinition[] }
export interface GroupInfo { group: string; versions: GroupVersionResources[] }

const gvr = (group: string, version: string, plural: string) => `${group}/${version}/${plural}`;

/**
 * Every resource the server serves: the built-ins plus the versions of established CRDs.
 * Discovery, OpenAPI, routing and the in-process client all read this one index.
 */
export class ResourceIndex {
  #defs: ResourceDefinition[] = [];
  #byGvr = new Map<string, ResourceDefinition>();
  #listeners = new Set<() => void>();
  #generation = 0;

  constructor(builtins: readonly ResourceDefinition[]) {
    for (const d of builtins) this.#insert(d);
  }

  /** Bumped on every change; discovery and OpenAPI hashes key on it. */
  get generation(): number { return this.#generation; }

  all(): readonly ResourceDefinition[] { return this.#defs; }

  lookup(group: string, version: string, plural: string): ResourceDefinition | undefined {
    return this.#byGvr.get(gvr(group, version, plural));
  }

  byKind(group: string, version: string, kind: string): ResourceDefinition | undefined {
    return this.#defs.find((d) => d.group === group && d.version === version && d.kind === kind);
  }

  /** Adds or replaces definitions (CRD versions), keyed by group/version/plural. */
  put(defs: readonly ResourceDefinition[]): void {
    for (const d of defs) {
      const old = this.#byGvr.get(gvr(d.group, d.version, d.plural));
      if (old) this.#defs = this.#defs.filter((x) => x !== old);
      this.#insert(d);
    }
    this.#changed();
  }

  remove(defs: readonly ResourceDefinition[]): void {
    for (const d of defs) {
      const key = gvr(d.group, d.version, d.plural);
      const old = this.#byGvr.get(key);
      if (!old) continue;
      this.#byGvr.delete(key);
      this.#defs = this.#defs.filter((x) => x !== old);
    }
    this.#changed();
  }

  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Groups in discovery order; within a group the preferred version first. */
  groups(): GroupInfo[] {
    const groups = new Map<string, Map<string, ResourceDefinition[]>>();
    for (const d of this.#defs) {
      let versions = groups.get(d.group);
      if (!versions) groups.set(d.group, (versions = new Map()));
      let list = versions.get(d.version);
      if (!list) versions.set(d.version, (list = []));
      list.push(d);
    }
    const rank = (g: string) => { const i = groupOrder.indexOf(g); return i < 0 ? groupOrder.length : i; };
    return [...groups.entries()]
      .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
      .map(([group, versions]) => ({
        group,
        versions: [...versions.entries()]
          .sort(([a], [b]) => compareVersionPriority(a, b))
          .map(([version, resources]) => ({ version, resources })),
      }));
  }

  #insert(d: ResourceDefinition): void {
    this.#defs.push(d);
    this.#byGvr.set(gvr(d.group, d.version, d.plural), d);
  }

  #changed(): void {
    this.#generation++;
    for (const fn of this.#listeners) fn();
  }
}

/**
 * Kubernetes version priority: GA before beta before alpha, higher numbers first; versions
 * that don't look like Kubernetes versions sort after, alphabetically.
 */
export function compareVersionPriority(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    const stage = m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0;
    return { major: Number(m[1]), stage, minor: m[3] ? Number(m[3]) : 0 };
  };
  const pa = parse(a), pb = parse(b);
  if (pa && !pb) return -1;
  if (!pa && pb) return 1;
  if (!pa || !pb) return a.localeCompare(b);
  return pb.stage - pa.stage || pb.major - pa.major || pb.minor - pa.minor;
}
