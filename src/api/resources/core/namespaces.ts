import type { Namespace } from 'kubernetes-types/core/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { index, isDNS1123Label, isQualifiedName } from '../../validation/index.js';

export type NamespaceObject = Kube<Namespace>;

/** The finalizer the namespace controller removes once a namespace is empty. */
export const namespaceFinalizer = 'kubernetes';
export const namespaceNameLabel = 'kubernetes.io/metadata.name';

/** SetDefaults_Namespace / _NamespaceStatus: the name label and phase Active. */
export function defaultNamespace(ns: NamespaceObject): void {
  if (ns.metadata.name) (ns.metadata.labels ??= {})[namespaceNameLabel] = ns.metadata.name;
  const status = ((ns as { status?: NonNullable<Namespace['status']> }).status ??= {});
  status.phase ||= 'Active';
}

/** ValidateNamespace: spec.finalizers are qualified names (standard ones unprefixed). */
export function validateNamespace(ns: NamespaceObject): FieldError[] {
  const errs: FieldError[] = [];
  (ns.spec?.finalizers ?? []).forEach((f, i) => {
    if (!f.includes('/') && f !== namespaceFinalizer) {
      errs.push(fieldErr.invalid(index('spec.finalizers', i), f, 'name is neither a standard finalizer name nor is it fully qualified'));
    } else {
      for (const m of isQualifiedName(f)) errs.push(fieldErr.invalid(index('spec.finalizers', i), f, m));
    }
  });
  return errs;
}

export const namespaces = defineResource<NamespaceObject>({
  group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', scope: 'Cluster',
  shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: { status: true, other: ['finalize'] },
  schema: 'io.k8s.api.core.v1.Namespace',
  nameValidation: isDNS1123Label,
  defaults: defaultNamespace,
  validate: validateNamespace,
  prepareForCreate(ns) {
    Object.assign(ns, { status: { phase: 'Active' } });
    const fins = (ns.spec ??= {}).finalizers ?? [];
    if (!fins.includes(namespaceFinalizer)) ns.spec.finalizers = [...fins, namespaceFinalizer];
  },
  prepareForUpdate(ns, old) {
    // spec.finalizers change only through /finalize; status only through /status.
    ns.spec = { ...(ns.spec ?? {}), finalizers: old.spec?.finalizers };
    if (!old.spec?.finalizers) delete ns.spec.finalizers;
    Object.assign(ns, { status: old.status });
  },
  pendingDeletion: (ns) => (ns.spec?.finalizers?.length ?? 0) > 0,
  prepareForDelete(ns) { Object.assign(ns, { status: { ...(ns.status ?? {}), phase: 'Terminating' } }); },
  printerColumns: [
    { name: 'Status', type: 'string', description: 'The status of the namespace', cell: (n) => n.status?.phase ?? '' },
    { name: 'Age', type: 'string', cell: (n, now) => age(n.metadata.creationTimestamp, now) },
  ],
  fieldSelectors: { 'status.phase': (n) => n.status?.phase ?? '' },
});
