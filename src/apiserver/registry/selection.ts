import type { ResourceDefinition } from '../../api/resource.js';
import type { KubeObject } from '../../api/types.js';
import { badRequest } from '../../api/errors.js';
import {
  type FieldRequirements, type LabelRequirements, FieldSelectorParseError, LabelSelectorParseError,
  checkFieldSelectorFields, matchesLabels, objectMatchesFields, parseFieldSelector, parseLabelSelector,
} from '../../api/selectors/index.js';

/** A parsed `labelSelector` + `fieldSelector` pair. */
export interface Selection {
  labels?: LabelRequirements;
  fields?: FieldRequirements;
}

/** Parses both selectors for one resource; bad input → 400 BadRequest with the parser's words. */
export function parseSelection(def: ResourceDefinition, labelSelector?: string, fieldSelector?: string): Selection | undefined {
  if (!labelSelector && !fieldSelector) return undefined;
  try {
    const sel: Selection = {};
    if (labelSelector) sel.labels = parseLabelSelector(labelSelector);
    if (fieldSelector) {
      sel.fields = parseFieldSelector(fieldSelector);
      checkFieldSelectorFields(sel.fields, def);
    }
    return sel;
  } catch (err) {
    if (err instanceof LabelSelectorParseError || err instanceof FieldSelectorParseError) throw badRequest(err.message);
    throw err;
  }
}

export function selects(def: ResourceDefinition, sel: Selection | undefined, obj: KubeObject): boolean {
  if (!sel) return true;
  if (sel.labels && !matchesLabels(sel.labels, obj.metadata.labels ?? {})) return false;
  if (sel.fields && !objectMatchesFields(sel.fields, def, obj)) return false;
  return true;
}
