import { endpointSlices, nodes, pods, services, type EndpointSliceObject, type PodObject, type ServiceObject } from '../../api/resources/index.js';
import { isNotFound } from '../../api/errors.js';
import type { Controller } from '../../client/run-controller.js';
import type { Informer } from '../../client/informer.js';
import type { Key } from '../../client/work-queue.js';
import type { WorkQueue } from '../../client/work-queue.js';
import { keyFor, keyOf } from '../../client/object-key.js';
import { newControllerRef } from '../../client/controller-ref.js';
import { selectorFromSet } from '../../client/label-selector.js';
import type { ControllerDeps } from '../controller-deps.js';
import { endpointPorts, lastChangeTriggerTime, podIPv4, podToEndpoint, shouldPodBeInEndpoints } from './endpoint-pods.js';
import { SliceTracker } from './slice-tracker.js';
import { controllerName, managedByLabel, reconcileSlices, serviceNameLabel, type EndpointGroup } from './reconciler.js';

export interface EndpointSliceControllerOptions {
  /** --max-endpoints-per-slice. Default 100. */
  maxEndpointsPerSlice?: number;
}

/** The API server writes the `kubernetes` service's endpoints itself. */
export function isApiServerService(key: Key): boolean {
  return key === 'default/kubernetes';
}

/** True when the endpoints controllers manage this service: a selector, not ExternalName, not being deleted. */
export function hasManagedEndpoints(svc: ServiceObject): boolean {
  return !!svc.spec?.selector && svc.spec.type !== 'ExternalName' && !svc.metadata.deletionTimestamp;
}

/** The pods a service selects (same namespace, label selector from spec.selector). */
export function selectedPods(svc: ServiceObject, podCache: Informer<PodObject>): PodObject[] {
  const sel = selectorFromSet(svc.spec?.selector ?? {});
  return podCache.list(svc.metadata.namespace).filter((p) => sel.matches(p.metadata.labels));
}

/** Pod handlers shared by both endpoints controllers: requeue the services selecting the pod, before and after. */
export function enqueueServicesOfPods(podCache: Informer<PodObject>, svcCache: Informer<ServiceObject>, queue: WorkQueue): void {
  const servicesOf = (p: PodObject): Key[] => svcCache.list(p.metadata.namespace)
    .filter((s) => s.spec?.selector && selectorFromSet(s.spec.selector).matches(p.metadata.labels)).map(keyOf);
  podCache.onAdd((p) => { for (const k of servicesOf(p)) queue.add(k); });
  podCache.onUpdate((old, p) => {
    if (old === p) return;
    for (const k of new Set([...servicesOf(old), ...servicesOf(p)])) queue.add(k);
  });
  podCache.onDelete((p) => { for (const k of servicesOf(p)) queue.add(k); });
}

/**
 * The EndpointSlice controller (pkg/controller/endpointslice): for each Service with a
 * selector, IPv4 EndpointSlices of its pods (ready/serving/terminating, ports resolved by
 * name per pod), owned by the Service, at most maxEndpointsPerSlice each, written with as
 * little churn as the reconciler can manage.
 */
export function endpointSliceController(deps: ControllerDeps, opts: EndpointSliceControllerOptions = {}): Controller {
  const { client, informers, queue } = deps;
  const svcCache = informers.for(services);
  const podCache = informers.for(pods);
  const nodeCache = informers.for(nodes);
  const sliceCache = informers.for(endpointSlices);
  const tracker = new SliceTracker();

  svcCache.onChange((s) => queue.add(keyOf(s)));
  enqueueServicesOfPods(podCache, svcCache, queue);
  const serviceOfSlice = (s: EndpointSliceObject): Key | undefined => {
    const name = s.metadata.labels?.[serviceNameLabel];
    return name && s.metadata.labels?.[managedByLabel] === controllerName ? keyFor(s.metadata.namespace, name) : undefined;
  };
  sliceCache.onUpdate((old, s) => { if (old !== s) { const k = serviceOfSlice(s); if (k) queue.add(k); } });
  sliceCache.onDelete((s) => { const k = serviceOfSlice(s); if (k) queue.add(k); });

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    if (isApiServerService(key)) return;
    const svc = svcCache.get(key);
    if (!svc || !hasManagedEndpoints(svc)) { tracker.forget(key); return; } // gone: the slices follow by ownerReference
    const ns = svc.metadata.namespace ?? '';
    const existing = sliceCache.list(ns).filter((s) => s.metadata.labels?.[serviceNameLabel] === svc.metadata.name && s.metadata.labels?.[managedByLabel] === controllerName);
    if (tracker.stale(key, existing)) { queue.addAfter(key, 100); return; } // our last writes are not in the cache yet
    const members = selectedPods(svc, podCache).filter((p) => shouldPodBeInEndpoints(p, true) && podIPv4(p));
    const byPorts = new Map<string, EndpointGroup>();
    for (const p of members) {
      const ports = endpointPorts(svc, p);
      const k = JSON.stringify(ports);
      let g = byPorts.get(k);
      if (!g) byPorts.set(k, (g = { ports, endpoints: [] }));
      g.endpoints.push(podToEndpoint(p, svc, p.spec?.nodeName ? nodeCache.get(p.spec.nodeName) : undefined));
    }
    const plan = reconcileSlices(svc, [...byPorts.values()], existing, {
      maxEndpointsPerSlice: opts.maxEndpointsPerSlice, triggerTime: lastChangeTriggerTime(svc, members),
      ownerRef: newControllerRef(svc, services),
    });
    for (const s of plan.create) tracker.wrote(key, await client.create(endpointSlices, s, { signal }));
    for (const s of plan.update) tracker.wrote(key, await client.update(endpointSlices, s, { signal }));
    for (const s of plan.remove) {
      try {
        await client.delete(endpointSlices, ns, s.metadata.name ?? '', { preconditions: { uid: s.metadata.uid }, signal });
        tracker.deleted(key, s.metadata.name ?? '');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  return { name: 'endpointslice', queue, informers: [svcCache, podCache, nodeCache, sliceCache], sync, workers: 5 };
}
