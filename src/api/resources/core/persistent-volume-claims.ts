import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { tryParseQuantity } from '../../quantity.js';
import { key, validateLabelSelector } from '../../validation/index.js';
import { accessModes, accessModesCell, storageCell } from './persistent-volumes.js';

export type PersistentVolumeClaimObject = Kube<PersistentVolumeClaim>;

/** SetDefaults_PersistentVolumeClaim (+Spec): volumeMode Filesystem. */
export function defaultPersistentVolumeClaim(pvc: PersistentVolumeClaimObject): void {
  (pvc.spec ??= {}).volumeMode ??= 'Filesystem';
}

function withoutMutable(spec: PersistentVolumeClaim['spec']): unknown {
  const { resources, volumeAttributesClassName, volumeName, ...rest } = (spec ?? {}) as Record<string, unknown>;
  void resources; void volumeAttributesClassName; void volumeName;
  return JSON.stringify(Object.entries(rest).sort());
}

/** ValidatePersistentVolumeClaim / …Update. */
export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaimObject, old?: PersistentVolumeClaimObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = pvc.spec ?? {};
  if (!spec.accessModes?.length) errs.push(fieldErr.required('spec.accessModes', 'at least 1 access mode is required'));
  for (const m of spec.accessModes ?? []) {
    if (!(accessModes as readonly string[]).includes(m)) errs.push(fieldErr.notSupported('spec.accessModes', m, accessModes));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const storage = spec.resources?.requests?.storage;
  if (storage === undefined) errs.push(fieldErr.required(key('spec.resources', 'storage'), ''));
  else {
    const q = tryParseQuantity(storage);
    if (typeof q === 'string') errs.push(fieldErr.invalid(key('spec.resources.requests', 'storage'), storage, q));
    else if (q.nanos <= 0n) errs.push(fieldErr.invalid(key('spec.resources.requests', 'storage'), storage, 'must be greater than zero'));
  }
  if (spec.volumeMode && !['Block', 'Filesystem'].includes(spec.volumeMode)) errs.push(fieldErr.notSupported('spec.volumeMode', spec.volumeMode, ['Block', 'Filesystem']));
  if (old) {
    if (withoutMutable(spec) !== withoutMutable(old.spec) || (old.spec?.volumeName && old.spec.volumeName !== spec.volumeName)) {
      errs.push(fieldErr.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
    }
  }
  return errs;
}

export const persistentVolumeClaims = defineResource<PersistentVolumeClaimObject>({
  group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', scope: 'Namespaced',
  shortNames: ['pvc'],
  subresources: { status: true },
  schema: 'io.k8s.api.core.v1.PersistentVolumeClaim',
  defaults: defaultPersistentVolumeClaim,
  validate: validatePersistentVolumeClaim,
  prepareForCreate(pvc) { Object.assign(pvc, { status: { phase: 'Pending' } }); },
  prepareForUpdate(pvc, old) { Object.assign(pvc, { status: old.status }); },
  printerColumns: [
    { name: 'Status', type: 'string', description: 'phase represents the current phase of PersistentVolumeClaim.', cell: (p) => (p.metadata.deletionTimestamp ? 'Terminating' : p.status?.phase ?? '') },
    { name: 'Volume', type: 'string', description: 'volumeName is the binding reference to the PersistentVolume backing this claim.', cell: (p) => p.spec?.volumeName ?? '' },
    { name: 'Capacity', type: 'string', description: 'capacity represents the actual resources of the underlying volume.', cell: (p) => (p.spec?.volumeName ? storageCell(p.status?.capacity?.storage) : '') },
    { name: 'Access Modes', type: 'string', description: 'accessModes contains the actual access modes the volume backing the PVC has.', cell: (p) => (p.spec?.volumeName ? accessModesCell(p.status?.accessModes) : '') },
    { name: 'StorageClass', type: 'string', description: 'StorageClass of the pvc', cell: (p) => p.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? p.spec?.storageClassName ?? '' },
    { name: 'VolumeAttributesClass', type: 'string', description: 'VolumeAttributesClass of the pvc', cell: (p) => (p.spec as { volumeAttributesClassName?: string } | undefined)?.volumeAttributesClassName ?? '<unset>' },
    { name: 'Age', type: 'string', cell: (p, now) => age(p.metadata.creationTimestamp, now) },
    { name: 'VolumeMode', type: 'string', priority: 1, description: 'volumeMode defines what type of volume is required by the claim.', cell: (p) => p.spec?.volumeMode ?? '<unset>' },
  ],
});
