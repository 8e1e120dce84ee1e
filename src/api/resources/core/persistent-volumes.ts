import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { canonicalQuantity, tryParseQuantity } from '../../quantity.js';
import { key } from '../../validation/index.js';

export type PersistentVolumeObject = Kube<PersistentVolume>;

export const accessModes = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'] as const;
const accessModeShort: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };

/** helper.GetAccessModesAsString: `RWO,ROX,RWX,RWOP` in that fixed order. */
export function accessModesCell(modes: readonly string[] | undefined): string {
  const set = new Set(modes ?? []);
  return accessModes.filter((m) => set.has(m)).map((m) => accessModeShort[m]).join(',');
}

/** Capacity as Quantity.String() prints it. */
export function storageCell(q: string | number | undefined): string {
  if (q === undefined) return '0';
  const parsed = tryParseQuantity(q);
  return typeof parsed === 'string' ? String(q) : canonicalQuantity(q);
}

const volumeSources = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc',
  'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume',
  'scaleIO', 'local', 'storageos', 'csi',
] as const;

/** SetDefaults_PersistentVolume. */
export function defaultPersistentVolume(pv: PersistentVolumeObject): void {
  const spec = (pv.spec ??= {});
  spec.persistentVolumeReclaimPolicy ??= 'Retain';
  spec.volumeMode ??= 'Filesystem';
}

/** ValidatePersistentVolume's central rules. */
export function validatePersistentVolume(pv: PersistentVolumeObject, old?: PersistentVolumeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = pv.spec ?? {};
  if (!spec.accessModes?.length) errs.push(fieldErr.required('spec.accessModes', ''));
  for (const m of spec.accessModes ?? []) {
    if (!(accessModes as readonly string[]).includes(m)) errs.push(fieldErr.notSupported('spec.accessModes', m, accessModes));
  }
  const capacity = spec.capacity ?? {};
  if (Object.keys(capacity).length === 0) errs.push(fieldErr.required('spec.capacity', ''));
  else if (!('storage' in capacity) || Object.keys(capacity).length !== 1) errs.push(fieldErr.notSupported('spec.capacity', Object.keys(capacity), ['storage']));
  for (const [k, v] of Object.entries(capacity)) {
    const q = tryParseQuantity(v);
    if (typeof q === 'string') errs.push(fieldErr.invalid(key('spec.capacity', k), v, q));
  }
  const reclaim = spec.persistentVolumeReclaimPolicy;
  if (reclaim && !['Delete', 'Recycle', 'Retain'].includes(reclaim)) errs.push(fieldErr.notSupported('spec.persistentVolumeReclaimPolicy', reclaim, ['Delete', 'Recycle', 'Retain']));
  const sources = volumeSources.filter((s) => (spec as Record<string, unknown>)[s] !== undefined);
  if (sources.length === 0) errs.push(fieldErr.required('spec', 'must specify a volume type'));
  else if (sources.length > 1) errs.push(fieldErr.forbidden(`spec.${sources[1]}`, 'may not specify more than 1 volume type'));
  if (spec.hostPath && !spec.hostPath.path) errs.push(fieldErr.required('spec.hostPath.path', ''));
  if (old) {
    if ((old.spec?.volumeMode ?? 'Filesystem') !== (spec.volumeMode ?? 'Filesystem')) errs.push(fieldErr.invalid('spec.volumeMode', spec.volumeMode, 'field is immutable'));
    for (const s of volumeSources) {
      if (JSON.stringify((old.spec as Record<string, unknown> | undefined)?.[s]) !== JSON.stringify((spec as Record<string, unknown>)[s])) {
        errs.push(fieldErr.forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
        break;
      }
    }
  }
  return errs;
}

export const persistentVolumes = defineResource<PersistentVolumeObject>({
  group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', scope: 'Cluster',
  shortNames: ['pv'],
  subresources: { status: true },
  schema: 'io.k8s.api.core.v1.PersistentVolume',
  defaults: defaultPersistentVolume,
  validate: validatePersistentVolume,
  prepareForCreate(pv) { Object.assign(pv, { status: { phase: 'Pending' } }); },
  prepareForUpdate(pv, old) { Object.assign(pv, { status: old.status }); },
  printerColumns: [
    { name: 'Capacity', type: 'string', description: 'capacity is the description of the persistent volume\'s resources and capacity.', cell: (p) => storageCell(p.spec?.capacity?.storage) },
    { name: 'Access Modes', type: 'string', description: 'accessModes contains all ways the volume can be mounted.', cell: (p) => accessModesCell(p.spec?.accessModes) },
    { name: 'Reclaim Policy', type: 'string', description: 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.', cell: (p) => p.spec?.persistentVolumeReclaimPolicy ?? '' },
    { name: 'Status', type: 'string', description: 'phase indicates if a volume is available, bound to a claim, or released by a claim.', cell: (p) => (p.metadata.deletionTimestamp ? 'Terminating' : p.status?.phase ?? '') },
    { name: 'Claim', type: 'string', description: 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.', cell: (p) => (p.spec?.claimRef ? `${p.spec.claimRef.namespace ?? ''}/${p.spec.claimRef.name ?? ''}` : '') },
    { name: 'StorageClass', type: 'string', description: 'StorageClass of the pv', cell: (p) => p.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? p.spec?.storageClassName ?? '' },
    { name: 'VolumeAttributesClass', type: 'string', description: 'VolumeAttributesClass of the pv', cell: (p) => (p.spec as { volumeAttributesClassName?: string } | undefined)?.volumeAttributesClassName ?? '<unset>' },
    { name: 'Reason', type: 'string', description: 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.', cell: (p) => p.status?.reason ?? '' },
    { name: 'Age', type: 'string', cell: (p, now) => age(p.metadata.creationTimestamp, now) },
    { name: 'VolumeMode', type: 'string', priority: 1, description: 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', cell: (p) => p.spec?.volumeMode ?? '<unset>' },
  ],
});
