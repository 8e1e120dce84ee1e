import type { VolumeAttachment } from 'kubernetes-types/storage/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { isDNS1123Subdomain, semanticEqual } from '../../validation/index.js';

export type VolumeAttachmentObject = Kube<VolumeAttachment>;

/** ValidateVolumeAttachment(+Update): attacher, node, exactly one source; spec is immutable. */
export function validateVolumeAttachment(va: VolumeAttachmentObject, old?: VolumeAttachmentObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = va.spec ?? ({} as VolumeAttachment['spec']);
  if (!spec.attacher) errs.push(fieldErr.required('spec.attacher', ''));
  if (!spec.nodeName) errs.push(fieldErr.required('spec.nodeName', ''));
  else for (const m of isDNS1123Subdomain(spec.nodeName)) errs.push(fieldErr.invalid('spec.nodeName', spec.nodeName, m));
  const src = spec.source ?? {};
  const count = (src.persistentVolumeName !== undefined ? 1 : 0) + (src.inlineVolumeSpec !== undefined ? 1 : 0);
  if (count === 0) errs.push(fieldErr.required('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
  else if (count > 1) errs.push(fieldErr.forbidden('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
  if (old && !semanticEqual(va.spec, old.spec)) errs.push(fieldErr.invalid('spec', va.spec, 'field is immutable'));
  return errs;
}

export const volumeAttachments = defineResource<VolumeAttachmentObject>({
  group: 'storage.k8s.io', version: 'v1', kind: 'VolumeAttachment', plural: 'volumeattachments', scope: 'Cluster',
  subresources: { status: true },
  schema: 'io.k8s.api.storage.v1.VolumeAttachment',
  validate: validateVolumeAttachment,
  prepareForCreate(va) { Object.assign(va, { status: {} }); },
  prepareForUpdate(va, old) { Object.assign(va, { status: old.status }); },
  printerColumns: [
    { name: 'Attacher', type: 'string', format: 'name', description: 'attacher indicates the name of the volume driver that MUST handle this request.', cell: (v) => v.spec?.attacher ?? '' },
    { name: 'PV', type: 'string', description: 'persistentVolumeName represents the name of the persistent volume to attach.', cell: (v) => v.spec?.source?.persistentVolumeName ?? '' },
    { name: 'Node', type: 'string', description: 'nodeName represents the node that the volume should be attached to.', cell: (v) => v.spec?.nodeName ?? '' },
    { name: 'Attached', type: 'boolean', description: 'attached indicates the volume is successfully attached.', cell: (v) => v.status?.attached ?? false },
    { name: 'Age', type: 'string', cell: (v, now) => age(v.metadata.creationTimestamp, now) },
  ],
});
