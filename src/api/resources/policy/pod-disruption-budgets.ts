import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { FieldError, ObjectMeta, Writable } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { child, semanticEqual, validateLabelSelector, validateNonnegative } from '../../validation/index.js';
import { ageColumn } from '../core/index.js';
import { validateNotMoreThan100Percent, validatePositiveIntOrPercent } from '../apps/index.js';

export type PodDisruptionBudgetObject = Omit<Writable<PodDisruptionBudget>, 'metadata'> & { metadata: ObjectMeta };

/** ValidatePodDisruptionBudgetSpec: minAvailable xor maxUnavailable, each an int or ≤100%. */
export function validatePodDisruptionBudget(pdb: PodDisruptionBudgetObject): FieldError[] {
  const spec = pdb.spec ?? {};
  const errs: FieldError[] = [];
  if (spec.minAvailable != null && spec.maxUnavailable != null) {
    errs.push(fieldErr.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const f of ['minAvailable', 'maxUnavailable'] as const) {
    const v = spec[f];
    if (v == null) continue;
    errs.push(...validatePositiveIntOrPercent(v, child('spec', f)));
    errs.push(...validateNotMoreThan100Percent(v, child('spec', f)));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy != null && policy !== 'AlwaysAllow' && policy !== 'IfHealthyBudget') {
    errs.push(fieldErr.notSupported('spec.unhealthyPodEvictionPolicy', policy, ['AlwaysAllow', 'IfHealthyBudget']));
  }
  return errs;
}

/** ValidatePodDisruptionBudgetStatusUpdate: counts are never negative. */
export function validatePodDisruptionBudgetStatus(pdb: PodDisruptionBudgetObject): FieldError[] {
  const st = pdb.status;
  if (!st) return [];
  const errs: FieldError[] = [];
  for (const f of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] as const) {
    errs.push(...validateNonnegative(st[f], child('status', f)));
  }
  return errs;
}

export const podDisruptionBudgets = defineResource<PodDisruptionBudgetObject>({
  group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', scope: 'Namespaced',
  shortNames: ['pdb'], schema: 'io.k8s.api.policy.v1.PodDisruptionBudget',
  subresources: { status: true },
  validate: validatePodDisruptionBudget,
  validateStatus: validatePodDisruptionBudgetStatus,
  prepareForCreate(pdb) {
    pdb.status = { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
    pdb.metadata.generation = 1;
  },
  prepareForUpdate(pdb, old) {
    pdb.status = old.status;
    if (!semanticEqual(pdb.spec, old.spec)) pdb.metadata.generation = (old.metadata.generation ?? 0) + 1;
  },
  printerColumns: [
    { name: 'Min Available', type: 'string', description: 'The minimum number of pods that must be available.', cell: (p) => (p.spec?.minAvailable == null ? 'N/A' : String(p.spec.minAvailable)) },
    { name: 'Max Unavailable', type: 'string', description: 'The maximum number of pods that may be unavailable.', cell: (p) => (p.spec?.maxUnavailable == null ? 'N/A' : String(p.spec.maxUnavailable)) },
    { name: 'Allowed Disruptions', type: 'integer', description: 'Calculated number of pods that may be disrupted at this time.', cell: (p) => p.status?.disruptionsAllowed ?? 0 },
    ageColumn<PodDisruptionBudgetObject>(),
  ],
});
