/**
 * Label selectors as controllers use them (labels.Selector): an object that matches label sets,
 * built on the parser and matcher of src/api/selectors so that the API server and the
 * controllers agree on every selector.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import {
  labelSelectorAsRequirements, matchesLabels, parseLabelSelector as parseRequirements,
  selectorFromSet as requirementsFromSet, labelSelectorString, type LabelRequirements,
} from '../api/selectors/index.js';

export type Labels = Readonly<Record<string, string>> | undefined;

/** A parsed selector: all requirements must hold. `null` requirements means "matches nothing". */
export interface Selector {
  readonly requirements: LabelRequirements | null;
  matches(labels: Labels): boolean;
  isEmpty(): boolean;
  toString(): string;
}

function selectorOf(requirements: LabelRequirements | null): Selector {
  return {
    requirements,
    matches: (labels) => matchesLabels(requirements, labels),
    isEmpty: () => requirements !== null && requirements.length === 0,
    toString: () => labelSelectorString(requirements),
  };
}

export const everything: Selector = selectorOf([]);
export const nothing: Selector = selectorOf(null);

/**
 * metav1.LabelSelectorAsSelector: a nil selector matches nothing, an empty one everything.
 * Throws on an unknown operator or invalid key/value (validation keeps those out of stored objects).
 */
export function labelSelectorAsSelector(sel: Readonly<LabelSelector> | undefined | null): Selector {
  return selectorOf(labelSelectorAsRequirements(sel as LabelSelector | undefined | null));
}

/** A selector from a set of labels (`SelectorFromSet`): an empty set matches everything. */
export function selectorFromSet(set: Labels): Selector {
  return selectorOf(requirementsFromSet(set));
}

/** Parses the string form: `a=b,c!=d,e in (x,y),f notin (z),g,!h`. */
export function parseLabelSelector(text: string): Selector {
  return selectorOf(parseRequirements(text));
}
