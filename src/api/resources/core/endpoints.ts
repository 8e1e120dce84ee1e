import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { child, index, isDNS1123Label, isValidIP, validatePortNumber } from '../../validation/index.js';

export type EndpointsObject = Kube<Endpoints>;

/** SetDefaults_EndpointPort: protocol TCP. */
export function defaultEndpoints(ep: EndpointsObject): void {
  for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) p.protocol ??= 'TCP';
}

/** validateEndpointSubsets: addresses are IPs, ports valid and named when several. */
export function validateEndpoints(ep: EndpointsObject): FieldError[] {
  const errs: FieldError[] = [];
  (ep.subsets ?? []).forEach((ss, i) => {
    const path = index('subsets', i);
    const addr = (list: typeof ss.addresses, name: string): void => (list ?? []).forEach((a, j) => {
      const p = child(index(child(path, name), j), 'ip');
      if (!a.ip) errs.push(fieldErr.required(p, ''));
      else for (const m of isValidIP(a.ip)) errs.push(fieldErr.invalid(p, a.ip, m));
    });
    addr(ss.addresses, 'addresses');
    addr(ss.notReadyAddresses, 'notReadyAddresses');
    const ports = ss.ports ?? [];
    ports.forEach((port, j) => {
      const p = index(child(path, 'ports'), j);
      if (ports.length > 1 && !port.name) errs.push(fieldErr.required(child(p, 'name'), ''));
      else if (port.name) for (const m of isDNS1123Label(port.name)) errs.push(fieldErr.invalid(child(p, 'name'), port.name, m));
      errs.push(...validatePortNumber(port.port, child(p, 'port')));
      if (port.protocol && !['TCP', 'UDP', 'SCTP'].includes(port.protocol)) errs.push(fieldErr.notSupported(child(p, 'protocol'), port.protocol, ['SCTP', 'TCP', 'UDP']));
    });
  });
  return errs;
}

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** formatEndpoints: the first three `ip:port` pairs, then ` + N more...`; `<none>` without subsets. */
export function endpointsCell(ep: EndpointsObject): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addrs = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      count += addrs.length;
      for (const a of addrs) { if (list.length === max) { more = true; break; } list.push(a.ip); }
      continue;
    }
    for (const port of ports) {
      count += addrs.length;
      for (const a of addrs) { if (list.length === max) { more = true; break; } list.push(joinHostPort(a.ip, port.port)); }
    }
  }
  const s = list.join(',');
  return more ? `${s} + ${count - max} more...` : s;
}

export const endpoints = defineResource<EndpointsObject>({
  group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', scope: 'Namespaced',
  singular: 'endpoints',
  shortNames: ['ep'],
  schema: 'io.k8s.api.core.v1.Endpoints',
  defaults: defaultEndpoints,
  validate: validateEndpoints,
  printerColumns: [
    { name: 'Endpoints', type: 'string', description: 'The set of all endpoints is the union of all subsets.', cell: endpointsCell },
    { name: 'Age', type: 'string', cell: (e, now) => age(e.metadata.creationTimestamp, now) },
  ],
});
