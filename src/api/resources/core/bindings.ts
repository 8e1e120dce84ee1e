import type { Binding } from 'kubernetes-types/core/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';

export type BindingObject = Kube<Binding>;

/** ValidatePodBinding: the target is a Node (kind Node or empty) with a name. */
export function validateBinding(b: BindingObject): FieldError[] {
  const errs: FieldError[] = [];
  const kind = b.target?.kind ?? '';
  if (kind !== '' && kind !== 'Node') errs.push(fieldErr.notSupported('target.kind', kind, ['Node', '<empty>']));
  if (!b.target?.name) errs.push(fieldErr.required('target.name', ''));
  return errs;
}

/**
 * Binding (POST …/bindings or …/pods/<name>/binding) assigns a pod to a node. Not stored: the
 * apiserver performs the bind (sets spec.nodeName and the PodScheduled condition on the pod).
 */
export const bindings = defineResource<BindingObject>({
  group: '', version: 'v1', kind: 'Binding', plural: 'bindings', scope: 'Namespaced',
  schema: 'io.k8s.api.core.v1.Binding',
  verbs: ['create'], virtual: true,
  validate: validateBinding,
});
