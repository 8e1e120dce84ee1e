import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';

export type LeaseObject = Kube<Lease>;

/** ValidateLease: non-negative durations and transitions, known strategy. */
export function validateLease(lease: LeaseObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec: NonNullable<Lease['spec']> & { strategy?: string } = lease.spec ?? {};
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) errs.push(fieldErr.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) errs.push(fieldErr.invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  if (spec.strategy && spec.strategy !== 'OldestEmulationVersion') errs.push(fieldErr.notSupported('spec.strategy', spec.strategy, ['OldestEmulationVersion']));
  return errs;
}

export const leases = defineResource<LeaseObject>({
  group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', scope: 'Namespaced',
  schema: 'io.k8s.api.coordination.v1.Lease',
  validate: validateLease,
  printerColumns: [
    { name: 'Holder', type: 'string', description: 'holderIdentity contains the identity of the holder of a current lease.', cell: (l) => l.spec?.holderIdentity ?? '' },
    { name: 'Age', type: 'string', cell: (l, now) => age(l.metadata.creationTimestamp, now) },
  ],
});
