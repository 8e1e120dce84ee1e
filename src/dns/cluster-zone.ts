import type { EndpointSliceObject } from '../api/resources/discovery/endpoint-slices.js';
import type { ServiceObject } from '../api/resources/core/services.js';
import type { Informer } from '../client/informer.js';
import type { Question, ResourceRecord, Soa } from './wire.js';
import { RRClass, RRType, Rcode, canonicalName } from './wire.js';

/** The cluster's answer to one question, authoritative. */
export interface ZoneAnswer {
  rcode: number;
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
}

export interface ClusterZoneOptions {
  services: Informer<ServiceObject>;
  endpointSlices: Informer<EndpointSliceObject>;
  /** cluster.local */
  clusterDomain: string;
  /** TTL of every answer; default 5 s (CoreDNS's kubernetes plugin). */
  ttl?: number;
  /** The DNS server's own address, for the NS glue. */
  dnsIP?: string;
}

export interface ClusterZone {
  /** The answer for names of the cluster domain (and reverse names of known IPs), or undefined: forward it. */
  answer(q: Question): ZoneAnswer | undefined;
}

const serviceLabel = 'kubernetes.io/service-name';
const byServiceIndex = 'dns/service';
const byClusterIPIndex = 'dns/cluster-ip';
const byAddressIndex = 'dns/address';

interface ReadyEndpoint { ip: string; hostname?: string; ports: { name: string; protocol: string; port: number }[] }

/**
 * Cluster DNS records as the Kubernetes DNS specification defines them, served from the
 * Service and EndpointSlice caches: A for `svc.ns.svc.<domain>` (the ClusterIP, or the ready
 * endpoints of a headless Service), endpoint hostnames under headless Services, SRV for named
 * ports, `a-b-c-d.ns.pod.<domain>`, PTR for ClusterIPs and headless endpoints, CNAME for
 * ExternalName, NODATA (AAAA of an IPv4 name) and NXDOMAIN with the zone's SOA.
 */
