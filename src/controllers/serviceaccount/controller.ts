import { namespaces, serviceAccounts } from '../../api/resources/index.js';
import { isAlreadyExists, isStatusError } from '../../api/errors.js';
import type { Controller } from '../../client/run-controller.js';
import type { Key } from '../../client/work-queue.js';
import { keyFor } from '../../client/object-key.js';
import type { ControllerDeps } from '../controller-deps.js';

/** The ServiceAccounts every active namespace gets (upstream's default: just `default`). */
export const defaultServiceAccounts = ['default'] as const;

/**
 * The ServiceAccount controller (serviceaccounts_controller.go): makes sure every active
 * namespace has a `default` ServiceAccount; recreates it when deleted.
 */
export function serviceAccountController(deps: ControllerDeps): Controller {
  const { client, informers, queue } = deps;
  const nsCache = informers.for(namespaces);
  const saCache = informers.for(serviceAccounts);

  nsCache.onAdd((ns) => queue.add(ns.metadata.name ?? ''));
  nsCache.onUpdate((_old, ns) => queue.add(ns.metadata.name ?? ''));
  saCache.onDelete((sa) => {
    if ((defaultServiceAccounts as readonly string[]).includes(sa.metadata.name ?? '')) queue.add(sa.metadata.namespace ?? '');
  });

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    const ns = nsCache.get(key);
    if (!ns || (ns.status?.phase !== undefined && ns.status.phase !== 'Active') || ns.metadata.deletionTimestamp) return;
    for (const name of defaultServiceAccounts) {
      if (saCache.get(keyFor(key, name))) continue;
      try {
        await client.create(serviceAccounts, { metadata: { name, namespace: key } }, { signal });
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        // a namespace that began terminating meanwhile refuses new content: nothing to do
        if (isStatusError(err) && err.code === 403 && /being terminated/.test(err.message)) return;
        throw err;
      }
    }
  }

  return { name: 'serviceaccount', queue, informers: [nsCache, saCache], sync };
}
