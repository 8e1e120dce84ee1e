import type { ResourceDefinition } from '../../api/resource.js';
import type { FieldError, KubeObject } from '../../api/types.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation/index.js';
import type { RequestContext } from '../context.js';

/** Validation and field-ownership tracking, as the registry runs them on every write. */
export interface ObjectValidator {
  validateCreate(def: ResourceDefinition, obj: KubeObject): FieldError[];
  validateUpdate(def: ResourceDefinition, obj: KubeObject, old: KubeObject, subresource?: string): FieldError[];
  trackManagedFields(def: ResourceDefinition, old: KubeObject | undefined, obj: KubeObject, ctx: RequestContext, operation: 'Update' | 'Apply', now: number, subresource?: string): void;
}

export type ManagedFieldsTracker = ObjectValidator['trackManagedFields'];

/** Metadata validation for every object, then the resource's own rules. */
export function objectValidator(track: ManagedFieldsTracker): ObjectValidator {
  return {
    validateCreate(def, obj) {
      return [
        ...validateObjectMeta(obj.metadata, { namespaced: def.scope === 'Namespaced', nameValidation: def.nameValidation?.bind(def) }),
        ...(def.validate?.(obj) ?? []),
      ];
    },
    validateUpdate(def, obj, old, subresource) {
      const meta = validateObjectMetaUpdate(obj.metadata, old.metadata);
      if (subresource === 'status') return [...meta, ...(def.validateStatus?.(obj, old) ?? [])];
      if (subresource) return meta;
      return [
        ...validateObjectMeta(obj.metadata, { namespaced: def.scope === 'Namespaced', nameValidation: def.nameValidation?.bind(def) }),
        ...meta,
        ...(def.validate?.(obj, old) ?? []),
      ];
    },
    trackManagedFields: track,
  };
}
