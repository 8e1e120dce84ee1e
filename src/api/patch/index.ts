export { applyPatch, decodeApplyPatch, patchTypeOf, type PatchContext, type PatchType } from './apply-patch.js';
export { applyJsonPatch, decodeJsonPatch, maxJsonPatchOperations, type JsonPatchOperation, type DecodedJsonPatch } from './json-patch.js';
export { applyMergePatch, decodeMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch, decodeStrategicMergePatch, type StrategicMergeOptions } from './strategic-merge-patch.js';
export {
  apply, trackUpdate, decodeManagedFields, encodeManagedFields, maxUpdateManagers,
  type ApplyContext, type ApplyResult, type FieldManagerContext, type ManagedFieldsEntry, type ManagedFieldsOperation,
  type TrackUpdateContext,
} from './server-side-apply.js';
export {
  patchMetaFromDefinitions, untypedMeta, listSemantics, patchStrategyOf,
  type PatchMeta, type Definitions, type SchemaObject, type ListType, type MapType, type ValueShape,
} from './patch-meta.js';
export { FieldSet, pathToString, type FieldPath, type PathElement } from './field-set.js';
export type { JsonObject, JsonValue } from './json-value.js';
