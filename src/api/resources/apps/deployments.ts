import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { FieldError, ObjectMeta, Writable } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { child, semanticEqual, validateImmutableField, validateNonnegative } from '../../validation/index.js';
import { labelSelectorAsRequirements, labelSelectorString, LabelSelectorParseError } from '../../selectors/index.js';
import { ageColumn, defaultPodTemplateSpec, templateColumns } from '../core/index.js';
import { intOrPercentValue, validateNotMoreThan100Percent, validatePositiveIntOrPercent } from './int-or-percent.js';
import { validateTemplateForSelector, validateWorkloadSelector } from './workload-template.js';

export type DeploymentObject = Omit<Writable<Deployment>, 'metadata'> & { metadata: ObjectMeta };

/** SetDefaults_Deployment (apps/v1). */
export function defaultDeployment(d: DeploymentObject): void {
  d.spec ??= { selector: {}, template: {} };
  const spec = d.spec;
  spec.replicas ??= 1;
  spec.strategy ??= {};
  spec.strategy.type ||= 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    spec.strategy.rollingUpdate.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  spec.template ??= {};
  defaultPodTemplateSpec(spec.template);
}

/** ValidateDeploymentSpec + ValidateDeploymentUpdate's selector immutability (apps/v1). */
export function validateDeployment(d: DeploymentObject, old?: DeploymentObject): FieldError[] {
  const spec = d.spec;
  if (!spec) return [fieldErr.required('spec', '')];
  const errs: FieldError[] = [...validateNonnegative(spec.replicas, 'spec.replicas')];
  const selector = validateWorkloadSelector(spec.selector, 'spec.selector', 'deployment', errs);
  if (selector !== undefined) errs.push(...validateTemplateForSelector(spec.template, selector, 'spec.template', 'ReplicaSet'));
  const strategy = spec.strategy ?? {};
  const sp = 'spec.strategy';
  switch (strategy.type) {
    case 'Recreate':
      if (strategy.rollingUpdate) errs.push(fieldErr.forbidden(child(sp, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
      break;
    case 'RollingUpdate': {
      const ru = strategy.rollingUpdate;
      if (!ru) { errs.push(fieldErr.required(child(sp, 'rollingUpdate'), 'this should be defaulted and never be nil')); break; }
      const rp = child(sp, 'rollingUpdate');
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, child(rp, 'maxUnavailable')));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, child(rp, 'maxSurge')));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(fieldErr.invalid(child(rp, 'maxUnavailable'), ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...validateNotMoreThan100Percent(ru.maxUnavailable, child(rp, 'maxUnavailable')));
      break;
    }
    default:
      errs.push(fieldErr.notSupported(child(sp, 'type'), strategy.type ?? '', ['Recreate', 'RollingUpdate']));
  }
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (spec.progressDeadlineSeconds != null) {
    errs.push(...validateNonnegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(fieldErr.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  if (old) errs.push(...validateImmutableField(spec.selector, old.spec?.selector, 'spec.selector'));
  return errs;
}

/** ValidateDeploymentStatus. */
export function validateDeploymentStatus(d: DeploymentObject): FieldError[] {
  const st = d.status ?? {};
  const errs: FieldError[] = [];
  for (const f of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'collisionCount'] as const) {
    errs.push(...validateNonnegative(st[f], child('status', f)));
  }
  const r = st.replicas ?? 0;
  if ((st.availableReplicas ?? 0) > r) errs.push(fieldErr.invalid('status.availableReplicas', st.availableReplicas, 'cannot be greater than status.replicas'));
  if ((st.readyReplicas ?? 0) > r) errs.push(fieldErr.invalid('status.readyReplicas', st.readyReplicas, 'cannot be greater than status.replicas'));
  if ((st.availableReplicas ?? 0) > (st.readyReplicas ?? 0)) errs.push(fieldErr.invalid('status.availableReplicas', st.availableReplicas, 'cannot be greater than readyReplicas'));
  return errs;
}

/** labels.Selector.String() of the deployment's selector, `<invalid>` when it does not parse (printDeployment). */
function selectorCell(d: DeploymentObject): string {
  try {
    return labelSelectorString(labelSelectorAsRequirements(d.spec?.selector));
  } catch (e) {
    if (e instanceof LabelSelectorParseError) return '<invalid>';
    throw e;
  }
}

export const deployments = defineResource<DeploymentObject>({
  group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', scope: 'Namespaced',
  shortNames: ['deploy'], categories: ['all'], schema: 'io.k8s.api.apps.v1.Deployment',
  subresources: { status: true, scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'spec.selector' } },
  defaults: defaultDeployment,
  validate: validateDeployment,
  validateStatus: validateDeploymentStatus,
  prepareForCreate(d) { d.status = {}; d.metadata.generation = 1; },
  prepareForUpdate(d, old) {
    d.status = old.status;
    // Annotations count too: they are copied to the ReplicaSets.
    if (!semanticEqual(d.spec, old.spec) || !semanticEqual(d.metadata.annotations, old.metadata.annotations)) {
      d.metadata.generation = (old.metadata.generation ?? 0) + 1;
    }
  },
  printerColumns: [
    { name: 'Ready', type: 'string', description: 'Number of the pod with ready state', cell: (d) => `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}` },
    { name: 'Up-to-date', type: 'integer', description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', cell: (d) => d.status?.updatedReplicas ?? 0 },
    { name: 'Available', type: 'integer', description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', cell: (d) => d.status?.availableReplicas ?? 0 },
    ageColumn<DeploymentObject>(),
    ...templateColumns<DeploymentObject>((d) => d.spec?.template),
    { name: 'Selector', type: 'string', priority: 1, description: 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', cell: selectorCell },
  ],
});
