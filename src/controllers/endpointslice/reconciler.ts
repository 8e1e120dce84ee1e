import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { EndpointSliceObject, ServiceObject } from '../../api/resources/index.js';
import { lastChangeTriggerTimeAnnotation } from './endpoint-pods.js';

export const serviceNameLabel = 'kubernetes.io/service-name';
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const controllerName = 'endpointslice-controller.k8s.io';
export const headlessLabel = 'service.kubernetes.io/headless';
/** --max-endpoints-per-slice default. */
export const defaultMaxEndpointsPerSlice = 100;

/** Endpoints that share one resolved port list. */
export interface EndpointGroup {
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

export interface SlicePlan {
  create: EndpointSliceObject[];
  update: EndpointSliceObject[];
  remove: EndpointSliceObject[];
}

export interface ReconcileOptions {
  maxEndpointsPerSlice?: number;
  triggerTime?: string;
  ownerRef: OwnerReference;
}

/** JSON with sorted keys: equality that ignores key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x as Record<string, unknown>).filter(([, y]) => y !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)))
    : x));
}

/** Ports in a stable order, so that one port set has one key. */
export function sortPorts(ports: readonly EndpointPort[]): EndpointPort[] {
  return [...ports].sort((a, b) => canonical(a) < canonical(b) ? -1 : canonical(a) > canonical(b) ? 1 : 0);
}

const portKey = (ports: readonly EndpointPort[] | undefined) => canonical(sortPorts(ports ?? []));
/** An endpoint's identity within a slice: its pod and addresses (conditions may change in place). */
const endpointKey = (ep: Endpoint) => `${ep.targetRef?.uid ?? ''}/${[...ep.addresses].sort().join(',')}`;

/** setEndpointSliceLabels: the service's labels plus ours (and `headless` for clusterIP None). */
export function sliceLabels(svc: ServiceObject): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  delete labels[serviceNameLabel];
  delete labels[managedByLabel];
  if (svc.spec?.clusterIP === 'None') labels[headlessLabel] = '';
  else delete labels[headlessLabel];
  labels[serviceNameLabel] = svc.metadata.name ?? '';
  labels[managedByLabel] = controllerName;
  return labels;
}

/**
 * The reconciler's plan for one service (reconciler.go): endpoints grouped by port set;
 * existing slices keep their endpoints where still wanted and are updated only when
 * something in them changed; new endpoints first fill slices being updated anyway, then
 * an unchanged slice that can take them all, then new slices of at most
 * maxEndpointsPerSlice; a slice to delete is reused for a slice to create. With no
 * endpoints at all one empty placeholder slice remains.
 */