export function clusterZone(opts: ClusterZoneOptions): ClusterZone {
  const domain = canonicalName(opts.clusterDomain);
  const ttl = opts.ttl ?? 5;
  const svcs = opts.services;
  const slices = opts.endpointSlices;
  svcs.addIndex(byClusterIPIndex, (s) => (s.spec?.clusterIP && s.spec.clusterIP !== 'None' ? [s.spec.clusterIP] : []));
  slices.addIndex(byServiceIndex, (s) => {
    const name = s.metadata.labels?.[serviceLabel];
    return name ? [`${s.metadata.namespace}/${name}`] : [];
  });
  slices.addIndex(byAddressIndex, (s) => (s.endpoints ?? []).flatMap((e) => e.addresses ?? []));

  const soa: ResourceRecord = {
    name: `${domain}.`, type: RRType.SOA, class: RRClass.IN, ttl,
    data: { mname: `ns.dns.${domain}.`, rname: `hostmaster.${domain}.`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: ttl } satisfies Soa,
  };
  const rr = (name: string, type: number, data: ResourceRecord['data']): ResourceRecord => ({ name, type, class: RRClass.IN, ttl, data });
  const answer = (answers: ResourceRecord[], additionals: ResourceRecord[] = []): ZoneAnswer =>
    ({ rcode: Rcode.NOERROR, answers, authorities: answers.length ? [] : [soa], additionals });
  const nodata = (): ZoneAnswer => answer([]);
  const nxdomain = (): ZoneAnswer => ({ rcode: Rcode.NXDOMAIN, answers: [], authorities: [soa], additionals: [] });

  function readyEndpoints(ns: string, name: string): ReadyEndpoint[] {
    const out = new Map<string, ReadyEndpoint>();
    for (const s of slices.byIndex(byServiceIndex, `${ns}/${name}`)) {
      if (s.addressType !== 'IPv4') continue;
      const ports = (s.ports ?? []).map((p) => ({ name: p.name ?? '', protocol: (p.protocol ?? 'TCP').toLowerCase(), port: p.port ?? 0 }));
      for (const e of s.endpoints ?? []) {
        if (e.conditions?.ready === false) continue;
        for (const ip of e.addresses ?? []) {
          const prior = out.get(ip);
          out.set(ip, { ip, hostname: e.hostname ?? prior?.hostname, ports: [...(prior?.ports ?? []), ...ports] });
        }
      }
    }
    return [...out.values()].sort((a, b) => a.ip.localeCompare(b.ip, 'en', { numeric: true }));
  }

  const dashed = (ip: string) => ip.replace(/\./g, '-');
  const endpointLabel = (e: ReadyEndpoint) => e.hostname ?? dashed(e.ip);

  function serviceAnswer(q: Question, qname: string, svc: ServiceObject, ns: string, name: string): ZoneAnswer {
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName') {
      if (!spec.externalName) return nodata();
      const cname = rr(qname, RRType.CNAME, `${canonicalName(spec.externalName)}.`);
      if (q.type === RRType.CNAME || q.type === RRType.ANY) return answer([cname]);
      // Chase a target inside the cluster domain; an outside target is left to the client's resolver.
      const target = canonicalName(spec.externalName);
      if (target.endsWith(`.${domain}`)) {
        const more = resolveName({ ...q, name: `${target}.` });
        return { ...(more ?? nodata()), rcode: more?.rcode ?? Rcode.NOERROR, answers: [cname, ...(more?.answers ?? [])] };
      }
      return answer([cname]);
    }
    const headless = !spec.clusterIP || spec.clusterIP === 'None';
    if (q.type === RRType.A || q.type === RRType.ANY) {
      if (!headless) return answer([rr(qname, RRType.A, spec.clusterIP!)]);
      return answer(readyEndpoints(ns, name).map((e) => rr(qname, RRType.A, e.ip)));
    }
    if (q.type === RRType.SRV) return srvAnswer(qname, svc, ns, name, undefined, undefined);
    return nodata();
  }

  function srvAnswer(qname: string, svc: ServiceObject, ns: string, name: string, portName: string | undefined, proto: string | undefined): ZoneAnswer {
    const spec = svc.spec ?? {};
    const base = `${name}.${ns}.svc.${domain}.`;
    const headless = !spec.clusterIP || spec.clusterIP === 'None';
    const answers: ResourceRecord[] = [];
    const additionals: ResourceRecord[] = [];
    const matches = (pName: string, pProto: string) => (portName === undefined || pName === portName) && (proto === undefined || pProto === proto);
    if (!headless) {
      for (const p of spec.ports ?? []) {
        if (!p.name && portName !== undefined) continue;
        if (!matches(p.name ?? '', (p.protocol ?? 'TCP').toLowerCase())) continue;
        answers.push(rr(qname, RRType.SRV, { priority: 0, weight: 100, port: p.port, target: base }));
      }
      if (answers.length) additionals.push(rr(base, RRType.A, spec.clusterIP!));
    } else {
      const eps = readyEndpoints(ns, name);
      const records: { port: number; target: string; ip: string }[] = [];
      for (const e of eps) {
        for (const p of e.ports) {
          if ((!p.name && portName !== undefined) || !matches(p.name, p.protocol)) continue;
          records.push({ port: p.port, target: `${endpointLabel(e)}.${base}`, ip: e.ip });
        }
      }
      const weight = records.length ? Math.max(1, Math.floor(100 / records.length)) : 0;
      const seen = new Set<string>();
      for (const r of records) {
        answers.push(rr(qname, RRType.SRV, { priority: 0, weight, port: r.port, target: r.target }));
        if (!seen.has(r.target)) { seen.add(r.target); additionals.push(rr(r.target, RRType.A, r.ip)); }
      }
    }
    return answers.length || portName === undefined ? answer(answers, additionals) : nxdomain();
  }

  function resolveName(q: Question): ZoneAnswer | undefined {
    const qname = q.name.endsWith('.') ? q.name : `${q.name}.`;
    const name = canonicalName(q.name);
    if (name.endsWith('.in-addr.arpa')) return reverse(qname, name);
    if (name !== domain && !name.endsWith(`.${domain}`)) return undefined;
    const labels = name === domain ? [] : name.slice(0, -(domain.length + 1)).split('.');
    const n = labels.length;
    if (n === 0) {
      if (q.type === RRType.SOA) return answer([soa]);
      if (q.type === RRType.NS) return answer([rr(qname, RRType.NS, `ns.dns.${domain}.`)], opts.dnsIP ? [rr(`ns.dns.${domain}.`, RRType.A, opts.dnsIP)] : []);
      return nodata();
    }
    const kind = labels[n - 1];
    if (kind === 'svc') {
      if (n === 1) return nodata();
      const ns = labels[n - 2]!;
      if (n === 2) return svcs.list(ns).length ? nodata() : nxdomain();
      const svcName = labels[n - 3]!;
      const svc = svcs.get(`${ns}/${svcName}`);
      if (!svc) return nxdomain();
      if (n === 3) return serviceAnswer(q, qname, svc, ns, svcName);
      if (n === 4) {
        // <hostname or a-b-c-d>.svc.ns.svc.domain: one endpoint of a headless Service
        const label = labels[0]!;
        const ep = readyEndpoints(ns, svcName).find((e) => e.hostname === label || (!e.hostname && dashed(e.ip) === label) || dashed(e.ip) === label);
        if (!ep || (svc.spec?.clusterIP && svc.spec.clusterIP !== 'None')) return nxdomain();
        return q.type === RRType.A || q.type === RRType.ANY ? answer([rr(qname, RRType.A, ep.ip)]) : nodata();
      }
      if (n === 5 && labels[0]!.startsWith('_') && labels[1]!.startsWith('_')) {
        if (q.type !== RRType.SRV && q.type !== RRType.ANY) return nodata();
        return srvAnswer(qname, svc, ns, svcName, labels[0]!.slice(1), labels[1]!.slice(1));
      }
      return nxdomain();
    }
    if (kind === 'pod') {
      if (n <= 2) return nodata();
      if (n === 3) {
        const ip = labels[0]!.split('-');
        if (ip.length !== 4 || !ip.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return nxdomain();
        return q.type === RRType.A || q.type === RRType.ANY ? answer([rr(qname, RRType.A, ip.join('.'))]) : nodata();
      }
      return nxdomain();
    }
    return nxdomain();
  }

  function reverse(qname: string, name: string): ZoneAnswer | undefined {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4) return undefined;
    const ip = parts.reverse().join('.');
    const names: string[] = [];
    for (const s of svcs.byIndex(byClusterIPIndex, ip)) names.push(`${s.metadata.name}.${s.metadata.namespace}.svc.${domain}.`);
    for (const slice of slices.byIndex(byAddressIndex, ip)) {
      const svcName = slice.metadata.labels?.[serviceLabel];
      const svc = svcName ? svcs.get(`${slice.metadata.namespace}/${svcName}`) : undefined;
      if (!svc || (svc.spec?.clusterIP && svc.spec.clusterIP !== 'None')) continue;
      for (const e of slice.endpoints ?? []) {
        if (!e.addresses?.includes(ip) || e.conditions?.ready === false) continue;
        names.push(`${e.hostname ?? dashed(ip)}.${svcName}.${slice.metadata.namespace}.svc.${domain}.`);
      }
    }
    if (names.length === 0) return undefined;
    return answer([...new Set(names)].map((n) => rr(qname, RRType.PTR, n)));
  }

  return {
    answer(q) {
      if (q.class !== RRClass.IN && q.class !== 255) return undefined;
      return resolveName(q);
    },
  };
}
