import { formatCidr, parseCidr, subnetAt, type Cidr } from '../../network/index.js';

/**
 * The node pod-CIDR pool (cidrset.CidrSet): the cluster CIDR cut into /maskSize subnets, a
 * used flag per subnet, and a rotating cursor so that released subnets are reused last.
 */
export class CidrSet {
  readonly cluster: Cidr;
  readonly maskSize: number;
  readonly #used: Uint8Array;
  #next = 0;
  #allocated = 0;

  constructor(clusterCidr: string, maskSize: number) {
    this.cluster = parseCidr(clusterCidr);
    if (maskSize < this.cluster.prefix || maskSize > 32) throw new Error(`node CIDR mask size ${maskSize} does not fit cluster CIDR ${formatCidr(this.cluster)}`);
    if (maskSize - this.cluster.prefix > 24) throw new Error(`cluster CIDR ${formatCidr(this.cluster)} holds too many /${maskSize} subnets`);
    this.maskSize = maskSize;
    this.#used = new Uint8Array(2 ** (maskSize - this.cluster.prefix));
  }

  get size(): number { return this.#used.length; }
  get allocated(): number { return this.#allocated; }

  /** The next free subnet, marked used; undefined when the pool is full. */
  allocateNext(): string | undefined {
    for (let i = 0; i < this.#used.length; i++) {
      const idx = (this.#next + i) % this.#used.length;
      if (this.#used[idx]) continue;
      this.#used[idx] = 1;
      this.#allocated++;
      this.#next = (idx + 1) % this.#used.length;
      return formatCidr(subnetAt(this.cluster, this.maskSize, idx));
    }
    return undefined;
  }

  /** Marks `cidr` used; false when it is not one of the pool's subnets. */
  occupy(cidr: string): boolean {
    const idx = this.#index(cidr);
    if (idx === undefined) return false;
    if (!this.#used[idx]) { this.#used[idx] = 1; this.#allocated++; }
    return true;
  }

  release(cidr: string): void {
    const idx = this.#index(cidr);
    if (idx === undefined || !this.#used[idx]) return;
    this.#used[idx] = 0;
    this.#allocated--;
  }

  isUsed(cidr: string): boolean {
    const idx = this.#index(cidr);
    return idx !== undefined && this.#used[idx] === 1;
  }

  #index(text: string): number | undefined {
    let c: Cidr;
    try { c = parseCidr(text); } catch { return undefined; }
    if (c.prefix !== this.maskSize) return undefined;
    const offset = c.base - this.cluster.base;
    const step = 2 ** (32 - this.maskSize);
    if (offset < 0 || offset % step !== 0) return undefined;
    const idx = offset / step;
    return idx < this.#used.length ? idx : undefined;
  }
}
