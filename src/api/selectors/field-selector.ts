import type { KubeObject } from '../types.js';
import type { ResourceDefinition } from '../resource.js';

/**
 * Field selectors as k8s.io/apimachinery/pkg/fields has them: `a=b,c!=d`, `==` as `=`,
 * comma = AND, empty values allowed, `\,` `\=` `\\` escapes in values.
 */

export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

export type FieldRequirements = readonly FieldRequirement[];

/** A bad field selector; the apiserver answers it with 400 BadRequest and this message. */
export class FieldSelectorParseError extends Error {
  constructor(message: string) { super(message); this.name = 'FieldSelectorParseError'; }
}

function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') { terms.push(s.slice(start, i)); start = i + 1; }
  }
  terms.push(s.slice(start));
  return terms;
}

function splitTerm(term: string): [string, '=' | '!=' | '==', string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/** fields.UnescapeValue */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else throw new FieldSelectorParseError(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') throw new FieldSelectorParseError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw new FieldSelectorParseError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** fields.EscapeValue */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Parses the string form; '' selects everything. Throws FieldSelectorParseError. */
export function parseFieldSelector(selector: string): FieldRequirements {
  const parts = splitTerms(selector).sort();
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw new FieldSelectorParseError(`invalid selector: '${selector}'; can't understand '${part}'`);
    const [field, op, rhs] = split;
    reqs.push({ field, operator: op === '!=' ? '!=' : '=', value: unescapeFieldValue(rhs) });
  }
  return reqs;
}

/** Matches with a getter for field values (absent fields read as ''). */
export function matchesFields(reqs: FieldRequirements, get: (field: string) => string | undefined): boolean {
  return reqs.every((r) => {
    const v = get(r.field) ?? '';
    return r.operator === '=' ? v === r.value : v !== r.value;
  });
}

export function fieldSelectorString(reqs: FieldRequirements): string {
  return reqs.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
}

/**
 * Checks that every field is one the resource supports; throws FieldSelectorParseError
 * `field label not supported: <f>` (a 400 from the apiserver) otherwise.
 */
export function checkFieldSelectorFields<T extends KubeObject>(reqs: FieldRequirements, def: Pick<ResourceDefinition<T>, 'fieldSelectors'>): void {
  for (const r of reqs) {
    if (!Object.prototype.hasOwnProperty.call(def.fieldSelectors, r.field)) {
      throw new FieldSelectorParseError(`field label not supported: ${r.field}`);
    }
  }
}

/** Matches an object against requirements using the resource's declared field getters. */
export function objectMatchesFields<T extends KubeObject>(reqs: FieldRequirements, def: Pick<ResourceDefinition<T>, 'fieldSelectors'>, obj: T): boolean {
  return matchesFields(reqs, (f) => {
    const get = def.fieldSelectors[f];
    return get ? get(obj) : undefined;
  });
}

/** The value a selector pins a field to (`metadata.name=x` → 'x'), for indexed lookups. */
export function requiresExactMatch(reqs: FieldRequirements, field: string): string | undefined {
  return reqs.find((r) => r.field === field && r.operator === '=')?.value;
}
