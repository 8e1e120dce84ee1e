import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { ResourceDefinition } from '../../api/resource.js';
import type { FieldError } from '../../api/types.js';
import { fieldErr, invalid } from '../../api/errors.js';
import type { Store } from '../../storage/store.js';
import { KeyExistsError, KeyNotFoundError } from '../../storage/store.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.js';
import { type Cidr, cidrContains, cidrSize, ipAt, parseCidr } from '../../network/cidr.js';

export interface ServiceAllocationOptions {
  serviceCidr: string;
  /** e.g. '30000-32767' */
  nodePortRange: string;
}

/**
 * Allocation records live under /registry/ like everything else, so the watch cache follows
 * every revision the store hands out (consistent reads wait for the store's latest revision).
 */
const ipPrefix = '/registry/k8ts.io/serviceipallocations/';
const portPrefix = '/registry/k8ts.io/nodeportallocations/';

interface Held { ips: string[]; ports: number[] }

/**
 * ClusterIP and NodePort allocation. Each allocated address or port is a key created with
 * compare-and-swap in the datastore, so several API servers on one etcd never hand out the
 * same one; a failed or dry-run write gives back what it took.
 */
export function serviceAllocation(services: ResourceDefinition, store: Store, opts: ServiceAllocationOptions): AdmissionPlugin {
  const cidr = parseCidr(opts.serviceCidr);
  const [lo, hi] = parsePortRange(opts.nodePortRange);
  const taken = new WeakMap<AdmissionAttributes, Held>();
  const encoder = new TextEncoder();

  async function claim(key: string, owner: string): Promise<boolean> {
    try {
      await store.create(key, encoder.encode(JSON.stringify({ metadata: { name: key.slice(key.lastIndexOf('/') + 1) }, owner })));
      return true;
    } catch (err) {
      if (err instanceof KeyExistsError) return false;
      throw err;
    }
  }

  async function release(key: string): Promise<void> {
    try { await store.delete(key); } catch (err) { if (!(err instanceof KeyNotFoundError)) throw err; }
  }

  async function allocateIp(owner: string): Promise<string | undefined> {
    // Skip the network address and the first host (the kubernetes Service's fixed address).
    const size = cidrSize(cidr);
    const start = 2 + Math.floor(Math.random() * Math.max(1, size - 3));
    for (let i = 0; i < size - 3; i++) {
      const offset = 2 + ((start - 2 + i) % (size - 3));
      const ip = ipAt(cidr, offset);
      if (await claim(ipPrefix + ip, owner)) return ip;
    }
    return undefined;
  }

  async function allocatePort(owner: string): Promise<number | undefined> {
    const span = hi - lo + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const port = lo + ((start + i) % span);
      if (await claim(portPrefix + port, owner)) return port;
    }
    return undefined;
  }

  return {
    name: 'ServiceAllocation',
    async admit(a) {
      if (a.def !== services || a.subresource || !a.object || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
      const svc = a.object as unknown as Service;
      const old = a.old as unknown as Service | undefined;
      const spec = (svc.spec ??= {});
      const owner = `${a.namespace}/${a.name}`;
      const held: Held = { ips: [], ports: [] };
      taken.set(a, held);
      const errors: FieldError[] = [];
      const type = spec.type ?? 'ClusterIP';

      if (type === 'ExternalName') {
        delete spec.clusterIP; delete spec.clusterIPs;
      } else if (old?.spec?.clusterIP && old.spec.clusterIP !== 'None' && (!spec.clusterIP || spec.clusterIP === old.spec.clusterIP)) {
        spec.clusterIP = old.spec.clusterIP;
        spec.clusterIPs = old.spec.clusterIPs ?? [old.spec.clusterIP];
      } else if (spec.clusterIP === 'None') {
        spec.clusterIPs = ['None'];
      } else if (!spec.clusterIP) {
        const ip = await allocateIp(owner);
        if (!ip) errors.push(fieldErr.invalid('spec.clusterIPs', spec.clusterIPs ?? [], `failed to allocate IP: range is full`));
        else { held.ips.push(ip); spec.clusterIP = ip; spec.clusterIPs = [ip]; }
      } else if (!old?.spec?.clusterIP || old.spec.clusterIP !== spec.clusterIP) {
        const ip = spec.clusterIP;
        if (!isIPv4(ip) || !cidrContains(cidr, ip)) {
          errors.push(fieldErr.invalid('spec.clusterIPs', [ip], `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${opts.serviceCidr}`));
        } else if (!(await claim(ipPrefix + ip, owner))) {
          errors.push(fieldErr.invalid('spec.clusterIPs', [ip], `failed to allocate IP ${ip}: provided IP is already allocated`));
        } else { held.ips.push(ip); spec.clusterIPs = [ip]; }
      }
      if (type !== 'ExternalName' && spec.clusterIP !== 'None') {
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
      }

      const wantsNodePorts = type === 'NodePort' || (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
      const oldPorts = new Map<string, number>();
      for (const p of old?.spec?.ports ?? []) if (p.nodePort) oldPorts.set(portKey(p), p.nodePort);
      (spec.ports ?? []).forEach((p: ServicePort, i: number) => {
        if (!wantsNodePorts && p.nodePort && type !== 'LoadBalancer') {
          errors.push(fieldErr.forbidden(`spec.ports[${i}].nodePort`, 'may not be used when `type` is \'ClusterIP\''));
        }
      });
      if (wantsNodePorts) {
        const used = new Set<number>();
        for (const [i, p] of (spec.ports ?? []).entries()) {
          const path = `spec.ports[${i}].nodePort`;
          const previous = oldPorts.get(portKey(p));
          if (p.nodePort && p.nodePort === previous) { used.add(p.nodePort); continue; }
          if (!p.nodePort && previous) { p.nodePort = previous; used.add(previous); continue; }
          if (p.nodePort) {
            if (used.has(p.nodePort)) { used.add(p.nodePort); continue; }
            if (p.nodePort < lo || p.nodePort > hi) {
              errors.push(fieldErr.invalid(path, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${lo}-${hi}`));
            } else if (!(await claim(portPrefix + p.nodePort, owner))) {
              errors.push(fieldErr.invalid(path, p.nodePort, 'provided port is already allocated'));
            } else { held.ports.push(p.nodePort); used.add(p.nodePort); }
          } else {
            const port = await allocatePort(owner);
            if (!port) errors.push(fieldErr.invalid(path, 0, 'range is full'));
            else { held.ports.push(port); p.nodePort = port; used.add(port); }
          }
        }
        if (type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' && !spec.healthCheckNodePort) {
          const port = old?.spec?.healthCheckNodePort ?? await allocatePort(owner);
          if (port && port !== old?.spec?.healthCheckNodePort) held.ports.push(port);
          if (port) spec.healthCheckNodePort = port;
        }
      } else {
        for (const p of spec.ports ?? []) delete p.nodePort;
        delete spec.healthCheckNodePort;
      }
      if (errors.length) throw invalid('Service', '', a.name, errors);
    },
    async settled(a, ok) {
      if (a.def !== services || a.subresource) return;
      if (a.operation === 'DELETE') {
        if (!ok) return;
        const old = a.old as unknown as Service | undefined;
        await releaseAll(old);
        return;
      }
      const held = taken.get(a);
      if (!held) return;
      if (!ok) {
        for (const ip of held.ips) await release(ipPrefix + ip);
        for (const port of held.ports) await release(portPrefix + port);
        return;
      }
      // A successful update gives back what the old spec held and the new one does not.
      const before = a.old as unknown as Service | undefined;
      const after = a.object as unknown as Service | undefined;
      if (!before || !after) return;
      const keep = new Set(allocationsOf(after));
      for (const key of allocationsOf(before)) if (!keep.has(key)) await release(key);
    },
  };

  async function releaseAll(svc: Service | undefined): Promise<void> {
    for (const key of allocationsOf(svc)) await release(key);
  }

  function allocationsOf(svc: Service | undefined): string[] {
    const keys: string[] = [];
    const spec = svc?.spec;
    if (!spec) return keys;
    if (spec.clusterIP && spec.clusterIP !== 'None' && spec.clusterIP !== ipAt(cidr, 1)) keys.push(ipPrefix + spec.clusterIP);
    for (const p of spec.ports ?? []) if (p.nodePort) keys.push(portPrefix + p.nodePort);
    if (spec.healthCheckNodePort) keys.push(portPrefix + spec.healthCheckNodePort);
    return keys;
  }
}

function portKey(p: ServicePort): string {
  return `${p.port}/${p.protocol ?? 'TCP'}`;
}

export function parsePortRange(range: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(range.trim());
  if (!m) throw new Error(`invalid port range "${range}": want <from>-<to>`);
  const lo = Number(m[1]), hi = Number(m[2]);
  if (lo < 1 || hi > 65535 || lo > hi) throw new Error(`invalid port range "${range}"`);
  return [lo, hi];
}

function isIPv4(s: string): boolean {
  return /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s) && s.split('.').every((o) => Number(o) <= 255);
}

export type { Cidr };
