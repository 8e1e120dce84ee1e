import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { child, index, isDNS1123Label, isDNS1123Subdomain, isValidIP, parseIP, validateLabels } from '../../validation/index.js';

export type EndpointSliceObject = Kube<EndpointSlice>;

const addressTypes = ['FQDN', 'IPv4', 'IPv6'] as const;
export const maxEndpoints = 1000;
export const maxPorts = 20000;

/** SetDefaults_EndpointPort: name "" and protocol TCP. */
export function defaultEndpointSlice(es: EndpointSliceObject): void {
  for (const p of es.ports ?? []) { p.name ??= ''; p.protocol ??= 'TCP'; }
}

/** ValidateEndpointSlice(Create/Update): address type, addresses, ports; addressType is immutable. */
export function validateEndpointSlice(es: EndpointSliceObject, old?: EndpointSliceObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!es.addressType) errs.push(fieldErr.required('addressType', ''));
  else if (!(addressTypes as readonly string[]).includes(es.addressType)) errs.push(fieldErr.notSupported('addressType', es.addressType, addressTypes));
  const eps = es.endpoints ?? [];
  if (eps.length > maxEndpoints) errs.push(fieldErr.typeInvalid('endpoints', eps.length, `must have at most ${maxEndpoints} items`));
  eps.forEach((ep, i) => {
    const path = index('endpoints', i);
    const addrs = ep.addresses ?? [];
    if (addrs.length === 0) errs.push(fieldErr.required(child(path, 'addresses'), 'must contain at least 1 address'));
    else if (addrs.length > 100) errs.push(fieldErr.invalid(child(path, 'addresses'), addrs.length, 'must have at most 100 items'));
    addrs.forEach((a, j) => {
      const ap = index(child(path, 'addresses'), j);
      if (es.addressType === 'IPv4' || es.addressType === 'IPv6') {
        const want = es.addressType === 'IPv4' ? 4 : 6;
        if (isValidIP(a).length > 0) errs.push(fieldErr.invalid(ap, a, 'must be a valid IP address'));
        else if (parseIP(a) !== want) errs.push(fieldErr.invalid(ap, a, `must be an ${es.addressType} address`));
      } else if (es.addressType === 'FQDN') {
        for (const m of isDNS1123Subdomain(a)) errs.push(fieldErr.invalid(ap, a, m));
      }
    });
    if (ep.hostname) for (const m of isDNS1123Label(ep.hostname)) errs.push(fieldErr.invalid(child(path, 'hostname'), ep.hostname, m));
    if (ep.nodeName) for (const m of isDNS1123Subdomain(ep.nodeName)) errs.push(fieldErr.invalid(child(path, 'nodeName'), ep.nodeName, m));
  });
  const names = new Set<string>();
  (es.ports ?? []).forEach((p, i) => {
    const path = index('ports', i);
    const name = p.name ?? '';
    if (name) for (const m of isDNS1123Label(name)) errs.push(fieldErr.invalid(child(path, 'name'), name, m));
    if (names.has(name)) errs.push(fieldErr.duplicate(child(path, 'name'), name));
    names.add(name);
    if (!p.protocol) errs.push(fieldErr.required(child(path, 'protocol'), ''));
    else if (!['SCTP', 'TCP', 'UDP'].includes(p.protocol)) errs.push(fieldErr.notSupported(child(path, 'protocol'), p.protocol, ['SCTP', 'TCP', 'UDP']));
  });
  errs.push(...validateLabels(es.metadata.labels, 'metadata.labels'));
  if (old && old.addressType !== es.addressType) errs.push(fieldErr.invalid('addressType', es.addressType, 'field is immutable'));
  return errs;
}

function listWithMore(list: string[], more: boolean, count: number, max: number): string {
  const s = list.join(',');
  if (more) return `${s} + ${count - max} more...`;
  return s || '<unset>';
}

/** formatDiscoveryPorts: up to three port numbers (or names, `*` when neither). */
export function endpointSlicePortsCell(es: EndpointSliceObject): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const p of es.ports ?? []) {
    if (list.length < 3) list.push(p.port !== undefined ? String(p.port) : p.name !== undefined ? p.name : '*');
    else more = true;
    count++;
  }
  return listWithMore(list, more, count, 3);
}

/** formatDiscoveryEndpoints: up to three addresses. */
export function endpointSliceEndpointsCell(es: EndpointSliceObject): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ep of es.endpoints ?? []) {
    for (const a of ep.addresses ?? []) {
      if (list.length < 3) list.push(a);
      else more = true;
      count++;
    }
  }
  return listWithMore(list, more, count, 3);
}

export const endpointSlices = defineResource<EndpointSliceObject>({
  group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', scope: 'Namespaced',
  schema: 'io.k8s.api.discovery.v1.EndpointSlice',
  defaults: defaultEndpointSlice,
  validate: validateEndpointSlice,
  prepareForCreate(es) { Object.assign(es.metadata, { generation: 1 }); },
  printerColumns: [
    { name: 'AddressType', type: 'string', description: 'addressType specifies the type of address carried by this EndpointSlice.', cell: (e) => e.addressType ?? '' },
    { name: 'Ports', type: 'string', description: 'ports specifies the list of network ports exposed by each endpoint in this slice.', cell: endpointSlicePortsCell },
    { name: 'Endpoints', type: 'string', description: 'endpoints is a list of unique endpoints in this slice.', cell: endpointSliceEndpointsCell },
    { name: 'Age', type: 'string', cell: (e, now) => age(e.metadata.creationTimestamp, now) },
  ],
});
