import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';

export type PriorityClassObject = Kube<PriorityClass>;

/** The highest value a user-defined PriorityClass may have. */
export const highestUserDefinablePriority = 1_000_000_000;
/** System classes shipped by Kubernetes. */
export const systemPriorityClasses: Readonly<Record<string, number>> = {
  'system-node-critical': 2_000_001_000,
  'system-cluster-critical': 2_000_000_000,
};

export function defaultPriorityClass(pc: PriorityClassObject): void {
  pc.preemptionPolicy ??= 'PreemptLowerPriority';
}

/** ValidatePriorityClass(+Update). */
export function validatePriorityClass(pc: PriorityClassObject, old?: PriorityClassObject): FieldError[] {
  const errs: FieldError[] = [];
  const name = pc.metadata.name ?? '';
  if (name in systemPriorityClasses) {
    if (systemPriorityClasses[name] !== pc.value) errs.push(fieldErr.forbidden('metadata.name', `${name} is a system priority class and its value cannot be changed`));
  } else if (name.startsWith('system-')) {
    errs.push(fieldErr.forbidden('metadata.name', "priority class names with 'system-' prefix are reserved"));
  } else if (pc.value > highestUserDefinablePriority) {
    errs.push(fieldErr.forbidden('value', `maximum allowed value of a user defined priority is ${highestUserDefinablePriority}`));
  }
  if (pc.preemptionPolicy && !['Never', 'PreemptLowerPriority'].includes(pc.preemptionPolicy)) {
    errs.push(fieldErr.notSupported('preemptionPolicy', pc.preemptionPolicy, ['Never', 'PreemptLowerPriority']));
  }
  if (old) {
    if (old.value !== pc.value) errs.push(fieldErr.forbidden('value', 'may not be changed in an update.'));
    if ((old.preemptionPolicy ?? 'PreemptLowerPriority') !== (pc.preemptionPolicy ?? 'PreemptLowerPriority')) errs.push(fieldErr.invalid('preemptionPolicy', pc.preemptionPolicy, 'field is immutable'));
  }
  return errs;
}

export const priorityClasses = defineResource<PriorityClassObject>({
  group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', scope: 'Cluster',
  shortNames: ['pc'],
  schema: 'io.k8s.api.scheduling.v1.PriorityClass',
  defaults: defaultPriorityClass,
  validate: validatePriorityClass,
  printerColumns: [
    { name: 'Value', type: 'integer', description: 'value represents the integer value of this priority class.', cell: (p) => p.value },
    { name: 'Global-Default', type: 'boolean', description: 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.', cell: (p) => p.globalDefault ?? false },
    { name: 'Age', type: 'string', cell: (p, now) => age(p.metadata.creationTimestamp, now) },
    { name: 'PreemptionPolicy', type: 'string', description: 'preemptionPolicy is the Policy for preempting pods with lower priority.', cell: (p) => p.preemptionPolicy ?? '' },
  ],
});
