import type { LimitRange } from 'kubernetes-types/core/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { tryParseQuantity } from '../../quantity.js';
import { child, index, key } from '../../validation/index.js';

export type LimitRangeObject = Kube<LimitRange>;

const limitTypes = ['Container', 'PersistentVolumeClaim', 'Pod'];

/** ValidateLimitRange: known types, parseable quantities, no duplicate types. */
export function validateLimitRange(lr: LimitRangeObject): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (lr.spec?.limits ?? []).forEach((item, i) => {
    const path = index('spec.limits', i);
    if (seen.has(item.type)) errs.push(fieldErr.duplicate(child(path, 'type'), item.type));
    seen.add(item.type);
    if (!limitTypes.includes(item.type) && !item.type.includes('/')) errs.push(fieldErr.notSupported(child(path, 'type'), item.type, limitTypes));
    for (const field of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const) {
      for (const [k, v] of Object.entries(item[field] ?? {})) {
        const q = tryParseQuantity(v);
        if (typeof q === 'string') errs.push(fieldErr.invalid(key(child(path, field), k), v, q));
      }
    }
  });
  return errs;
}

export const limitRanges = defineResource<LimitRangeObject>({
  group: '', version: 'v1', kind: 'LimitRange', plural: 'limitranges', scope: 'Namespaced',
  shortNames: ['limits'],
  schema: 'io.k8s.api.core.v1.LimitRange',
  validate: validateLimitRange,
  printerColumns: [
    { name: 'Created At', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', cell: (l) => l.metadata.creationTimestamp ?? '' },
  ],
});
