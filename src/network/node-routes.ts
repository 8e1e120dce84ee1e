import type { NodeObject } from '../api/resources/core/nodes.js';
import { nodes } from '../api/resources/core/nodes.js';
import type { Logger } from '../base/log.js';
import type { SharedInformerFactory } from '../client/informer.js';
import { runController } from '../client/run-controller.js';
import { workQueue } from '../client/work-queue.js';
import type { Exec } from './exec.js';
import { formatCidr, parseCidr } from './cidr.js';
import type { OwnedRoute } from './host-guards.js';
import { listOwnedRoutes, routeProto } from './host-guards.js';

/** A host-gw route: a peer node's pod CIDR via that node's InternalIP. */
export interface PodRoute { dst: string; via: string }

/** The peers' pod CIDR routes this node needs (IPv4; nodes without podCIDR or InternalIP are skipped). Pure. */
export function desiredPodRoutes(all: readonly NodeObject[], self: string): PodRoute[] {
  const out: PodRoute[] = [];
  for (const n of all) {
    if (n.metadata.name === self) continue;
    const cidr = [n.spec?.podCIDR, ...(n.spec?.podCIDRs ?? [])].find((c) => !!c && !c.includes(':'));
    const via = n.status?.addresses?.find((a) => a.type === 'InternalIP' && !a.address.includes(':'))?.address;
    if (!cidr || !via) continue;
    out.push({ dst: formatCidr(parseCidr(cidr)), via });
  }
  return out.sort((a, b) => a.dst.localeCompare(b.dst));
}

/** What to add and remove so that our gateway routes are exactly `desired`. Pure. */
export function planPodRoutes(desired: readonly PodRoute[], existing: readonly OwnedRoute[]): { add: PodRoute[]; remove: PodRoute[] } {
  const have = new Map(existing.filter((r) => r.gateway).map((r) => [r.dst, r.gateway!]));
  const want = new Map(desired.map((r) => [r.dst, r.via]));
  return {
    add: desired.filter((r) => have.get(r.dst) !== r.via),
    remove: [...have].filter(([dst]) => !want.has(dst)).map(([dst, via]) => ({ dst, via })),
  };
}

/** Makes the kernel's gateway routes match `desired` (`ip route replace … proto 147`). */
export async function syncPodRoutes(desired: readonly PodRoute[], exec: Exec, log: Logger, signal?: AbortSignal): Promise<void> {
  const plan = planPodRoutes(desired, await listOwnedRoutes(exec, signal));
  for (const r of plan.remove) await exec('ip', ['route', 'del', r.dst, 'via', r.via, 'proto', routeProto], { signal });
  const failures: unknown[] = [];
  for (const r of plan.add) {
    try {
      await exec('ip', ['route', 'replace', r.dst, 'via', r.via, 'proto', routeProto], { signal });
      log.info('added pod CIDR route', { dst: r.dst, via: r.via });
    } catch (err) {
      failures.push(err);
      log.warn('cannot route a peer pod CIDR (is the peer on this link?)', { dst: r.dst, via: r.via, err });
    }
  }
  if (failures.length) throw new Error(`${failures.length} pod CIDR route(s) failed`, { cause: failures[0] });
}

export interface NodeRoutesDeps {
  informers: SharedInformerFactory;
  exec: Exec;
  nodeName: string;
  log: Logger;
  /** Resync period (routes someone else removed come back). Default 60 s. */
  resyncMs?: number;
}

const routesKey = 'pod-cidr-routes';

/**
 * Host-gw routing: keeps a route to every peer's pod CIDR via its InternalIP, from the Node
 * objects. One key in a work queue: every Node event asks for the one sync, which the shared
 * runner retries with backoff when a route cannot be installed.
 */
export function nodeRoutes(deps: NodeRoutesDeps): { run(signal: AbortSignal): Promise<void> } {
  const log = deps.log.child({ component: 'node-routes' });
  const nodeCache = deps.informers.for(nodes);
  const queue = workQueue();
  nodeCache.onChange(() => queue.add(routesKey));
  const controller = {
    name: 'node-routes',
    informers: [nodeCache],
    queue,
    async sync(_key: string, signal: AbortSignal) {
      await syncPodRoutes(desiredPodRoutes(nodeCache.list(), deps.nodeName), deps.exec, log, signal);
      queue.addAfter(routesKey, deps.resyncMs ?? 60_000);
    },
  };
  return {
    run: async (signal) => {
      queue.add(routesKey);
      await runController(controller, signal, { log });
    },
  };
}
