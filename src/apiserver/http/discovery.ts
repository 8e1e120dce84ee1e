import type { ResourceDefinition } from '../../api/resource.js';
import type { ResourceIndex } from '../registry/resource-index.js';

interface SubresourceInfo { kind: string; group?: string; version?: string; verbs: string[] }

/** Subresources other than status/scale: what discovery says they take and return. */
const knownSubresources: Record<string, SubresourceInfo> = {
  log: { kind: 'Pod', verbs: ['get'] },
  exec: { kind: 'PodExecOptions', verbs: ['create', 'get'] },
  attach: { kind: 'PodAttachOptions', verbs: ['create', 'get'] },
  portforward: { kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  proxy: { kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  binding: { kind: 'Binding', verbs: ['create'] },
  eviction: { kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
  ephemeralcontainers: { kind: 'Pod', verbs: ['get', 'patch', 'update'] },
  token: { kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] },
  finalize: { kind: 'Namespace', verbs: ['update'] },
};

function subresourcesOf(d: ResourceDefinition): { name: string; kind: string; group: string; version: string; verbs: string[] }[] {
  const out: { name: string; kind: string; group: string; version: string; verbs: string[] }[] = [];
  if (d.subresources.status) out.push({ name: 'status', kind: d.kind, group: d.group, version: d.version, verbs: ['get', 'patch', 'update'] });
  if (d.subresources.scale) out.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] });
  for (const name of d.subresources.other ?? []) {
    const info = knownSubresources[name];
    if (!info) continue;
    const kind = name === 'proxy' ? `${d.kind}ProxyOptions` : info.kind;
    out.push({ name, kind, group: info.group ?? d.group, version: info.version ?? d.version, verbs: info.verbs });
  }
  return out;
}

/** `/api` or `/apis` as an aggregated APIGroupDiscoveryList (v2 or v2beta1). */
export function aggregatedDiscovery(index: ResourceIndex, core: boolean, version: 'v2' | 'v2beta1') {
  const items = index.groups().filter((g) => (g.group === '') === core).map((g) => ({
    metadata: g.group ? { name: g.group } : {},
    versions: g.versions.map((v) => ({
      version: v.version,
      freshness: 'Current',
      resources: v.resources.map((d) => {
        const r: Record<string, unknown> = {
          resource: d.plural,
          responseKind: { group: d.group, version: d.version, kind: d.kind },
          scope: d.scope,
          singularResource: d.singular,
          verbs: [...d.verbs],
        };
        if (d.shortNames.length) r.shortNames = [...d.shortNames];
        if (d.categories.length) r.categories = [...d.categories];
        const subs = subresourcesOf(d);
        if (subs.length) {
          r.subresources = subs.map((s) => ({ subresource: s.name, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: s.verbs }));
        }
        return r;
      }),
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

export function legacyApiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupDoc(g: ReturnType<ResourceIndex['groups']>[number]) {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.group}/${v.version}`, version: v.version }));
  return { name: g.group, versions, preferredVersion: versions[0] };
}

export function legacyApiGroupList(index: ResourceIndex) {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: index.groups().filter((g) => g.group !== '').map(groupDoc) };
}

export function legacyApiGroup(index: ResourceIndex, group: string) {
  const g = index.groups().find((x) => x.group === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g) } : undefined;
}

/** `/api/v1` or `/apis/<g>/<v>`: the main resource before its subresources (client-node picks the first by kind). */
export function apiResourceList(index: ResourceIndex, group: string, version: string) {
  const g = index.groups().find((x) => x.group === group);
  const v = g?.versions.find((x) => x.version === version);
  if (!v) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const d of v.resources) {
    const r: Record<string, unknown> = {
      name: d.plural, singularName: d.singular, namespaced: d.scope === 'Namespaced', kind: d.kind, verbs: [...d.verbs],
    };
    if (d.shortNames.length) r.shortNames = [...d.shortNames];
    if (d.categories.length) r.categories = [...d.categories];
    resources.push(r);
    for (const s of subresourcesOf(d)) {
      const sr: Record<string, unknown> = { name: `${d.plural}/${s.name}`, singularName: '', namespaced: d.scope === 'Namespaced', kind: s.kind, verbs: s.verbs };
      if (s.group !== d.group || s.version !== d.version) { sr.group = s.group; sr.version = s.version; }
      resources.push(sr);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}
