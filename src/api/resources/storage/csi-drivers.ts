import type { CSIDriver } from 'kubernetes-types/storage/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { byteLength, index, isDNS1123Subdomain } from '../../validation/index.js';

export type CSIDriverObject = Kube<CSIDriver>;

/** A CSI driver name: a DNS subdomain of at most 63 characters (ValidateCSIDriverName). */
export function validateCSIDriverName(name: string): string[] {
  const errs: string[] = [];
  if (byteLength(name) > 63) errs.push('must be no more than 63 characters');
  errs.push(...isDNS1123Subdomain(name.toLowerCase()));
  return errs;
}

/** SetDefaults_CSIDriver. */
export function defaultCSIDriver(d: CSIDriverObject): void {
  const spec = (d.spec ??= {});
  spec.attachRequired ??= true;
  spec.podInfoOnMount ??= false;
  spec.storageCapacity ??= false;
  spec.fsGroupPolicy ??= 'ReadWriteOnceWithFSType';
  if (!spec.volumeLifecycleModes || spec.volumeLifecycleModes.length === 0) spec.volumeLifecycleModes = ['Persistent'];
  spec.requiresRepublish ??= false;
  (spec as { seLinuxMount?: boolean }).seLinuxMount ??= false;
}

export function validateCSIDriver(d: CSIDriverObject, old?: CSIDriverObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = d.spec ?? {};
  if (spec.attachRequired === undefined) errs.push(fieldErr.required('spec.attachRequired', ''));
  if (spec.podInfoOnMount === undefined) errs.push(fieldErr.required('spec.podInfoOnMount', ''));
  (spec.volumeLifecycleModes ?? []).forEach((m, i) => {
    if (!['Ephemeral', 'Persistent'].includes(m)) errs.push(fieldErr.notSupported(index('spec.volumeLifecycleModes', i), m, ['Ephemeral', 'Persistent']));
  });
  if (spec.fsGroupPolicy && !['File', 'None', 'ReadWriteOnceWithFSType'].includes(spec.fsGroupPolicy)) {
    errs.push(fieldErr.notSupported('spec.fsGroupPolicy', spec.fsGroupPolicy, ['File', 'None', 'ReadWriteOnceWithFSType']));
  }
  if (old && old.spec?.attachRequired !== spec.attachRequired) errs.push(fieldErr.invalid('spec.attachRequired', spec.attachRequired, 'field is immutable'));
  return errs;
}

export const csiDrivers = defineResource<CSIDriverObject>({
  group: 'storage.k8s.io', version: 'v1', kind: 'CSIDriver', plural: 'csidrivers', scope: 'Cluster',
  schema: 'io.k8s.api.storage.v1.CSIDriver',
  nameValidation: validateCSIDriverName,
  defaults: defaultCSIDriver,
  validate: validateCSIDriver,
  printerColumns: [
    { name: 'AttachRequired', type: 'boolean', description: 'attachRequired indicates this CSI volume driver requires an attach operation.', cell: (d) => d.spec?.attachRequired ?? true },
    { name: 'PodInfoOnMount', type: 'boolean', description: 'podInfoOnMount indicates this CSI volume driver requires additional pod information during mount operations.', cell: (d) => d.spec?.podInfoOnMount ?? false },
    { name: 'StorageCapacity', type: 'boolean', description: 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity.', cell: (d) => d.spec?.storageCapacity ?? false },
    { name: 'TokenRequests', type: 'string', description: 'tokenRequests indicates the CSI driver needs pods\' service account tokens it is mounting volume for to do necessary authentication.', cell: (d) => (d.spec?.tokenRequests ? d.spec.tokenRequests.map((t) => t.audience).join(',') : '<unset>') },
    { name: 'RequiresRepublish', type: 'boolean', description: 'requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume.', cell: (d) => d.spec?.requiresRepublish ?? false },
    { name: 'Modes', type: 'string', description: 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.', cell: (d) => (d.spec?.volumeLifecycleModes ?? []).join(',') || '<none>' },
    { name: 'Age', type: 'string', cell: (d, now) => age(d.metadata.creationTimestamp, now) },
  ],
});
