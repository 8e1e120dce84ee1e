import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import type { FieldError, ObjectMeta, Writable } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { formatLabels } from '../../printers.js';
import { child, semanticEqual, validateNonnegative } from '../../validation/index.js';
import { matchesLabels, selectorFromSet } from '../../selectors/index.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { ageColumn, templateColumns } from './pod-printers.js';

export type ReplicationControllerObject = Omit<Writable<ReplicationController>, 'metadata'> & { metadata: ObjectMeta };

/** SetDefaults_ReplicationController: selector and labels from the template, replicas 1. */
export function defaultReplicationController(rc: ReplicationControllerObject): void {
  rc.spec ??= {};
  const labels = rc.spec.template?.metadata?.labels;
  if (labels) {
    if (!rc.spec.selector || Object.keys(rc.spec.selector).length === 0) rc.spec.selector = { ...labels };
    if (!rc.metadata.labels || Object.keys(rc.metadata.labels).length === 0) rc.metadata.labels = { ...labels };
  }
  rc.spec.replicas ??= 1;
  defaultPodTemplateSpec(rc.spec.template);
}

/** ValidateReplicationControllerSpec with ValidatePodTemplateSpecForRC. */
export function validateReplicationController(rc: ReplicationControllerObject): FieldError[] {
  const spec = rc.spec ?? {};
  const errs: FieldError[] = [
    ...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...validateNonnegative(spec.replicas, 'spec.replicas'),
  ];
  if (!spec.selector || Object.keys(spec.selector).length === 0) errs.push(fieldErr.required('spec.selector', ''));
  const tPath = 'spec.template';
  const t = spec.template;
  if (!t) return [...errs, fieldErr.required(tPath, '')];
  const sel = selectorFromSet(spec.selector);
  if (sel.length > 0 && !matchesLabels(sel, t.metadata?.labels ?? {})) {
    errs.push(fieldErr.invalid(child(tPath, 'metadata', 'labels'), t.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(t, tPath));
  if (t.spec?.restartPolicy !== 'Always') errs.push(fieldErr.notSupported(child(tPath, 'spec', 'restartPolicy'), t.spec?.restartPolicy ?? '', ['Always']));
  if (t.spec?.activeDeadlineSeconds != null) {
    errs.push(fieldErr.forbidden(child(tPath, 'spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in ReplicationController is not Supported'));
  }
  return errs;
}

export function validateReplicationControllerStatus(rc: ReplicationControllerObject): FieldError[] {
  const st = rc.status ?? { replicas: 0 };
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

export const replicationControllers = defineResource<ReplicationControllerObject>({
  group: '', version: 'v1', kind: 'ReplicationController', plural: 'replicationcontrollers', scope: 'Namespaced',
  shortNames: ['rc'], categories: ['all'], schema: 'io.k8s.api.core.v1.ReplicationController',
  subresources: { status: true, scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'spec.selector' } },
  defaults: defaultReplicationController,
  validate: validateReplicationController,
  validateStatus: validateReplicationControllerStatus,
  prepareForCreate(rc) { rc.status = { replicas: 0 }; rc.metadata.generation = 1; },
  prepareForUpdate(rc, old) {
    rc.status = old.status;
    if (!semanticEqual(rc.spec, old.spec)) rc.metadata.generation = (old.metadata.generation ?? 0) + 1;
  },
  printerColumns: [
    { name: 'Desired', type: 'integer', description: 'Replicas is the number of desired replicas.', cell: (rc) => rc.spec?.replicas ?? 0 },
    { name: 'Current', type: 'integer', description: 'Replicas is the most recently observed number of replicas.', cell: (rc) => rc.status?.replicas ?? 0 },
    { name: 'Ready', type: 'integer', description: 'The number of ready replicas for this replication controller.', cell: (rc) => rc.status?.readyReplicas ?? 0 },
    ageColumn<ReplicationControllerObject>(),
    ...templateColumns<ReplicationControllerObject>((rc) => rc.spec?.template),
    { name: 'Selector', type: 'string', priority: 1, description: 'Selector is a label query over pods that should match the Replicas count.', cell: (rc) => formatLabels(rc.spec?.selector) },
  ],
  fieldSelectors: { 'status.replicas': (rc) => String(rc.status?.replicas ?? 0) },
});
