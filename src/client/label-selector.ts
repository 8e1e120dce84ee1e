import type { LabelSelector, LabelSelectorRequirement } from 'kubernetes-types/meta/v1.js';

export type Labels = Readonly<Record<string, string>> | undefined;

/** One requirement of a selector: `key op values` (operators as LabelSelectorRequirement, plus Equals/NotEquals). */
export interface Requirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Equals' | 'NotEquals';
  values: readonly string[];
}

/** A parsed selector: all requirements must hold. `undefined` requirements means "matches nothing". */
export interface Selector {
  readonly requirements: readonly Requirement[] | undefined;
  matches(labels: Labels): boolean;
  isEmpty(): boolean;
}

function matchOne(r: Requirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels![r.key]! : undefined;
  switch (r.operator) {
    case 'In': case 'Equals': return has && r.values.includes(v!);
    case 'NotIn': case 'NotEquals': return !has || !r.values.includes(v!);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
  }
}

function selectorOf(requirements: readonly Requirement[] | undefined): Selector {
  return {
    requirements,
    matches: (labels) => requirements !== undefined && requirements.every((r) => matchOne(r, labels)),
    isEmpty: () => requirements !== undefined && requirements.length === 0,
  };
}

export const everything: Selector = selectorOf([]);
export const nothing: Selector = selectorOf(undefined);

/**
 * metav1.LabelSelectorAsSelector: a nil selector matches nothing, an empty one everything.
 * Throws on an unknown operator (validation keeps those out of stored objects).
 */
export function labelSelectorAsSelector(sel: Readonly<LabelSelector> | undefined | null): Selector {
  if (!sel) return nothing;
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key, operator: 'In', values: [value] });
  for (const e of (sel.matchExpressions ?? []) as readonly LabelSelectorRequirement[]) {
    if (e.operator !== 'In' && e.operator !== 'NotIn' && e.operator !== 'Exists' && e.operator !== 'DoesNotExist') {
      throw new Error(`"${e.operator}" is not a valid label selector operator`);
    }
    reqs.push({ key: e.key, operator: e.operator, values: e.values ?? [] });
  }
  return selectorOf(reqs);
}

/** A selector from a set of labels (`SelectorFromSet`): an empty set matches everything. */
export function selectorFromSet(set: Labels): Selector {
  return selectorOf(Object.entries(set ?? {}).map(([key, value]) => ({ key, operator: 'Equals' as const, values: [value] })));
}

/** Parses the string form: `a=b,c!=d,e in (x,y),f notin (z),g,!h`. */
export function parseLabelSelector(text: string): Selector {
  const reqs: Requirement[] = [];
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) { parts.push(cur); cur = ''; } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    if (!p) continue;
    let m: RegExpMatchArray | null;
    if ((m = p.match(/^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      reqs.push({ key: m[1]!, operator: m[2] === 'in' ? 'In' : 'NotIn', values: m[3]!.split(',').map((v) => v.trim()).filter((v) => v !== '') });
    } else if ((m = p.match(/^([^=!\s]+)\s*!=\s*(\S*)$/))) {
      reqs.push({ key: m[1]!, operator: 'NotEquals', values: [m[2]!] });
    } else if ((m = p.match(/^([^=!\s]+)\s*==?\s*(\S*)$/))) {
      reqs.push({ key: m[1]!, operator: 'Equals', values: [m[2]!] });
    } else if ((m = p.match(/^!\s*(\S+)$/))) {
      reqs.push({ key: m[1]!, operator: 'DoesNotExist', values: [] });
    } else if ((m = p.match(/^(\S+)$/))) {
      reqs.push({ key: m[1]!, operator: 'Exists', values: [] });
    } else {
      throw new Error(`unable to parse requirement: ${p}`);
    }
  }
  return selectorOf(reqs);
}
