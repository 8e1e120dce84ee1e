import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { FieldError, ObjectMeta, Writable } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { formatLabels } from '../../printers.js';
import { child, semanticEqual, validateImmutableField, validateLabelSelector, validateNonnegative } from '../../validation/index.js';
import { formatLabelSelector, matchesLabels } from '../../selectors/index.js';
import { ageColumn, defaultPodTemplateSpec, templateColumns, validatePodTemplateSpec } from '../core/index.js';
import { intOrPercentValue, validateNotMoreThan100Percent, validatePositiveIntOrPercent } from './int-or-percent.js';
import { parseSelector, selectorMismatchMessage } from './workload-template.js';

export type DaemonSetObject = Omit<Writable<DaemonSet>, 'metadata'> & { metadata: ObjectMeta };

/** apps/v1 keeps the internal templateGeneration in this annotation. */
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

/** SetDefaults_DaemonSet: RollingUpdate with maxUnavailable 1, maxSurge 0; 10 revisions. */
export function defaultDaemonSet(ds: DaemonSetObject): void {
  ds.spec ??= { selector: {}, template: {} };
  const spec = ds.spec;
  spec.updateStrategy ??= {};
  spec.updateStrategy.type ||= 'RollingUpdate';
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate ??= {};
    spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
    spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  spec.template ??= {};
  defaultPodTemplateSpec(spec.template);
}

/** ValidateDaemonSetSpec (+ selector immutability on update). */
export function validateDaemonSet(ds: DaemonSetObject, old?: DaemonSetObject): FieldError[] {
  const spec = ds.spec;
  if (!spec) return [fieldErr.required('spec', '')];
  const errs = validateLabelSelector(spec.selector, 'spec.selector');
  const sel = parseSelector(spec.selector);
  const t = spec.template ?? {};
  if (typeof sel !== 'string' && !matchesLabels(sel, t.metadata?.labels ?? {})) {
    errs.push(fieldErr.invalid('spec.template.metadata.labels', t.metadata?.labels ?? {}, selectorMismatchMessage));
  }
  if (spec.selector && Object.keys(spec.selector.matchLabels ?? {}).length + (spec.selector.matchExpressions?.length ?? 0) === 0) {
    errs.push(fieldErr.invalid('spec.selector', spec.selector, 'empty selector is invalid for daemonset'));
  }
  errs.push(...validatePodTemplateSpec(t, 'spec.template'));
  if (t.spec?.restartPolicy !== 'Always') errs.push(fieldErr.notSupported('spec.template.spec.restartPolicy', t.spec?.restartPolicy ?? '', ['Always']));
  if (t.spec?.activeDeadlineSeconds != null) {
    errs.push(fieldErr.invalid('spec.template.spec.activeDeadlineSeconds', t.spec.activeDeadlineSeconds, 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const us = spec.updateStrategy ?? {};
  const up = 'spec.updateStrategy';
  if (us.type === 'RollingUpdate') {
    const ru = us.rollingUpdate;
    if (!ru) errs.push(fieldErr.required(child(up, 'rollingUpdate'), ''));
    else {
      const rp = child(up, 'rollingUpdate');
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, child(rp, 'maxUnavailable')));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, child(rp, 'maxSurge')));
      errs.push(...validateNotMoreThan100Percent(ru.maxUnavailable, child(rp, 'maxUnavailable')));
      errs.push(...validateNotMoreThan100Percent(ru.maxSurge, child(rp, 'maxSurge')));
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) errs.push(fieldErr.invalid(child(rp, 'maxSurge'), ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      if (!hasUnavailable && !hasSurge) errs.push(fieldErr.required(child(rp, 'maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
    }
  } else if (us.type !== 'OnDelete') {
    errs.push(fieldErr.notSupported(up, us, ['RollingUpdate', 'OnDelete']));
  }
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (old) errs.push(...validateImmutableField(spec.selector, old.spec?.selector, 'spec.selector'));
  return errs;
}

export function validateDaemonSetStatus(ds: DaemonSetObject): FieldError[] {
  const st = ds.status;
  if (!st) return [];
  const errs: FieldError[] = [];
  for (const f of ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount'] as const) {
    errs.push(...validateNonnegative(st[f], child('status', f)));
  }
  return errs;
}

function templateGeneration(ds: DaemonSetObject): number {
  const n = Number.parseInt(ds.metadata.annotations?.[templateGenerationAnnotation] ?? '', 10);
  return Number.isNaN(n) ? 0 : n;
}

function setTemplateGeneration(ds: DaemonSetObject, n: number): void {
  ds.metadata.annotations = { ...(ds.metadata.annotations ?? {}), [templateGenerationAnnotation]: String(n) };
}

export const daemonSets = defineResource<DaemonSetObject>({
  group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', scope: 'Namespaced',
  shortNames: ['ds'], categories: ['all'], schema: 'io.k8s.api.apps.v1.DaemonSet',
  subresources: { status: true },
  defaults: defaultDaemonSet,
  validate: validateDaemonSet,
  validateStatus: validateDaemonSetStatus,
  prepareForCreate(ds) {
    ds.status = { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 };
    ds.metadata.generation = 1;
    if (templateGeneration(ds) < 1) setTemplateGeneration(ds, 1);
  },
  prepareForUpdate(ds, old) {
    ds.status = old.status;
    // apps/v1 carries templateGeneration in an annotation the user does not own.
    const oldGen = Math.max(templateGeneration(old), 1);
    setTemplateGeneration(ds, oldGen);
    if (!semanticEqual(ds.spec?.template, old.spec?.template)) {
      setTemplateGeneration(ds, oldGen + 1);
      ds.metadata.generation = (old.metadata.generation ?? 0) + 1;
    } else if (!semanticEqual(ds.spec, old.spec)) {
      ds.metadata.generation = (old.metadata.generation ?? 0) + 1;
    }
  },
  printerColumns: [
    { name: 'Desired', type: 'integer', description: 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).', cell: (ds) => ds.status?.desiredNumberScheduled ?? 0 },
    { name: 'Current', type: 'integer', description: 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', cell: (ds) => ds.status?.currentNumberScheduled ?? 0 },
    { name: 'Ready', type: 'integer', description: 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.', cell: (ds) => ds.status?.numberReady ?? 0 },
    { name: 'Up-to-date', type: 'integer', description: 'The total number of nodes that are running updated daemon pod', cell: (ds) => ds.status?.updatedNumberScheduled ?? 0 },
    { name: 'Available', type: 'integer', description: 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)', cell: (ds) => ds.status?.numberAvailable ?? 0 },
    { name: 'Node Selector', type: 'string', description: "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node.", cell: (ds) => formatLabels(ds.spec?.template?.spec?.nodeSelector) },
    ageColumn<DaemonSetObject>(),
    ...templateColumns<DaemonSetObject>((ds) => ds.spec?.template),
    { name: 'Selector', type: 'string', priority: 1, description: 'A label query over pods that are managed by the daemon set.', cell: (ds) => formatLabelSelector(ds.spec?.selector) },
  ],
});
