import type { CustomResourceDefinition, CustomResourceDefinitionCondition } from 'kubernetes-types/apiextensions/v1.js';
import { customResourceDefinitions } from '../../api/resources/index.js';
import type { ResourceDefinition } from '../../api/resource.js';
import type { Kube, KubeObject } from '../../api/types.js';
import { isConflict, isNotFound } from '../../api/errors.js';
import type { Client } from '../../client/types.js';
import type { Clock } from '../../base/clock.js';
import { rfc3339 } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import { isAbort, sleep } from '../../base/async.js';
import type { ResourceIndex } from '../registry/resource-index.js';
import { type CustomSchemaOps, crdResourceDefinitions, storageVersionOf } from './crd-resources.js';

type Crd = Kube<CustomResourceDefinition>;
const cleanupFinalizer = 'customresourcecleanup.apiextensions.k8s.io';

export interface CrdControllerDeps {
  client: Client;
  index: ResourceIndex;
  ops: CustomSchemaOps;
  clock: Clock;
  log: Logger;
}

/**
 * Serves CustomResourceDefinitions: each CRD's served versions join the resource index (so
 * discovery, OpenAPI and routing see them), its status says NamesAccepted and Established, and
 * deleting it first deletes every custom resource of it (the cleanup finalizer).
 */
export function crdController(deps: CrdControllerDeps) {
  const { client, index, log } = deps;
  const served = new Map<string, ResourceDefinition[]>();

  async function reconcile(crd: Crd): Promise<void> {
    const name = crd.metadata.name!;
    if (crd.metadata.deletionTimestamp) {
      await cleanup(crd);
      return;
    }
    const defs = crdResourceDefinitions(crd, deps.ops);
    const previous = served.get(name) ?? [];
    const stale = previous.filter((p) => !defs.some((d) => d.version === p.version && d.plural === p.plural && d.group === p.group));
    if (stale.length) index.remove(stale);
    index.put(defs);
    served.set(name, defs);
    await writeStatus(crd);
  }

  async function writeStatus(crd: Crd): Promise<void> {
    const now = rfc3339(deps.clock.now());
    const want: CustomResourceDefinitionCondition[] = [
      { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
      { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
    ];
    const current = crd.status?.conditions ?? [];
    const conditions = want.map((c) => {
      const old = current.find((x) => x.type === c.type);
      return { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now };
    });
    const storedVersions = [...new Set([...(crd.status?.storedVersions ?? []), storageVersionOf(crd)])];
    const finalizers = crd.metadata.finalizers ?? [];
    const statusSame = JSON.stringify(crd.status?.conditions ?? []) === JSON.stringify(conditions)
      && JSON.stringify(crd.status?.acceptedNames ?? {}) === JSON.stringify(crd.spec.names)
      && JSON.stringify(crd.status?.storedVersions ?? []) === JSON.stringify(storedVersions);
    if (!finalizers.includes(cleanupFinalizer)) {
      await client.patch(customResourceDefinitions, '', crd.metadata.name!, 'merge', { metadata: { finalizers: [...finalizers, cleanupFinalizer], resourceVersion: crd.metadata.resourceVersion } });
      return; // the MODIFIED event brings us back for the status
    }
    if (statusSame) return;
    await client.updateStatus(customResourceDefinitions, { ...crd, status: { conditions, acceptedNames: crd.spec.names, storedVersions } } as Crd);
  }

  async function cleanup(crd: Crd): Promise<void> {
    const name = crd.metadata.name!;
    const defs = served.get(name) ?? crdResourceDefinitions(crd, deps.ops);
    const def = defs[0];
    if (def) {
      for (;;) {
        const list = await client.list(def as ResourceDefinition<KubeObject>, {});
        if (list.items.length === 0) break;
        for (const item of list.items) {
          try { await client.delete(def, item.metadata.namespace ?? '', item.metadata.name!); } catch (err) { if (!isNotFound(err)) throw err; }
        }
        await sleep(100);
      }
    }
    index.remove(defs);
    served.delete(name);
    const finalizers = (crd.metadata.finalizers ?? []).filter((f) => f !== cleanupFinalizer);
    if (finalizers.length !== (crd.metadata.finalizers ?? []).length) {
      await client.patch(customResourceDefinitions, '', name, 'merge', { metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: crd.metadata.resourceVersion } });
    }
  }

  async function run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const list = await client.list(customResourceDefinitions, {});
        const seen = new Set<string>();
        for (const crd of list.items) {
          seen.add(crd.metadata.name!);
          await safely(crd);
        }
        for (const [name, defs] of served) if (!seen.has(name)) { index.remove(defs); served.delete(name); }
        for await (const e of client.watch(customResourceDefinitions, { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true }, signal)) {
          if (e.type === 'BOOKMARK') continue;
          if (e.type === 'DELETED') {
            const defs = served.get(e.object.metadata.name!);
            if (defs) { index.remove(defs); served.delete(e.object.metadata.name!); }
            continue;
          }
          await safely(e.object);
        }
      } catch (err) {
        if (isAbort(err, signal) || signal.aborted) return;
        log.warn('crd watch failed; relisting', { err });
        await sleep(1000, signal).catch(() => undefined);
      }
    }
  }

  async function safely(crd: Crd): Promise<void> {
    try {
      await reconcile(crd);
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return; // a newer event follows
      log.error('crd reconcile failed', { crd: crd.metadata.name, err });
    }
  }

  return { run };
}
