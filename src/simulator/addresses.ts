import { formatIPv4, parseCidr, cidrSize, type Cidr } from '../network/cidr.js';

/** The fake range the simulated nodes and their pods live in; nothing routes it outside the process. */
export const simulatedRange = parseCidr('10.42.0.0/16');
/** Node InternalIPs come from the top /20 of the range, fallback pod blocks from the rest. */
const nodeIpBlock: Cidr = { base: (simulatedRange.base + 0xf000) >>> 0, prefix: 20 };
const podSpace = 0xf000;

/** InternalIP of the i-th simulated node: 10.42.240.1, 10.42.240.2, … */
export function nodeInternalIP(index: number): string {
  if (index < 0 || index >= cidrSize(nodeIpBlock) - 2) throw new Error(`no simulated node address for index ${index}`);
  return formatIPv4((nodeIpBlock.base + 1 + index) >>> 0);
}

/** The block of pod addresses used for node `index` of `count` when it has no spec.podCIDR. */
export function fallbackPodBlock(index: number, count: number): { base: number; size: number } {
  const size = Math.max(4, Math.floor(podSpace / Math.max(1, count)));
  return { base: (simulatedRange.base + ((index * size) % podSpace)) >>> 0, size };
}

/**
 * Hands out pod IPs inside one block: the network address and the gateway (.1) are skipped,
 * released addresses are reused; when the block is exhausted, addresses wrap (simulation only).
 */
export class PodIpAllocator {
  readonly #used = new Map<string, number>();
  readonly #free = new Set<number>();
  #next = 2;
  constructor(readonly base: number, readonly size: number) {}

  static ofCidr(cidr: string): PodIpAllocator {
    const c = parseCidr(cidr);
    return new PodIpAllocator(c.base, cidrSize(c));
  }

  allocate(podKey: string): string {
    const have = this.#used.get(podKey);
    if (have !== undefined) return formatIPv4((this.base + have) >>> 0);
    let offset: number;
    const reuse = this.#free.values().next();
    if (!reuse.done) { offset = reuse.value; this.#free.delete(offset); } else {
      offset = this.#next;
      this.#next = this.#next + 1 >= this.size - 1 ? 2 : this.#next + 1;
    }
    this.#used.set(podKey, offset);
    return formatIPv4((this.base + offset) >>> 0);
  }

  release(podKey: string): void {
    const o = this.#used.get(podKey);
    if (o === undefined) return;
    this.#used.delete(podKey);
    this.#free.add(o);
  }
}
