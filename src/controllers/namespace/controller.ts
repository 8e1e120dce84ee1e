import type { ResourceDefinition } from '../../api/resource.js';
import type { KubeObject } from '../../api/types.js';
import { builtinResources, customResourceDefinitions, namespaceFinalizer, namespaces, pods, type NamespaceObject, type PodObject } from '../../api/resources/index.js';
import { isNotFound, isStatusError } from '../../api/errors.js';
import type { Controller } from '../../client/run-controller.js';
import type { Key } from '../../client/work-queue.js';
import type { ControllerDeps } from '../controller-deps.js';
import { emptyReport, namespaceConditions, type DeletionReport } from './conditions.js';
import { groupVersionResource, namespacedResources } from './namespaced-resources.js';

/** The wait assumed for content held by finalizers (upstream's finalizerEstimateSeconds). */
export const finalizerEstimateSeconds = 15;

export interface NamespaceControllerOptions {
  /** Built-in resources to empty (default: all); established CRDs are listed live on each pass. */
  resources?: readonly ResourceDefinition[];
}

/**
 * The namespace controller (pkg/controller/namespace): a namespace with a deletionTimestamp
 * turns Terminating, every namespaced resource in it is deleted (deletecollection, Background),
 * the pass is reported in the namespace's deletion conditions, and once nothing remains the
 * `kubernetes` finalizer is removed through the finalize subresource, letting the API server
 * remove the namespace.
 */
export function namespaceController(deps: ControllerDeps, opts: NamespaceControllerOptions = {}): Controller {
  const { client, informers, queue, clock } = deps;
  const log = deps.log.child({ controller: 'namespace' });
  const nsCache = informers.for(namespaces);
  const builtin = opts.resources ?? builtinResources;

  nsCache.onChange((ns) => { if (ns.metadata.deletionTimestamp) queue.add(ns.metadata.name ?? ''); });

  /** Non-terminal pods' longest grace period, or 0 once that long has passed since deletion began. */
  function podEstimate(items: readonly PodObject[], deletedAt: number): number {
    let estimate = 0;
    for (const p of items) {
      if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
      estimate = Math.max(estimate, p.spec?.terminationGracePeriodSeconds ?? 0);
    }
    return clock.now() - deletedAt >= estimate * 1000 ? 0 : estimate;
  }

  /** deleteAllContentForGroupVersionResource: returns the estimate (s) until what remains is gone. */
  async function deleteContent(res: ResourceDefinition, ns: string, deletedAt: number, report: DeletionReport, signal: AbortSignal): Promise<number> {
    let estimate = 0;
    if (res.group === '' && res.plural === 'pods') {
      estimate = podEstimate((await client.list(pods, { namespace: ns, signal })).items, deletedAt);
    }
    if (res.verbs.includes('deletecollection')) {
      await client.deleteCollection(res, { namespace: ns, propagationPolicy: 'Background', signal });
    } else if (res.verbs.includes('list')) {
      for (const item of (await client.list(res, { namespace: ns, signal })).items) {
        try {
          await client.delete(res, ns, item.metadata.name ?? '', { propagationPolicy: 'Background', signal });
        } catch (err) {
          if (!isNotFound(err) && !(isStatusError(err) && err.code === 405)) throw err;
        }
      }
    }
    if (!res.verbs.includes('list')) return estimate;
    const left: readonly KubeObject[] = (await client.list(res, { namespace: ns, signal })).items;
    if (left.length === 0) return estimate;
    report.remainingByResource.set(`${res.plural}.${res.group}`, left.length);
    let withFinalizers = 0;
    for (const item of left) {
      const fs = item.metadata.finalizers ?? [];
      if (fs.length) withFinalizers++;
      for (const f of fs) report.remainingByFinalizer.set(f, (report.remainingByFinalizer.get(f) ?? 0) + 1);
    }
    if (estimate === 0) {
      if (withFinalizers > 0) return finalizerEstimateSeconds;
      throw new Error(`unexpected items still remain in namespace: ${ns} for gvr: ${groupVersionResource(res)}`);
    }
    return estimate;
  }

  /** deleteAllContent: every resource, errors collected; conditions written when they change. */
  async function deleteAllContent(ns: NamespaceObject, signal: AbortSignal): Promise<{ estimate: number; errors: string[] }> {
    const name = ns.metadata.name ?? '';
    const report = emptyReport();
    let crds: Parameters<typeof namespacedResources>[1] = [];
    try {
      crds = (await client.list(customResourceDefinitions, { signal })).items;
    } catch (err) {
      if (signal.aborted) throw err;
      report.discoveryError = `Discovery failed for some groups, 1 failing: unable to retrieve the complete list of server APIs: apiextensions.k8s.io/v1: ${(err as Error).message}`;
    }
    const deletedAt = Date.parse(ns.metadata.deletionTimestamp ?? '') || clock.now();
    let estimate = 0;
    for (const res of namespacedResources(builtin, crds)) {
      try {
        estimate = Math.max(estimate, await deleteContent(res, name, deletedAt, report, signal));
      } catch (err) {
        if (signal.aborted) throw err;
        report.contentErrors.push((err as Error).message);
      }
    }
    const errors = [...report.contentErrors, ...(report.discoveryError ? [report.discoveryError] : [])];
    const conditions = namespaceConditions(ns.status?.conditions, report, clock.now());
    if (JSON.stringify(conditions) !== JSON.stringify(ns.status?.conditions ?? [])) {
      await client.updateStatus(namespaces, { ...ns, status: { ...ns.status, conditions } }, { signal });
    }
    return { estimate, errors };
  }

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    if (!nsCache.get(key)?.metadata.deletionTimestamp) return;
    let ns: NamespaceObject;
    try {
      ns = await client.get(namespaces, '', key, { signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!ns.metadata.deletionTimestamp) return;
    if (ns.status?.phase !== 'Terminating') {
      ns = await client.updateStatus(namespaces, { ...ns, status: { ...ns.status, phase: 'Terminating' } }, { signal });
    }
    if (!(ns.spec?.finalizers ?? []).includes(namespaceFinalizer)) return;
    const { estimate, errors } = await deleteAllContent(ns, signal);
    if (errors.length) throw new Error(`deleting the content of namespace ${key}: ${errors.join('; ')}`);
    if (estimate > 0) {
      log.debug('content remaining', { namespace: key, estimateSeconds: estimate });
      queue.addAfter(key, (Math.floor(estimate / 2) + 1) * 1000);
      return;
    }
    const latest = await client.get(namespaces, '', key, { signal });
    const finalizers = (latest.spec?.finalizers ?? []).filter((f) => f !== namespaceFinalizer);
    log.debug('finalizing namespace', { namespace: key });
    await client.updateSubresource(namespaces, { ...latest, spec: { ...latest.spec, finalizers } }, 'finalize', { signal });
  }

  return { name: 'namespace', queue, informers: [nsCache], sync, workers: 10 };
}
