import type { CSINode } from 'kubernetes-types/storage/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { child, index } from '../../validation/index.js';
import { validateCSIDriverName } from './csi-drivers.js';

export type CSINodeObject = Kube<CSINode>;

export function validateCSINode(n: CSINodeObject): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (n.spec?.drivers ?? []).forEach((d, i) => {
    const path = index('spec.drivers', i);
    if (!d.name) errs.push(fieldErr.required(child(path, 'name'), ''));
    else for (const m of validateCSIDriverName(d.name)) errs.push(fieldErr.invalid(child(path, 'name'), d.name, m));
    if (seen.has(d.name)) errs.push(fieldErr.duplicate(child(path, 'name'), d.name));
    seen.add(d.name);
    if (!d.nodeID) errs.push(fieldErr.required(child(path, 'nodeID'), ''));
    if (d.allocatable?.count !== undefined && d.allocatable.count < 0) errs.push(fieldErr.invalid(child(path, 'allocatable', 'count'), d.allocatable.count, 'must be greater than or equal to 0'));
  });
  return errs;
}

export const csiNodes = defineResource<CSINodeObject>({
  group: 'storage.k8s.io', version: 'v1', kind: 'CSINode', plural: 'csinodes', scope: 'Cluster',
  schema: 'io.k8s.api.storage.v1.CSINode',
  validate: validateCSINode,
  printerColumns: [
    { name: 'Drivers', type: 'integer', description: 'Drivers indicates the number of CSI drivers registered on the node', cell: (n) => (n.spec?.drivers ?? []).length },
    { name: 'Age', type: 'string', cell: (n, now) => age(n.metadata.creationTimestamp, now) },
  ],
});
