import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { FieldError, ObjectMeta, Writable } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { validateImmutableField, validateNonnegative } from '../../validation/index.js';
import { ageColumn } from '../core/index.js';

export type ControllerRevisionObject = Omit<Writable<ControllerRevision>, 'metadata'> & { metadata: ObjectMeta };

/** ValidateControllerRevision(+Update): data is required and never changes; revision ≥ 0. */
export function validateControllerRevision(r: ControllerRevisionObject, old?: ControllerRevisionObject): FieldError[] {
  const errs: FieldError[] = [];
  if (r.data === undefined || r.data === null) errs.push(fieldErr.required('data', ''));
  errs.push(...validateNonnegative(r.revision, 'revision'));
  if (old) errs.push(...validateImmutableField(r.data, old.data, 'data'));
  return errs;
}

/** `daemonset.apps/web`: the controller owner as printControllerRevision names it. */
export function controllerCell(r: ControllerRevisionObject): string {
  const ref = (r.metadata.ownerReferences ?? []).find((o) => o.controller);
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  const kind = group ? `${ref.kind}.${group}` : ref.kind;
  return `${kind.toLowerCase()}/${ref.name}`;
}

export const controllerRevisions = defineResource<ControllerRevisionObject>({
  group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions', scope: 'Namespaced',
  schema: 'io.k8s.api.apps.v1.ControllerRevision',
  validate: validateControllerRevision,
  printerColumns: [
    { name: 'Controller', type: 'string', description: 'Controller of the object', cell: controllerCell },
    { name: 'Revision', type: 'string', description: 'Revision indicates the revision of the state represented by Data.', cell: (r) => r.revision },
    ageColumn<ControllerRevisionObject>(),
  ],
});
