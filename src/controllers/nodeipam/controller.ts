import { nodes, type NodeObject } from '../../api/resources/index.js';
import { isNotFound } from '../../api/errors.js';
import type { Controller } from '../../client/run-controller.js';
import type { Key } from '../../client/work-queue.js';
import type { ControllerDeps } from '../controller-deps.js';
import { CidrSet } from './cidr-set.js';

export interface NodeIpamOptions {
  /** --cluster-cidr. */
  clusterCidr: string;
  /** --node-cidr-mask-size. Default 24. */
  nodeCidrMaskSize?: number;
}

/** nodeutil.RecordNodeStatusChange's message. */
export const nodeStatusMessage = (node: string, status: string) => `Node ${node} status is now: ${status}`;

/**
 * The node IPAM controller with the range allocator (pkg/controller/nodeipam): each node gets
 * a /nodeCidrMaskSize out of the cluster CIDR in spec.podCIDR and spec.podCIDRs; the pool is
 * rebuilt from the nodes on start, so allocations survive restarts; a deleted node's range
 * returns to the pool; a full pool records CIDRNotAvailable on the node.
 */
export function nodeIpamController(deps: ControllerDeps, opts: NodeIpamOptions): Controller {
  const { client, informers, queue, recorder } = deps;
  const log = deps.log.child({ controller: 'nodeipam' });
  const set = new CidrSet(opts.clusterCidr, opts.nodeCidrMaskSize ?? 24);
  const nodeCache = informers.for(nodes);
  /** Ranges handed out and not yet seen on the node (nodesInProcessing), plus those seen. */
  const assigned = new Map<string, string>();
  let initialized = false;

  nodeCache.onAdd((n) => queue.add(n.metadata.name ?? ''));
  nodeCache.onUpdate((old, n) => { if (old !== n && !n.spec?.podCIDR) queue.add(n.metadata.name ?? ''); });
  nodeCache.onDelete((n) => {
    const name = n.metadata.name ?? '';
    const cidr = n.spec?.podCIDR ?? assigned.get(name);
    assigned.delete(name);
    if (initialized && cidr && ![...assigned.values()].includes(cidr)) set.release(cidr);
  });

  /** occupyCIDRs for every node already holding a range: allocation is stable across restarts. */
  function initialize(): void {
    for (const n of nodeCache.list()) {
      for (const cidr of n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])) {
        if (set.occupy(cidr)) assigned.set(n.metadata.name ?? '', cidr);
        else log.warn('node pod CIDR is outside the cluster CIDR', { node: n.metadata.name, podCIDR: cidr });
      }
    }
    initialized = true;
  }

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    if (!initialized) initialize();
    const node = nodeCache.get(key);
    if (!node) return;
    if (node.spec?.podCIDR) {
      if (set.occupy(node.spec.podCIDR)) assigned.set(key, node.spec.podCIDR);
      return;
    }
    let cidr = assigned.get(key);
    if (!cidr) {
      cidr = set.allocateNext();
      if (!cidr) {
        recorder.event(nodes, node as NodeObject, 'Normal', 'CIDRNotAvailable', nodeStatusMessage(key, 'CIDRNotAvailable'));
        throw new Error(`failed to allocate cidr from cluster cidr ${opts.clusterCidr}: CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range`);
      }
      assigned.set(key, cidr);
    }
    try {
      await client.patch(nodes, '', key, 'strategic', { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, { signal });
      log.info('set node pod CIDR', { node: key, podCIDR: cidr });
    } catch (err) {
      if (isNotFound(err)) { assigned.delete(key); set.release(cidr); return; }
      recorder.event(nodes, node as NodeObject, 'Normal', 'CIDRAssignmentFailed', nodeStatusMessage(key, 'CIDRAssignmentFailed'));
      throw err;
    }
  }

  return { name: 'nodeipam', queue, informers: [nodeCache], sync };
}
