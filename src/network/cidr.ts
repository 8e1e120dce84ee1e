/** IPv4 CIDR arithmetic for the cluster, service and node ranges. */
export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

export function parseIPv4(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`invalid IPv4 address "${ip}"`);
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new Error(`invalid IPv4 address "${ip}"`);
    n = n * 256 + Number(p);
  }
  return n >>> 0;
}

export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

export function parseCidr(text: string): Cidr {
  const [ip, bits] = text.trim().split('/');
  const prefix = Number(bits);
  if (!ip || bits === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`invalid CIDR "${text}"`);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (parseIPv4(ip) & mask) >>> 0, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIPv4(c.base)}/${c.prefix}`;
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** The address `offset` into the range (0 = the network address). */
export function ipAt(c: Cidr, offset: number): string {
  if (offset < 0 || offset >= cidrSize(c)) throw new Error(`offset ${offset} outside ${formatCidr(c)}`);
  return formatIPv4((c.base + offset) >>> 0);
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const n = parseIPv4(ip);
  return n >= c.base && n < c.base + cidrSize(c);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);
}

/** The i-th subnet of size /`prefix` inside `c` (node pod CIDRs out of the cluster CIDR). */
export function subnetAt(c: Cidr, prefix: number, i: number): Cidr {
  if (prefix < c.prefix) throw new Error(`/${prefix} is larger than ${formatCidr(c)}`);
  const count = 2 ** (prefix - c.prefix);
  if (i < 0 || i >= count) throw new Error(`subnet ${i} outside ${formatCidr(c)}`);
  return { base: (c.base + i * 2 ** (32 - prefix)) >>> 0, prefix };
}
