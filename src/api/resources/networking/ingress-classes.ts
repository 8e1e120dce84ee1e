import type { IngressClass } from 'kubernetes-types/networking/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { byteLength, isDNS1123Subdomain } from '../../validation/index.js';
import { semanticEqual } from '../../validation/index.js';

export type IngressClassObject = Kube<IngressClass>;

/** ValidateIngressClass: controller is a required, immutable, domain-prefixed path of ≤ 250 characters. */
export function validateIngressClass(ic: IngressClassObject, old?: IngressClassObject): FieldError[] {
  const errs: FieldError[] = [];
  const controller = ic.spec?.controller ?? '';
  if (!controller) errs.push(fieldErr.required('spec.controller', ''));
  else {
    if (byteLength(controller) > 250) errs.push(fieldErr.tooLong('spec.controller', 250));
    const [host, rest] = [controller.split('/')[0]!, controller.split('/').slice(1).join('/')];
    if (!controller.includes('/') || !host || !rest) errs.push(fieldErr.invalid('spec.controller', controller, 'must be a domain-prefixed path (such as "acme.io/foo")'));
    else for (const m of isDNS1123Subdomain(host)) errs.push(fieldErr.invalid('spec.controller', host, m));
  }
  const params = ic.spec?.parameters;
  if (params) {
    if (!params.kind) errs.push(fieldErr.required('spec.parameters.kind', ''));
    if (!params.name) errs.push(fieldErr.required('spec.parameters.name', ''));
    if (params.scope && !['Cluster', 'Namespace'].includes(params.scope)) errs.push(fieldErr.notSupported('spec.parameters.scope', params.scope, ['Cluster', 'Namespace']));
    if (params.scope === 'Namespace' && !params.namespace) errs.push(fieldErr.required('spec.parameters.namespace', '`parameters.scope` is set to \'Namespace\''));
  }
  if (old && (old.spec?.controller ?? '') !== controller) errs.push(fieldErr.invalid('spec.controller', controller, 'field is immutable'));
  return errs;
}

export function ingressClassParametersCell(ic: IngressClassObject): string {
  const p = ic.spec?.parameters;
  if (!p) return '<none>';
  return `${p.kind}${p.apiGroup !== undefined ? `.${p.apiGroup}` : ''}/${p.name}`;
}

export const ingressClasses = defineResource<IngressClassObject>({
  group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', plural: 'ingressclasses', scope: 'Cluster',
  schema: 'io.k8s.api.networking.v1.IngressClass',
  defaults(ic) { if (ic.spec?.parameters && !ic.spec.parameters.scope) ic.spec.parameters.scope = 'Cluster'; },
  validate: validateIngressClass,
  prepareForCreate(ic) { Object.assign(ic.metadata, { generation: 1 }); },
  prepareForUpdate(ic, old) { if (!semanticEqual(ic.spec, old.spec)) Object.assign(ic.metadata, { generation: (old.metadata.generation ?? 0) + 1 }); },
  printerColumns: [
    { name: 'Controller', type: 'string', description: 'Controller that is responsible for handling this class', cell: (i) => i.spec?.controller ?? '' },
    { name: 'Parameters', type: 'string', description: 'A reference to a resource with additional parameters', cell: ingressClassParametersCell },
    { name: 'Age', type: 'string', cell: (i, now) => age(i.metadata.creationTimestamp, now) },
  ],
});
