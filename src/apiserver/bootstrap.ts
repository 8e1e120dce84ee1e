import type { Endpoints, Namespace, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { endpoints, endpointSlices, namespaces, priorityClasses, services, configMaps } from '../api/resources/index.js';
import type { Kube, KubeObject } from '../api/types.js';
import type { ResourceDefinition } from '../api/resource.js';
import { isAlreadyExists, isConflict, isNotFound } from '../api/errors.js';
import type { Client } from '../client/types.js';
import type { Logger } from '../base/log.js';
import { sleep } from '../base/async.js';
import { ensureBootstrapPolicy } from './authz/index.js';

export interface BootstrapOptions {
  /** First address of the service CIDR: the `kubernetes` Service. */
  kubernetesServiceIp: string;
  /** Where pods reach this API server. */
  advertiseAddress: string;
  port: number;
  /** PEM of the cluster CA, published as kube-root-ca.crt in every namespace. */
  caCert: string;
}

const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/**
 * What every cluster has from the start (upstream's bootstrap controllers): the system
 * namespaces, the `kubernetes` Service and its endpoints, the system priority classes, and the
 * default RBAC ClusterRoles and ClusterRoleBindings.
 * Idempotent: several servers may run it at once.
 */
export async function bootstrapCluster(client: Client, opts: BootstrapOptions, log: Logger): Promise<void> {
  for (const name of systemNamespaces) {
    await ensure(() => client.create(namespaces, { metadata: { name } } as Kube<Namespace>));
  }
  for (const [name, value] of [['system-cluster-critical', 2000000000], ['system-node-critical', 2000001000]] as const) {
    await ensure(() => client.create(priorityClasses, {
      metadata: { name }, value, description: `Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.`,
    } as Kube<PriorityClass>));
  }
  await ensure(() => client.create(services, {
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP', clusterIP: opts.kubernetesServiceIp, sessionAffinity: 'None',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.port }],
    },
  } as Kube<Service>));
  await reconcileKubernetesEndpoints(client, opts);
  await ensureBootstrapPolicy(client, log);
  log.info('cluster bootstrap done');
}

/** The `kubernetes` Endpoints and EndpointSlice carry this server's address. */
export async function reconcileKubernetesEndpoints(client: Client, opts: BootstrapOptions): Promise<void> {
  const port = { name: 'https', port: opts.port, protocol: 'TCP' as const };
  await upsert(client, endpoints, 'default', 'kubernetes', (cur) => {
    const addresses = cur?.subsets?.[0]?.addresses ?? [];
    const ips = new Set([...addresses.map((a) => a.ip), opts.advertiseAddress]);
    return {
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [...ips].sort().map((ip) => ({ ip })), ports: [port] }],
    } as Kube<Endpoints>;
  });
  await upsert(client, endpointSlices, 'default', 'kubernetes', (cur) => {
    const ips = new Set([...(cur?.endpoints ?? []).flatMap((e) => e.addresses), opts.advertiseAddress]);
    return {
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [...ips].sort().map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
      ports: [port],
    } as Kube<EndpointSlice>;
  });
}

/** Publishes the cluster CA as `kube-root-ca.crt` in one namespace (root-ca-cert-publisher). */
export async function publishRootCa(client: Client, namespace: string, caCert: string): Promise<void> {
  await upsert(client, configMaps, namespace, 'kube-root-ca.crt', () => ({
    metadata: { name: 'kube-root-ca.crt', namespace, annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } },
    data: { 'ca.crt': caCert },
  }) as Kube<ConfigMap>);
}

async function ensure(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

async function upsert<T extends KubeObject>(client: Client, res: ResourceDefinition<T>, namespace: string, name: string, build: (current: T | undefined) => T): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    let current: T | undefined;
    try {
      current = await client.get(res, namespace, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const want = build(current);
    try {
      if (!current) await client.create(res, want);
      else {
        want.metadata.resourceVersion = current.metadata.resourceVersion;
        await client.update(res, want);
      }
      return;
    } catch (err) {
      if (!isAlreadyExists(err) && !isConflict(err)) throw err;
      await sleep(50);
    }
  }
}
