import type { PodTemplate } from 'kubernetes-types/core/v1.js';
import type { FieldError, ObjectMeta, Writable } from '../../types.js';
import { defineResource } from '../../resource.js';
import { formatLabels } from '../../printers.js';
import { semanticEqual } from '../../validation/index.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { containerImagesCell, containerNamesCell } from './pod-printers.js';

export type PodTemplateObject = Omit<Writable<PodTemplate>, 'metadata'> & { metadata: ObjectMeta };

export function validatePodTemplate(t: PodTemplateObject): FieldError[] {
  return validatePodTemplateSpec(t.template ?? {}, 'template');
}

export const podTemplates = defineResource<PodTemplateObject>({
  group: '', version: 'v1', kind: 'PodTemplate', plural: 'podtemplates', scope: 'Namespaced',
  schema: 'io.k8s.api.core.v1.PodTemplate',
  defaults(t) { t.template ??= {}; defaultPodTemplateSpec(t.template); },
  validate: validatePodTemplate,
  prepareForCreate(t) { t.metadata.generation = 1; },
  prepareForUpdate(t, old) {
    if (!semanticEqual(t.template, old.template)) t.metadata.generation = (old.metadata.generation ?? 0) + 1;
  },
  printerColumns: [
    { name: 'Containers', type: 'string', description: 'Names of each container in the template.', cell: (t) => containerNamesCell(t.template?.spec?.containers) },
    { name: 'Images', type: 'string', description: 'Images referenced by each container in the template.', cell: (t) => containerImagesCell(t.template?.spec?.containers) },
    { name: 'Pod Labels', type: 'string', description: 'The labels for the pod template.', cell: (t) => formatLabels(t.template?.metadata?.labels) },
  ],
});
