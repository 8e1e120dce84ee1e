import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { FieldError, ObjectMeta, Writable } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { child, index, semanticEqual, validateNonnegative, isDNS1123Subdomain } from '../../validation/index.js';
import { ageColumn, defaultPersistentVolumeClaimSpec, defaultPodTemplateSpec, templateColumns } from '../core/index.js';
import { validatePositiveIntOrPercent } from './int-or-percent.js';
import { validateTemplateForSelector, validateWorkloadSelector } from './workload-template.js';

export type StatefulSetObject = Omit<Writable<StatefulSet>, 'metadata'> & { metadata: ObjectMeta };

/** SetDefaults_StatefulSet: OrderedReady, RollingUpdate with partition 0, Retain/Retain, 1 replica, 10 revisions. */
export function defaultStatefulSet(s: StatefulSetObject): void {
  s.spec ??= { selector: {}, template: {}, serviceName: '' };
  const spec = s.spec;
  spec.podManagementPolicy ||= 'OrderedReady';
  spec.updateStrategy ??= {};
  if (!spec.updateStrategy.type) {
    spec.updateStrategy.type = 'RollingUpdate';
    spec.updateStrategy.rollingUpdate ??= {};
  }
  if (spec.updateStrategy.type === 'RollingUpdate' && spec.updateStrategy.rollingUpdate) {
    spec.updateStrategy.rollingUpdate.partition ??= 0;
  }
  spec.persistentVolumeClaimRetentionPolicy ??= {};
  spec.persistentVolumeClaimRetentionPolicy.whenDeleted ||= 'Retain';
  spec.persistentVolumeClaimRetentionPolicy.whenScaled ||= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.template ??= {};
  defaultPodTemplateSpec(spec.template);
  for (const pvc of spec.volumeClaimTemplates ?? []) {
    pvc.spec ??= {};
    defaultPersistentVolumeClaimSpec(pvc.spec);
    // SetDefaults_PersistentVolumeClaim runs on the embedded claims too.
    (pvc as { status?: { phase?: string } }).status ??= {};
    (pvc as { status: { phase?: string } }).status.phase ||= 'Pending';
  }
}

export const statefulSetUpdateForbiddenMessage =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

/** ValidateStatefulSetSpec, plus ValidateStatefulSetUpdate on update. */
export function validateStatefulSet(s: StatefulSetObject, old?: StatefulSetObject): FieldError[] {
  const spec = s.spec;
  if (!spec) return [fieldErr.required('spec', '')];
  const errs: FieldError[] = [];
  switch (spec.podManagementPolicy ?? '') {
    case '': errs.push(fieldErr.required('spec.podManagementPolicy', '')); break;
    case 'OrderedReady': case 'Parallel': break;
    default: errs.push(fieldErr.invalid('spec.podManagementPolicy', spec.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
  }
  const us = spec.updateStrategy ?? {};
  switch (us.type ?? '') {
    case '': errs.push(fieldErr.required('spec.updateStrategy', '')); break;
    case 'OnDelete':
      if (us.rollingUpdate) errs.push(fieldErr.invalid('spec.updateStrategy.rollingUpdate', us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate':
      if (us.rollingUpdate) {
        errs.push(...validateNonnegative(us.rollingUpdate.partition, 'spec.updateStrategy.rollingUpdate.partition'));
        errs.push(...validatePositiveIntOrPercent(us.rollingUpdate.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
      }
      break;
    default: errs.push(fieldErr.invalid('spec.updateStrategy', us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const policy = spec.persistentVolumeClaimRetentionPolicy;
  for (const f of ['whenDeleted', 'whenScaled'] as const) {
    const v = policy?.[f];
    if (v != null && v !== 'Retain' && v !== 'Delete') errs.push(fieldErr.notSupported(child('spec.persistentVolumeClaimRetentionPolicy', f), v, ['Retain', 'Delete']));
  }
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (spec.ordinals) errs.push(...validateNonnegative(spec.ordinals.start, 'spec.ordinals.start'));
  if (spec.serviceName) {
    for (const m of isDNS1123Subdomain(spec.serviceName)) errs.push(fieldErr.invalid('spec.serviceName', spec.serviceName, m));
  }
  (spec.volumeClaimTemplates ?? []).forEach((pvc, i) => {
    const p = index('spec.volumeClaimTemplates', i);
    if (!pvc.metadata?.name) errs.push(fieldErr.required(child(p, 'metadata', 'name'), 'name or generateName is required'));
    if (!pvc.spec?.accessModes?.length) errs.push(fieldErr.required(child(p, 'spec', 'accessModes'), 'at least 1 access mode is required'));
  });
  const selector = validateWorkloadSelector(spec.selector, 'spec.selector', 'statefulset', errs);
  if (selector !== undefined) errs.push(...validateTemplateForSelector(spec.template, selector, 'spec.template', 'StatefulSet'));
  if (old?.spec) {
    const clone = structuredClone(spec);
    const o = old.spec;
    clone.replicas = o.replicas;
    clone.template = o.template;
    clone.updateStrategy = o.updateStrategy;
    clone.minReadySeconds = o.minReadySeconds;
    clone.ordinals = o.ordinals;
    clone.revisionHistoryLimit = o.revisionHistoryLimit;
    clone.persistentVolumeClaimRetentionPolicy = o.persistentVolumeClaimRetentionPolicy;
    if (!semanticEqual(clone, o)) errs.push(fieldErr.forbidden('spec', statefulSetUpdateForbiddenMessage));
  }
  return errs;
}

export function validateStatefulSetStatus(s: StatefulSetObject): FieldError[] {
  const st = s.status ?? { replicas: 0 };
  const errs: FieldError[] = [];
  for (const f of ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount'] as const) {
    errs.push(...validateNonnegative(st[f], child('status', f)));
  }
  const r = st.replicas ?? 0;
  for (const f of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'] as const) {
    if ((st[f] ?? 0) > r) errs.push(fieldErr.invalid(child('status', f), st[f], 'cannot be greater than status.replicas'));
  }
  if ((st.availableReplicas ?? 0) > (st.readyReplicas ?? 0)) errs.push(fieldErr.invalid('status.availableReplicas', st.availableReplicas, 'cannot be greater than status.readyReplicas'));
  return errs;
}

export const statefulSets = defineResource<StatefulSetObject>({
  group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', scope: 'Namespaced',
  shortNames: ['sts'], categories: ['all'], schema: 'io.k8s.api.apps.v1.StatefulSet',
  subresources: { status: true, scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'spec.selector' } },
  defaults: defaultStatefulSet,
  validate: validateStatefulSet,
  validateStatus: validateStatefulSetStatus,
  prepareForCreate(s) { s.status = { replicas: 0 }; s.metadata.generation = 1; },
  prepareForUpdate(s, old) {
    s.status = old.status;
    if (!semanticEqual(s.spec, old.spec)) s.metadata.generation = (old.metadata.generation ?? 0) + 1;
  },
  printerColumns: [
    { name: 'Ready', type: 'string', description: 'Number of the pod with ready state', cell: (s) => `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 0}` },
    ageColumn<StatefulSetObject>(),
    ...templateColumns<StatefulSetObject>((s) => s.spec?.template),
  ],
});
