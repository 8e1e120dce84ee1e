import type { HTTPIngressPath, Ingress, IngressBackend } from 'kubernetes-types/networking/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { child, index, isDNS1035Label, isDNS1123Subdomain, isValidPortName, isWildcardDNS1123Subdomain, validatePortNumber } from '../../validation/index.js';
import { semanticEqual } from '../../validation/index.js';

export type IngressObject = Kube<Ingress>;

const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'] as const;

function validateBackend(b: IngressBackend, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (b.service && b.resource) return [fieldErr.invalid(path, '', 'cannot set both resource and service backends')];
  if (b.service) {
    const svc = child(path, 'service');
    if (!b.service.name) errs.push(fieldErr.required(child(svc, 'name'), ''));
    else for (const m of isDNS1035Label(b.service.name)) errs.push(fieldErr.invalid(child(svc, 'name'), b.service.name, m));
    const port = b.service.port;
    if (!port || (port.name === undefined && port.number === undefined)) errs.push(fieldErr.required(child(svc, 'port'), 'port name or number is required'));
    else if (port.name && port.number) errs.push(fieldErr.invalid(child(svc, 'port'), port, 'cannot set both port name & port number'));
    else if (port.name) for (const m of isValidPortName(port.name)) errs.push(fieldErr.invalid(child(svc, 'port', 'name'), port.name, m));
    else errs.push(...validatePortNumber(port.number, child(svc, 'port', 'number')));
  } else if (b.resource) {
    const r = child(path, 'resource');
    if (!b.resource.kind) errs.push(fieldErr.required(child(r, 'kind'), ''));
    if (!b.resource.name) errs.push(fieldErr.required(child(r, 'name'), ''));
  } else {
    errs.push(fieldErr.invalid(path, '', 'resource or service backend is required'));
  }
  return errs;
}

function validatePath(p: HTTPIngressPath, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!p.pathType) errs.push(fieldErr.required(child(path, 'pathType'), 'pathType must be specified'));
  else if (!(pathTypes as readonly string[]).includes(p.pathType)) errs.push(fieldErr.notSupported(child(path, 'pathType'), p.pathType, pathTypes));
  if ((p.pathType === 'Exact' || p.pathType === 'Prefix') && !(p.path ?? '').startsWith('/')) {
    errs.push(fieldErr.invalid(child(path, 'path'), p.path ?? '', 'must be an absolute path'));
  }
  errs.push(...validateBackend(p.backend ?? {}, child(path, 'backend')));
  return errs;
}

/** ValidateIngressCreate/Update: backends, rules, paths. */
export function validateIngress(ing: IngressObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = ing.spec ?? {};
  if (!spec.defaultBackend && (spec.rules ?? []).length === 0) errs.push(fieldErr.invalid('spec', spec, 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  (spec.rules ?? []).forEach((r, i) => {
    const path = index('spec.rules', i);
    if (r.host) {
      const msgs = r.host.startsWith('*.') ? isWildcardDNS1123Subdomain(r.host) : isDNS1123Subdomain(r.host);
      for (const m of msgs) errs.push(fieldErr.invalid(child(path, 'host'), r.host, m));
    }
    if (r.http) {
      if ((r.http.paths ?? []).length === 0) errs.push(fieldErr.required(child(path, 'http', 'paths'), ''));
      r.http.paths.forEach((p, j) => errs.push(...validatePath(p, index(child(path, 'http', 'paths'), j))));
    }
  });
  if (spec.ingressClassName) for (const m of isDNS1123Subdomain(spec.ingressClassName)) errs.push(fieldErr.invalid('spec.ingressClassName', spec.ingressClassName, m));
  return errs;
}

/** formatHosts: up to three hosts, `*` when none. */
export function ingressHostsCell(ing: IngressObject): string {
  const rules = ing.spec?.rules ?? [];
  const max = 3;
  const list: string[] = [];
  let more = false;
  for (const r of rules) {
    if (list.length === max) more = true;
    if (!more && r.host) list.push(r.host);
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${rules.length - max} more...` : list.join(',');
}

export function ingressAddressCell(ing: IngressObject): string {
  return [...new Set((ing.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter((s) => s))].sort().join(',');
}

export const ingresses = defineResource<IngressObject>({
  group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', scope: 'Namespaced',
  shortNames: ['ing'],
  subresources: { status: true },
  schema: 'io.k8s.api.networking.v1.Ingress',
  validate: validateIngress,
  prepareForCreate(ing) { Object.assign(ing, { status: {} }); Object.assign(ing.metadata, { generation: 1 }); },
  prepareForUpdate(ing, old) {
    Object.assign(ing, { status: old.status });
    if (!semanticEqual(ing.spec, old.spec)) Object.assign(ing.metadata, { generation: (old.metadata.generation ?? 0) + 1 });
  },
  printerColumns: [
    { name: 'Class', type: 'string', description: 'The name of the IngressClass resource that should be used for additional configuration', cell: (i) => i.spec?.ingressClassName ?? '<none>' },
    { name: 'Hosts', type: 'string', description: 'Hosts that incoming requests are matched against before the ingress rule', cell: ingressHostsCell },
    { name: 'Address', type: 'string', description: 'Address is a list containing ingress points for the load-balancer', cell: ingressAddressCell },
    { name: 'Ports', type: 'string', description: 'Ports of TLS configurations that open', cell: (i) => ((i.spec?.tls ?? []).length ? '80, 443' : '80') },
    { name: 'Age', type: 'string', cell: (i, now) => age(i.metadata.creationTimestamp, now) },
  ],
});
