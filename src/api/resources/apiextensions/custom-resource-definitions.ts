import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { child, index, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, semanticEqual } from '../../validation/index.js';

export type CustomResourceDefinitionObject = Kube<CustomResourceDefinition>;

/** SetDefaults_CustomResourceDefinition(+Spec): singular, listKind, conversion strategy. */
export function defaultCustomResourceDefinition(crd: CustomResourceDefinitionObject): void {
  const spec = crd.spec;
  if (!spec) return;
  const names = spec.names;
  if (names) {
    if (!names.singular && names.kind) names.singular = names.kind.toLowerCase();
    if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  }
  spec.conversion ??= { strategy: 'None' };
  if (spec.conversion.strategy === 'Webhook' && spec.conversion.webhook?.clientConfig?.service) {
    spec.conversion.webhook.clientConfig.service.port ??= 443;
  }
}

/** ValidateCustomResourceDefinition's central rules, with upstream messages. */
export function validateCustomResourceDefinition(crd: CustomResourceDefinitionObject, old?: CustomResourceDefinitionObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = crd.spec ?? ({} as CustomResourceDefinition['spec']);
  const names = spec.names ?? ({} as CustomResourceDefinition['spec']['names']);
  const name = crd.metadata.name ?? '';
  if (name !== `${names.plural}.${spec.group}`) errs.push(fieldErr.invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  if (!spec.group) errs.push(fieldErr.required('spec.group', ''));
  else {
    for (const m of isDNS1123Subdomain(spec.group)) errs.push(fieldErr.invalid('spec.group', spec.group, m));
    if (spec.group.split('.').length < 2) errs.push(fieldErr.invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  }
  if (!spec.scope) errs.push(fieldErr.required('spec.scope', ''));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') errs.push(fieldErr.notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  const nameField = (f: 'plural' | 'singular' | 'kind' | 'listKind', v: string | undefined, required: boolean): void => {
    const path = child('spec.names', f);
    if (!v) { if (required) errs.push(fieldErr.required(path, '')); return; }
    if (f === 'plural' || f === 'singular') for (const m of isDNS1035Label(v)) errs.push(fieldErr.invalid(path, v, m));
    else for (const m of isDNS1035Label(v.toLowerCase())) errs.push(fieldErr.invalid(path, v, m));
  };
  nameField('plural', names.plural, true);
  nameField('singular', names.singular, false);
  nameField('kind', names.kind, true);
  nameField('listKind', names.listKind, true);
  if (names.kind && names.listKind && names.kind === names.listKind) errs.push(fieldErr.invalid('spec.names.listKind', names.listKind, 'kind and listKind may not be the same'));
  (names.shortNames ?? []).forEach((s, i) => { for (const m of isDNS1035Label(s)) errs.push(fieldErr.invalid(index('spec.names.shortNames', i), s, m)); });
  (names.categories ?? []).forEach((c, i) => { for (const m of isDNS1123Label(c)) errs.push(fieldErr.invalid(index('spec.names.categories', i), c, m)); });
  const versions = spec.versions ?? [];
  if (versions.length === 0) errs.push(fieldErr.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  else if (versions.filter((v) => v.storage).length !== 1) errs.push(fieldErr.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const path = index('spec.versions', i);
    if (!v.name) errs.push(fieldErr.required(child(path, 'name'), ''));
    else {
      for (const m of isDNS1035Label(v.name)) errs.push(fieldErr.invalid(child(path, 'name'), v.name, m));
      if (seen.has(v.name)) errs.push(fieldErr.invalid(path, v.name, 'must be unique'));
      seen.add(v.name);
    }
    if (!v.schema?.openAPIV3Schema) errs.push(fieldErr.required(child(path, 'schema', 'openAPIV3Schema'), 'schemas are required'));
    (v.additionalPrinterColumns ?? []).forEach((c, j) => {
      const cp = index(child(path, 'additionalPrinterColumns'), j);
      if (!c.name) errs.push(fieldErr.required(child(cp, 'name'), ''));
      if (!c.jsonPath) errs.push(fieldErr.required(child(cp, 'jsonPath'), ''));
      const types = ['boolean', 'date', 'integer', 'number', 'string'];
      if (!types.includes(c.type)) errs.push(fieldErr.notSupported(child(cp, 'type'), c.type, types));
    });
  });
  if (!versions.some((v) => v.served)) errs.push(fieldErr.invalid('spec.versions', versions, 'must have at least one version marked as served'));
  const strategy = spec.conversion?.strategy;
  if (strategy && strategy !== 'None' && strategy !== 'Webhook') errs.push(fieldErr.notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  if (old) {
    if (old.spec?.group !== spec.group) errs.push(fieldErr.invalid('spec.group', spec.group, 'field is immutable'));
    if (old.spec?.names?.plural !== names.plural) errs.push(fieldErr.invalid('spec.names.plural', names.plural, 'field is immutable'));
    const stored = new Set(old.status?.storedVersions ?? []);
    for (const v of stored) {
      if (!versions.some((x) => x.name === v)) {
        errs.push(fieldErr.invalid('status.storedVersions', [...stored], `must appear in spec.versions`));
        break;
      }
    }
  }
  return errs;
}

export const customResourceDefinitions = defineResource<CustomResourceDefinitionObject>({
  group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', scope: 'Cluster',
  shortNames: ['crd', 'crds'], categories: ['api-extensions'],
  subresources: { status: true },
  schema: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
  defaults: defaultCustomResourceDefinition,
  validate: validateCustomResourceDefinition,
  prepareForCreate(crd) {
    const stored = (crd.spec?.versions ?? []).filter((v) => v.storage).map((v) => v.name);
    Object.assign(crd, { status: { storedVersions: stored, acceptedNames: { plural: '', kind: '' } } });
    Object.assign(crd.metadata, { generation: 1 });
  },
  prepareForUpdate(crd, old) {
    const status = { ...(old.status ?? {}) } as NonNullable<CustomResourceDefinition['status']>;
    const stored = new Set(status.storedVersions ?? []);
    for (const v of crd.spec?.versions ?? []) if (v.storage && !stored.has(v.name)) stored.add(v.name);
    status.storedVersions = [...stored];
    Object.assign(crd, { status });
    if (!semanticEqual(crd.spec, old.spec)) Object.assign(crd.metadata, { generation: (old.metadata.generation ?? 0) + 1 });
  },
  printerColumns: [
    { name: 'Created At', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', cell: (c) => c.metadata.creationTimestamp ?? '' },
  ],
});
