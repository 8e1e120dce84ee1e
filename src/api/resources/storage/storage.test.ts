import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storageClasses, storageClassNameCell, type StorageClassObject } from './storage-classes.js';
import { csiDrivers, type CSIDriverObject } from './csi-drivers.js';
import { volumeAttachments } from './volume-attachments.js';

test('StorageClass defaults, immutability and cells', () => {
  const sc: StorageClassObject = { metadata: { name: 'local', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'rancher.io/local-path' };
  storageClasses.defaults!(sc);
  assert.equal(sc.reclaimPolicy, 'Delete');
  assert.equal(storageClassNameCell(sc), 'local (default)');
  assert.deepEqual(storageClasses.printerColumns!.slice(0, 4).map((c) => c.cell(sc, 0)), ['rancher.io/local-path', 'Delete', 'Immediate', false]);
  assert.deepEqual(storageClasses.validate!({ ...sc, reclaimPolicy: 'Retain' }, sc).map((e) => e.detail), ['updates to reclaimPolicy are forbidden.']);
});

test('CSIDriver defaults and printer, VolumeAttachment source rule', () => {
  const d = { metadata: { name: 'hostpath.csi.k8s.io' } } as CSIDriverObject;
  csiDrivers.defaults!(d);
  assert.deepEqual(csiDrivers.printerColumns!.slice(0, 6).map((c) => c.cell(d, 0)), [true, false, false, '<unset>', false, 'Persistent']);
  assert.deepEqual(csiDrivers.validate!(d), []);
  assert.deepEqual(volumeAttachments.validate!({ metadata: { name: 'v' }, spec: { attacher: 'a', nodeName: 'n', source: {} } }).map((e) => e.detail), ['must specify exactly one of inlineVolumeSpec and persistentVolumeName']);
});