export function reconcileSlices(svc: ServiceObject, desired: readonly EndpointGroup[], existing: readonly EndpointSliceObject[], opts: ReconcileOptions): SlicePlan {
  const max = opts.maxEndpointsPerSlice ?? defaultMaxEndpointsPerSlice;
  const labels = sliceLabels(svc);
  const ns = svc.metadata.namespace ?? '';
  const withMeta = (s: EndpointSliceObject): EndpointSliceObject => {
    const annotations: Record<string, string> = { ...(s.metadata.annotations ?? {}) };
    if (opts.triggerTime) annotations[lastChangeTriggerTimeAnnotation] = opts.triggerTime;
    else delete annotations[lastChangeTriggerTimeAnnotation];
    const metadata = { ...s.metadata, labels, ownerReferences: [opts.ownerRef] } as EndpointSliceObject['metadata'];
    if (Object.keys(annotations).length) metadata.annotations = annotations; else delete metadata.annotations;
    return { ...s, metadata };
  };
  const newSlice = (ports: EndpointPort[], endpoints: Endpoint[]): EndpointSliceObject => withMeta({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { generateName: `${svc.metadata.name}-`, namespace: ns },
    addressType: 'IPv4', endpoints, ports,
  });

  const groups = new Map<string, { ports: EndpointPort[]; pending: Map<string, Endpoint> }>();
  for (const g of desired) {
    const k = portKey(g.ports);
    let grp = groups.get(k);
    if (!grp) groups.set(k, (grp = { ports: sortPorts(g.ports), pending: new Map() }));
    for (const ep of g.endpoints) grp.pending.set(endpointKey(ep), ep);
  }
  const placeholderWanted = [...groups.values()].every((g) => g.pending.size === 0);
  if (placeholderWanted) groups.clear();

  const plan: SlicePlan = { create: [], update: [], remove: [] };
  const toRemove: EndpointSliceObject[] = [];
  const labelsDiffer = (s: EndpointSliceObject) => canonical(s.metadata.labels ?? {}) !== canonical(labels)
    || s.metadata.ownerReferences?.length !== 1 || s.metadata.ownerReferences[0]!.uid !== opts.ownerRef.uid;

  let keptPlaceholder = false;
  const existingByGroup = new Map<string, EndpointSliceObject[]>();
  for (const s of existing) {
    if (placeholderWanted && !keptPlaceholder && (s.endpoints ?? []).length === 0 && (s.ports ?? []).length === 0) {
      keptPlaceholder = true;
      if (labelsDiffer(s)) plan.update.push(withMeta(s));
      continue;
    }
    const k = portKey(s.ports);
    if (!groups.has(k)) { toRemove.push(s); continue; }
    let list = existingByGroup.get(k);
    if (!list) existingByGroup.set(k, (list = []));
    list.push(s);
  }

  for (const [k, grp] of groups) {
    const updating: EndpointSliceObject[] = [];
    const unchanged: EndpointSliceObject[] = [];
    for (const s of existingByGroup.get(k) ?? []) {
      const kept: Endpoint[] = [];
      let changed = false;
      for (const ep of s.endpoints ?? []) {
        const want = grp.pending.get(endpointKey(ep));
        if (!want) { changed = true; continue; }
        grp.pending.delete(endpointKey(ep));
        if (canonical(want) !== canonical(ep)) changed = true;
        kept.push(want);
      }
      if (kept.length === 0) { toRemove.push(s); continue; }
      if (changed || labelsDiffer(s)) updating.push({ ...s, endpoints: kept });
      else unchanged.push(s);
    }
    // new endpoints: first into slices written anyway, fullest first
    updating.sort((a, b) => (b.endpoints?.length ?? 0) - (a.endpoints?.length ?? 0));
    for (const s of updating) {
      while ((s.endpoints ?? []).length < max && grp.pending.size > 0) {
        const [key, ep] = grp.pending.entries().next().value!;
        grp.pending.delete(key);
        s.endpoints = [...(s.endpoints ?? []), ep];
      }
    }
    // then one unchanged slice that can take all the rest
    if (grp.pending.size > 0) {
      const roomy = unchanged.find((s) => max - (s.endpoints ?? []).length >= grp.pending.size);
      if (roomy) {
        updating.push({ ...roomy, endpoints: [...(roomy.endpoints ?? []), ...grp.pending.values()] });
        grp.pending.clear();
      }
    }
    const rest = [...grp.pending.values()];
    for (let i = 0; i < rest.length; i += max) plan.create.push(newSlice(grp.ports, rest.slice(i, i + max)));
    for (const s of updating) plan.update.push(withMeta(s));
  }
  if (placeholderWanted && !keptPlaceholder) plan.create.push(newSlice([], []));

  // finalize: turn a create plus a delete into one update
  plan.create = plan.create.filter((c) => {
    const reuse = toRemove.shift();
    if (!reuse) return true;
    plan.update.push({ ...reuse, metadata: { ...reuse.metadata, labels: c.metadata.labels, annotations: c.metadata.annotations, ownerReferences: c.metadata.ownerReferences }, endpoints: c.endpoints, ports: c.ports });
    if (!c.metadata.annotations) delete plan.update[plan.update.length - 1]!.metadata.annotations;
    return false;
  });
  plan.remove = toRemove;
  return plan;
}
