import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { canonicalizeResourceList, formatQuantity, tryParseQuantity, zeroQuantity } from '../../quantity.js';
import { key } from '../../validation/index.js';

export type ResourceQuotaObject = Kube<ResourceQuota>;

/** Quantities in spec.hard are non-negative; scopes are known. */
export function validateResourceQuota(rq: ResourceQuotaObject): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(rq.spec?.hard ?? {})) {
    const q = tryParseQuantity(v);
    if (typeof q === 'string') errs.push(fieldErr.invalid(key('spec.hard', k), v, q));
    else if (q.nanos < 0n) errs.push(fieldErr.invalid(key('spec.hard', k), v, 'must be greater than or equal to 0'));
  }
  const scopes = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity', 'VolumeAttributesClass'];
  for (const s of rq.spec?.scopes ?? []) if (!scopes.includes(s)) errs.push(fieldErr.notSupported('spec.scopes', s, scopes));
  return errs;
}

function quantityString(v: string | number | undefined): string {
  if (v === undefined) return formatQuantity(zeroQuantity);
  const q = tryParseQuantity(v);
  return typeof q === 'string' ? String(v) : formatQuantity(q);
}

/** Request / Limit cells: `pods: 1/10, requests.cpu: 500m/1`, limits.* in the Limit column. */
export function quotaCells(rq: ResourceQuotaObject): { request: string; limit: string } {
  const hard = rq.status?.hard ?? {};
  const used = rq.status?.used ?? {};
  const request: string[] = [];
  const limit: string[] = [];
  for (const r of Object.keys(hard).sort()) {
    const text = `${r}: ${quantityString(used[r])}/${quantityString(hard[r])}`;
    const pieces = r.split('.');
    (pieces.length > 1 && pieces[0] === 'limits' ? limit : request).push(text);
  }
  return { request: request.join(', '), limit: limit.join(', ') };
}

export const resourceQuotas = defineResource<ResourceQuotaObject>({
  group: '', version: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', scope: 'Namespaced',
  shortNames: ['quota'],
  subresources: { status: true },
  schema: 'io.k8s.api.core.v1.ResourceQuota',
  defaults(rq) { canonicalizeResourceList(rq.spec?.hard); },
  validate: validateResourceQuota,
  prepareForCreate(rq) { Object.assign(rq, { status: {} }); },
  prepareForUpdate(rq, old) { Object.assign(rq, { status: old.status }); },
  printerColumns: [
    { name: 'Request', type: 'string', description: 'Request represents a minimum amount of cpu/memory that a container may consume.', cell: (q) => quotaCells(q).request },
    { name: 'Limit', type: 'string', description: 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.', cell: (q) => quotaCells(q).limit },
    { name: 'Age', type: 'string', cell: (q, now) => age(q.metadata.creationTimestamp, now) },
  ],
});
