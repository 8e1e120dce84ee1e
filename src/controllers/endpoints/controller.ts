import { endpoints, pods, services, type EndpointsObject, type ServiceObject } from '../../api/resources/index.js';
import { isNotFound } from '../../api/errors.js';
import type { Controller } from '../../client/run-controller.js';
import type { Key } from '../../client/work-queue.js';
import { keyOf, splitKey } from '../../client/object-key.js';
import type { ControllerDeps } from '../controller-deps.js';
import { enqueueServicesOfPods, headlessLabel, isApiServerService, lastChangeTriggerTime, selectedPods } from '../endpointslice/index.js';
import { endpointSubsets, overCapacityAnnotation, truncateSubsets } from './subsets.js';

/** Endpoints written by this controller are not mirrored into EndpointSlices (discovery.LabelSkipMirror). */
export const skipMirrorLabel = 'endpointslice.kubernetes.io/skip-mirror';

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
}

/** The labels of a service's Endpoints: the service's own, plus skip-mirror and headless. */
export function endpointsLabels(svc: ServiceObject): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}), [skipMirrorLabel]: 'true' };
  if (svc.spec?.clusterIP === 'None') labels[headlessLabel] = ''; else delete labels[headlessLabel];
  return labels;
}

/**
 * The Endpoints controller (pkg/controller/endpoint): core/v1 Endpoints named after each
 * Service with a selector, its pods' addresses split into ready and not-ready per port set,
 * with the last-change-trigger-time annotation; deleted with the Service.
 */
export function endpointsController(deps: ControllerDeps): Controller {
  const { client, informers, queue } = deps;
  const svcCache = informers.for(services);
  const podCache = informers.for(pods);
  const epCache = informers.for(endpoints);

  svcCache.onChange((s) => queue.add(keyOf(s)));
  enqueueServicesOfPods(podCache, svcCache, queue);
  epCache.onDelete((ep) => queue.add(keyOf(ep)));

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    if (isApiServerService(key)) return;
    const { namespace, name } = splitKey(key);
    const svc = svcCache.get(key);
    if (!svc) {
      if (!epCache.get(key)) return;
      try {
        await client.delete(endpoints, namespace, name, { signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
    if (!svc.spec?.selector) return; // user-managed Endpoints
    const members = selectedPods(svc, podCache);
    const { subsets, truncated } = truncateSubsets(endpointSubsets(svc, members));
    const current = epCache.get(key);
    const labels = endpointsLabels(svc);
    if (current && canonical(current.subsets ?? []) === canonical(subsets) && canonical(current.metadata.labels ?? {}) === canonical(labels)
      && (current.metadata.annotations?.[overCapacityAnnotation] === 'truncated') === truncated) return;
    const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}) };
    const trigger = lastChangeTriggerTime(svc, members);
    if (trigger) annotations['endpoints.kubernetes.io/last-change-trigger-time'] = trigger;
    else delete annotations['endpoints.kubernetes.io/last-change-trigger-time'];
    if (truncated) annotations[overCapacityAnnotation] = 'truncated'; else delete annotations[overCapacityAnnotation];
    const next: EndpointsObject = {
      apiVersion: 'v1', kind: 'Endpoints',
      metadata: { ...(current ? structuredClone(current.metadata) : { name, namespace }), labels, annotations },
      subsets,
    };
    if (Object.keys(annotations).length === 0) delete next.metadata.annotations;
    if (current) await client.update(endpoints, next, { signal });
    else await client.create(endpoints, next, { signal });
  }

  return { name: 'endpoint', queue, informers: [svcCache, podCache, epCache], sync, workers: 5 };
}
