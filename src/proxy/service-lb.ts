import type { LoadBalancerIngress } from 'kubernetes-types/core/v1.js';
import type { NodeObject } from '../api/resources/core/nodes.js';
import { nodes } from '../api/resources/core/nodes.js';
import type { ServiceObject } from '../api/resources/core/services.js';
import { services } from '../api/resources/core/services.js';
import type { Logger } from '../base/log.js';
import type { SharedInformerFactory } from '../client/informer.js';
import { keyOf } from '../client/object-key.js';
import type { Controller } from '../client/run-controller.js';
import type { Client } from '../client/types.js';
import type { Key, WorkQueue } from '../client/work-queue.js';

/** When any node carries this label =true, only such nodes serve LoadBalancers (as k3s ServiceLB). */
export const enableLbLabel = 'svccontroller.k3s.cattle.io/enablelb';

export interface ServiceLbDeps {
  informers: SharedInformerFactory;
  client: Client;
  queue: WorkQueue;
  log: Logger;
}

/** The nodes that serve LoadBalancers: labelled ones when any is labelled, Ready ones, else all. */
export function lbNodes(all: readonly NodeObject[]): NodeObject[] {
  const labelled = all.filter((n) => n.metadata.labels?.[enableLbLabel] === 'true');
  const pool = labelled.length ? labelled : all.filter((n) => n.metadata.labels?.[enableLbLabel] !== 'false');
  const ready = pool.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  return ready.length ? ready : pool;
}

/** The ingress ServiceLB gives a LoadBalancer Service: its nodes' InternalIPs (IPv4), sorted. */
export function lbIngress(nodeList: readonly NodeObject[]): LoadBalancerIngress[] {
  const ips = new Set<string>();
  for (const n of lbNodes(nodeList)) {
    for (const a of n.status?.addresses ?? []) if (a.type === 'InternalIP' && !a.address.includes(':')) ips.add(a.address);
  }
  return [...ips].sort().map((ip) => ({ ip }));
}

/** True when the Service is a LoadBalancer that ServiceLB implements (no foreign loadBalancerClass). */
export function isOurLoadBalancer(svc: ServiceObject): boolean {
  return svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass;
}

const portKeys = (svc: ServiceObject) => (svc.spec?.ports ?? []).map((p) => `${p.protocol ?? 'TCP'}/${p.port}`);
const olderFirst = (a: ServiceObject, b: ServiceObject) =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || keyOf(a).localeCompare(keyOf(b));

/**
 * k3s ServiceLB's job: a LoadBalancer Service gets the nodes' addresses as
 * `status.loadBalancer.ingress` (so EXTERNAL-IP is real; the proxy answers there on the
 * service port). A Service whose port an older LoadBalancer already holds stays pending, as on
 * k3s. A Service that stops being a LoadBalancer has its ingress cleared.
 */
export function serviceLbController({ informers, client, queue, log }: ServiceLbDeps): Controller {
  const serviceCache = informers.for(services);
  const nodeCache = informers.for(nodes);
  const enqueueAll = () => { for (const s of serviceCache.list()) if (isOurLoadBalancer(s) || s.status?.loadBalancer?.ingress?.length) queue.add(keyOf(s)); };
  serviceCache.onChange((svc) => {
    if (isOurLoadBalancer(svc) || svc.status?.loadBalancer?.ingress?.length) queue.add(keyOf(svc));
  });
  serviceCache.onDelete((svc) => { if (isOurLoadBalancer(svc)) enqueueAll(); });
  nodeCache.onAdd(enqueueAll);
  nodeCache.onDelete(enqueueAll);
  nodeCache.onUpdate((old, cur) => {
    if (old === cur) return;
    if (JSON.stringify(lbIngress([old])) !== JSON.stringify(lbIngress([cur])) || readyOf(old) !== readyOf(cur)) enqueueAll();
  });

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    const svc = serviceCache.get(key);
    if (!svc) return;
    let ingress: LoadBalancerIngress[] = [];
    if (isOurLoadBalancer(svc)) {
      const mine = new Set(portKeys(svc));
      const holder = serviceCache.list().filter((o) => o !== svc && isOurLoadBalancer(o) && olderFirst(o, svc) < 0)
        .find((o) => portKeys(o).some((k) => mine.has(k)));
      if (holder) log.info('LoadBalancer port already in use, leaving pending', { service: key, holder: keyOf(holder) });
      else ingress = lbIngress(nodeCache.list());
    } else if (svc.spec?.loadBalancerClass) {
      return;
    }
    const current = svc.status?.loadBalancer?.ingress ?? [];
    if (JSON.stringify(current) === JSON.stringify(ingress)) return;
    const status = { ...svc.status, loadBalancer: ingress.length ? { ingress } : {} };
    await client.updateStatus(services, { ...svc, status }, { signal });
    log.info('updated LoadBalancer ingress', { service: key, ingress: ingress.map((i) => i.ip).join(',') });
  }

  return { name: 'service-lb', informers: [serviceCache, nodeCache], queue, sync };
}

function readyOf(n: NodeObject): string {
  return n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? '';
}
