import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { configMaps, namespaces } from '../../api/resources/index.js';
import type { Kube } from '../../api/types.js';
import { isAlreadyExists, isNotFound, isStatusError } from '../../api/errors.js';
import type { Controller } from '../../client/run-controller.js';
import type { Key } from '../../client/work-queue.js';
import { keyFor } from '../../client/object-key.js';
import type { ControllerDeps } from '../controller-deps.js';

export const rootCaConfigMap = 'kube-root-ca.crt';
const description = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/** The ConfigMap every namespace carries (pure). */
export function rootCaConfigMapFor(namespace: string, caCert: string): Kube<ConfigMap> {
  return {
    metadata: { name: rootCaConfigMap, namespace, annotations: { 'kubernetes.io/description': description } },
    data: { 'ca.crt': caCert },
  };
}

/**
 * The root CA certificate publisher (rootcacertpublisher/publisher.go): every active namespace
 * has `kube-root-ca.crt` holding the cluster CA, which service-account token volumes mount.
 */
export function rootCaCertPublisher(deps: ControllerDeps, caCert: string): Controller {
  const { client, informers, queue } = deps;
  const nsCache = informers.for(namespaces);
  const cmCache = informers.for(configMaps);

  nsCache.onAdd((ns) => queue.add(ns.metadata.name ?? ''));
  nsCache.onUpdate((_old, ns) => queue.add(ns.metadata.name ?? ''));
  cmCache.onChange((cm) => { if (cm.metadata.name === rootCaConfigMap) queue.add(cm.metadata.namespace ?? ''); });
  cmCache.onDelete((cm) => { if (cm.metadata.name === rootCaConfigMap) queue.add(cm.metadata.namespace ?? ''); });

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    const ns = nsCache.get(key);
    if (!ns || ns.metadata.deletionTimestamp || (ns.status?.phase && ns.status.phase !== 'Active')) return;
    const want = rootCaConfigMapFor(key, caCert);
    const have = cmCache.get(keyFor(key, rootCaConfigMap));
    try {
      if (!have) {
        await client.create(configMaps, want, { signal });
      } else if (have.data?.['ca.crt'] !== caCert || have.metadata.annotations?.['kubernetes.io/description'] !== description) {
        await client.update(configMaps, {
          ...want,
          metadata: { ...want.metadata, resourceVersion: have.metadata.resourceVersion, labels: have.metadata.labels, annotations: { ...have.metadata.annotations, ...want.metadata.annotations } },
        }, { signal });
      }
    } catch (err) {
      if (isAlreadyExists(err) || isNotFound(err)) return; // the informer brings the next state
      if (isStatusError(err) && err.code === 403 && /being terminated/.test(err.message)) return;
      throw err;
    }
  }

  return { name: 'root-ca-cert-publisher', queue, informers: [nsCache, cmCache], sync };
}
