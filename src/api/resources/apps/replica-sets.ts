import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { FieldError, ObjectMeta, Writable } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { child, semanticEqual, validateImmutableField, validateNonnegative } from '../../validation/index.js';
import { formatLabelSelector } from '../../selectors/index.js';
import { ageColumn, defaultPodTemplateSpec, templateColumns } from '../core/index.js';
import { validateTemplateForSelector, validateWorkloadSelector } from './workload-template.js';

export type ReplicaSetObject = Omit<Writable<ReplicaSet>, 'metadata'> & { metadata: ObjectMeta };

export function defaultReplicaSet(rs: ReplicaSetObject): void {
  rs.spec ??= { selector: {} };
  rs.spec.replicas ??= 1;
  defaultPodTemplateSpec(rs.spec.template);
}

/** ValidateReplicaSetSpec (its empty-selector message says "deployment", as upstream's does). */
export function validateReplicaSet(rs: ReplicaSetObject, old?: ReplicaSetObject): FieldError[] {
  const spec = rs.spec;
  if (!spec) return [fieldErr.required('spec', '')];
  const errs: FieldError[] = [
    ...validateNonnegative(spec.replicas, 'spec.replicas'),
    ...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'),
  ];
  const selector = validateWorkloadSelector(spec.selector, 'spec.selector', 'deployment', errs);
  if (selector !== undefined) errs.push(...validateTemplateForSelector(spec.template, selector, 'spec.template', 'ReplicaSet'));
  if (old) errs.push(...validateImmutableField(spec.selector, old.spec?.selector, 'spec.selector'));
  return errs;
}

export function validateReplicaSetStatus(rs: ReplicaSetObject): FieldError[] {
  const st = rs.status ?? { replicas: 0 };
  const errs: FieldError[] = [];
  for (const f of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const) {
    errs.push(...validateNonnegative(st[f], child('status', f)));
  }
  const r = st.replicas ?? 0;
  if ((st.fullyLabeledReplicas ?? 0) > r) errs.push(fieldErr.invalid('status.fullyLabeledReplicas', st.fullyLabeledReplicas, 'cannot be greater than the number of replicas'));
  if ((st.readyReplicas ?? 0) > r) errs.push(fieldErr.invalid('status.readyReplicas', st.readyReplicas, 'cannot be greater than the number of replicas'));
  if ((st.availableReplicas ?? 0) > r) errs.push(fieldErr.invalid('status.availableReplicas', st.availableReplicas, 'cannot be greater than the number of replicas'));
  if ((st.availableReplicas ?? 0) > (st.readyReplicas ?? 0)) errs.push(fieldErr.invalid('status.availableReplicas', st.availableReplicas, 'cannot be greater than readyReplicas'));
  return errs;
}

export const replicaSets = defineResource<ReplicaSetObject>({
  group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', scope: 'Namespaced',
  shortNames: ['rs'], categories: ['all'], schema: 'io.k8s.api.apps.v1.ReplicaSet',
  subresources: { status: true, scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'spec.selector' } },
  defaults: defaultReplicaSet,
  validate: validateReplicaSet,
  validateStatus: validateReplicaSetStatus,
  prepareForCreate(rs) { rs.status = { replicas: 0 }; rs.metadata.generation = 1; },
  prepareForUpdate(rs, old) {
    rs.status = old.status;
    if (!semanticEqual(rs.spec, old.spec)) rs.metadata.generation = (old.metadata.generation ?? 0) + 1;
  },
  printerColumns: [
    { name: 'Desired', type: 'integer', description: 'Replicas is the number of desired replicas.', cell: (rs) => rs.spec?.replicas ?? 0 },
    { name: 'Current', type: 'integer', description: 'Replicas is the most recently observed number of replicas.', cell: (rs) => rs.status?.replicas ?? 0 },
    { name: 'Ready', type: 'integer', description: 'The number of ready replicas for this replica set.', cell: (rs) => rs.status?.readyReplicas ?? 0 },
    ageColumn<ReplicaSetObject>(),
    ...templateColumns<ReplicaSetObject>((rs) => rs.spec?.template),
    { name: 'Selector', type: 'string', priority: 1, description: 'Selector is a label query over pods that should match the replica count.', cell: (rs) => formatLabelSelector(rs.spec?.selector) },
  ],
  fieldSelectors: { 'status.replicas': (rs) => String(rs.status?.replicas ?? 0) },
});
