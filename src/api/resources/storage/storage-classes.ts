import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { byteLength, isQualifiedName, semanticEqual } from '../../validation/index.js';

export type StorageClassObject = Kube<StorageClass>;

export const defaultStorageClassAnnotation = 'storageclass.kubernetes.io/is-default-class';
const betaDefaultStorageClassAnnotation = 'storageclass.beta.kubernetes.io/is-default-class';

export function isDefaultStorageClass(sc: StorageClassObject): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[defaultStorageClassAnnotation] === 'true' || a[betaDefaultStorageClassAnnotation] === 'true';
}

/** The NAME cell upstream prints: `standard (default)` for the default class. */
export function storageClassNameCell(sc: StorageClassObject): string {
  return isDefaultStorageClass(sc) ? `${sc.metadata.name} (default)` : sc.metadata.name ?? '';
}

/** SetDefaults_StorageClass. */
export function defaultStorageClass(sc: StorageClassObject): void {
  sc.reclaimPolicy ??= 'Delete';
  sc.volumeBindingMode ??= 'Immediate';
}

/** ValidateStorageClass(+Update): provisioner, parameters, reclaim policy, binding mode; most fields frozen. */
export function validateStorageClass(sc: StorageClassObject, old?: StorageClassObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!sc.provisioner) errs.push(fieldErr.required('provisioner', ''));
  else {
    if (byteLength(sc.provisioner) > 63) errs.push(fieldErr.tooLong('provisioner', 63));
    for (const m of isQualifiedName(sc.provisioner.toLowerCase())) errs.push(fieldErr.invalid('provisioner', sc.provisioner, m));
  }
  let size = 0;
  for (const [k, v] of Object.entries(sc.parameters ?? {})) {
    if (!k) errs.push(fieldErr.invalid('parameters', k, 'field can not be empty.'));
    size += byteLength(k) + byteLength(v);
  }
  if (size > 256 * 1024) errs.push(fieldErr.tooLong('parameters', 256 * 1024));
  if (sc.reclaimPolicy && !['Delete', 'Retain'].includes(sc.reclaimPolicy)) errs.push(fieldErr.notSupported('reclaimPolicy', sc.reclaimPolicy, ['Delete', 'Retain']));
  if (sc.volumeBindingMode && !['Immediate', 'WaitForFirstConsumer'].includes(sc.volumeBindingMode)) {
    errs.push(fieldErr.notSupported('volumeBindingMode', sc.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']));
  }
  if (old) {
    if (!semanticEqual(sc.parameters, old.parameters)) errs.push(fieldErr.forbidden('parameters', 'updates to parameters are forbidden.'));
    if (sc.provisioner !== old.provisioner) errs.push(fieldErr.forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(fieldErr.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    if (sc.volumeBindingMode !== old.volumeBindingMode) errs.push(fieldErr.invalid('volumeBindingMode', sc.volumeBindingMode, 'field is immutable'));
  }
  return errs;
}

export const storageClasses = defineResource<StorageClassObject>({
  group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', scope: 'Cluster',
  shortNames: ['sc'],
  schema: 'io.k8s.api.storage.v1.StorageClass',
  defaults: defaultStorageClass,
  validate: validateStorageClass,
  printerColumns: [
    { name: 'Provisioner', type: 'string', description: 'provisioner indicates the type of the provisioner.', cell: (s) => s.provisioner },
    { name: 'ReclaimPolicy', type: 'string', description: 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.', cell: (s) => s.reclaimPolicy ?? 'Delete' },
    { name: 'VolumeBindingMode', type: 'string', description: 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.', cell: (s) => s.volumeBindingMode ?? 'Immediate' },
    { name: 'AllowVolumeExpansion', type: 'string', description: 'allowVolumeExpansion shows whether the storage class allow volume expand.', cell: (s) => s.allowVolumeExpansion ?? false },
    { name: 'Age', type: 'string', cell: (s, now) => age(s.metadata.creationTimestamp, now) },
  ],
});
