import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { isQualifiedName, isValidLabelValue } from '../validation/names.js';

/**
 * Label selectors as k8s.io/apimachinery/pkg/labels has them: the string grammar
 * (`a=b,c!=d,e in (x,y),f notin (z),g,!h`), requirements, matching and printing.
 */

export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted, de-duplicated (a set, as upstream keeps it). */
  readonly values: readonly string[];
}

/** A parsed selector: requirements ANDed, sorted by key. `null` = Nothing (matches no object). */
export type LabelRequirements = readonly LabelRequirement[];

/** A label selector that could not be parsed; the apiserver answers it with 400 BadRequest. */
export class LabelSelectorParseError extends Error {
  constructor(message: string) { super(message); this.name = 'LabelSelectorParseError'; }
}

type Labels = Readonly<Record<string, string>> | undefined | null;

// ---- Requirement construction (labels.NewRequirement) ----

function goStringSlice(vals: readonly string[]): string {
  return `[]string{${vals.map((v) => JSON.stringify(v)).join(', ')}}`;
}

/** Builds and validates one requirement; throws LabelSelectorParseError with upstream wording. */
export function newRequirement(key: string, operator: LabelOperator, values: readonly string[], path = ''): LabelRequirement {
  const errs: string[] = [];
  const at = (p: string): string => (path ? `${path}.${p}` : p);
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length > 0) errs.push(`${at('key')}: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`);
  const valuePath = at('values');
  switch (operator) {
    case 'in': case 'notin':
      if (values.length === 0) errs.push(`${valuePath}: Invalid value: ${goStringSlice(values)}: for 'in', 'notin' operators, values set can't be empty`);
      break;
    case '=': case '==': case '!=':
      if (values.length !== 1) errs.push(`${valuePath}: Invalid value: ${goStringSlice(values)}: exact-match compatibility requires one single value`);
      break;
    case 'exists': case '!':
      if (values.length !== 0) errs.push(`${valuePath}: Invalid value: ${goStringSlice(values)}: values set must be empty for exists and does not exist`);
      break;
    case 'gt': case 'lt':
      if (values.length !== 1) errs.push(`${valuePath}: Invalid value: ${goStringSlice(values)}: for 'Gt', 'Lt' operators, exactly one value is required`);
      values.forEach((v, i) => {
        if (!/^[+-]?\d+$/.test(v)) errs.push(`${valuePath}[${i}]: Invalid value: ${JSON.stringify(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
      });
      break;
  }
  values.forEach((v, i) => {
    const m = isValidLabelValue(v);
    if (m.length > 0) errs.push(`${valuePath}[${i}][${key}]: Invalid value: ${JSON.stringify(v)}: ${m.join('; ')}`);
  });
  if (errs.length > 0) throw new LabelSelectorParseError(aggregate(errs));
  return { key, operator, values: [...new Set(values)].sort() };
}

function aggregate(msgs: readonly string[]): string {
  const unique = [...new Set(msgs)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}

function sortByKey(reqs: LabelRequirement[]): LabelRequirement[] {
  return reqs.map((r, i) => ({ r, i })).sort((a, b) => (a.r.key < b.r.key ? -1 : a.r.key > b.r.key ? 1 : a.i - b.i)).map((x) => x.r);
}

// ---- Lexer (labels.Lexer) ----

const enum Tok { Error, End, ClosePar, Comma, DoesNotExist, DoubleEquals, Equals, GreaterThan, Identifier, In, LessThan, NotEquals, NotIn, OpenPar }

const keywords: Record<string, Tok> = {
  ')': Tok.ClosePar, ',': Tok.Comma, '!': Tok.DoesNotExist, '==': Tok.DoubleEquals, '=': Tok.Equals,
  '>': Tok.GreaterThan, in: Tok.In, '<': Tok.LessThan, '!=': Tok.NotEquals, notin: Tok.NotIn, '(': Tok.OpenPar,
};

interface Item { tok: Tok; lit: string }

const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => '=!(),><'.includes(c) && c !== '';

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    if (pos >= s.length) { items.push({ tok: Tok.End, lit: '' }); return items; }
    if (isSpecial(s[pos]!)) {
      let buf = '';
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s[pos]!)) {
        buf += s[pos];
        const t = keywords[buf];
        if (t !== undefined) { last = { tok: t, lit: buf }; pos++; }
        else if (last) break;
        else pos++;
      }
      items.push(last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buf}'` });
    } else {
      let buf = '';
      while (pos < s.length && !isSpecial(s[pos]!) && !isWhitespace(s[pos]!)) buf += s[pos++];
      const t = keywords[buf];
      items.push({ tok: t ?? Tok.Identifier, lit: buf });
    }
  }
}

// ---- Parser (labels.Parser) ----

class Parser {
  #items: Item[];
  #pos = 0;
  constructor(s: string) { this.#items = lex(s); }

  /** In value context the keywords `in`/`notin` are plain identifiers. */
  #asValue(it: Item): Item {
    return it.tok === Tok.In || it.tok === Tok.NotIn ? { tok: Tok.Identifier, lit: it.lit } : it;
  }
  lookahead(values = true): Item { const it = this.#items[this.#pos]!; return values ? this.#asValue(it) : it; }
  consume(values = true): Item { const it = this.#items[this.#pos++]!; return values ? this.#asValue(it) : it; }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead();
      if (tok === Tok.Identifier || tok === Tok.DoesNotExist) {
        let r: LabelRequirement;
        try {
          r = this.parseRequirement();
        } catch (e) {
          throw new LabelSelectorParseError(`unable to parse requirement: ${(e as Error).message}`);
        }
        reqs.push(r);
        const t = this.consume();
        if (t.tok === Tok.End) return reqs;
        if (t.tok === Tok.Comma) {
          const t2 = this.lookahead();
          if (t2.tok !== Tok.Identifier && t2.tok !== Tok.DoesNotExist) throw new LabelSelectorParseError(`found '${t2.lit}', expected: identifier after ','`);
        } else {
          throw new LabelSelectorParseError(`found '${t.lit}', expected: ',' or 'end of string'`);
        }
      } else if (tok === Tok.End) {
        return reqs;
      } else {
        throw new LabelSelectorParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  parseRequirement(): LabelRequirement {
    let op: LabelOperator | undefined;
    let t = this.consume();
    if (t.tok === Tok.DoesNotExist) { op = '!'; t = this.consume(); }
    if (t.tok !== Tok.Identifier) throw new Error(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length > 0) throw new Error(`<nil>: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`);
    const next = this.lookahead().tok;
    if (next === Tok.End || next === Tok.Comma) {
      return newRequirement(key, op ?? 'exists', []);
    }
    if (op === '!') return newRequirement(key, '!', []);
    const operator = this.parseOperator();
    const values = operator === 'in' || operator === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, operator, [...values].sort());
  }

  parseOperator(): LabelOperator {
    const t = this.consume(false);
    switch (t.tok) {
      case Tok.In: return 'in';
      case Tok.Equals: return '=';
      case Tok.DoubleEquals: return '==';
      case Tok.GreaterThan: return 'gt';
      case Tok.LessThan: return 'lt';
      case Tok.NotIn: return 'notin';
      case Tok.NotEquals: return '!=';
      default: throw new Error(`found '${t.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  parseValues(): Set<string> {
    const t = this.consume();
    if (t.tok !== Tok.OpenPar) throw new Error(`found '${t.lit}' expected: '('`);
    const la = this.lookahead();
    if (la.tok === Tok.Identifier || la.tok === Tok.Comma) {
      const s = this.parseIdentifiersList();
      if (this.consume().tok !== Tok.ClosePar) throw new Error(`found '${la.lit}', expected: ')'`);
      return s;
    }
    if (la.tok === Tok.ClosePar) { this.consume(); return new Set(['']); }
    throw new Error(`found '${la.lit}', expected: ',', ')' or identifier`);
  }

  parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const t = this.consume();
      if (t.tok === Tok.Identifier) {
        s.add(t.lit);
        const t2 = this.lookahead();
        if (t2.tok === Tok.Comma) continue;
        if (t2.tok === Tok.ClosePar) return s;
        throw new Error(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (t.tok === Tok.Comma) {
        if (s.size === 0) s.add('');
        const t2 = this.lookahead();
        if (t2.tok === Tok.ClosePar) { s.add(''); return s; }
        if (t2.tok === Tok.Comma) { this.consume(); s.add(''); }
      } else {
        throw new Error(`found '${t.lit}', expected: ',', or identifier`);
      }
    }
  }

  parseExactValue(): Set<string> {
    const la = this.lookahead();
    if (la.tok === Tok.End || la.tok === Tok.Comma) return new Set(['']);
    const t = this.consume();
    if (t.tok === Tok.Identifier) return new Set([t.lit]);
    throw new Error(`found '${t.lit}', expected: identifier`);
  }
}

/** Parses the string form; '' selects everything. Throws LabelSelectorParseError. */
export function parseLabelSelector(selector: string): LabelRequirements {
  return sortByKey(new Parser(selector).parse());
}

// ---- Matching ----

export function requirementMatches(r: LabelRequirement, labels: Labels): boolean {
  const has = labels != null && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels![r.key]! : '';
  switch (r.operator) {
    case 'in': case '=': case '==': return has && r.values.includes(value);
    case 'notin': case '!=': return !has || !r.values.includes(value);
    case 'exists': return has;
    case '!': return !has;
    case 'gt': case 'lt': {
      if (!has || r.values.length !== 1 || !/^[+-]?\d+$/.test(value) || !/^[+-]?\d+$/.test(r.values[0]!)) return false;
      const a = BigInt(value); const b = BigInt(r.values[0]!);
      return r.operator === 'gt' ? a > b : a < b;
    }
  }
}

/** True when every requirement matches; `null` (Nothing) matches nothing. */
export function matchesLabels(reqs: LabelRequirements | null, labels: Labels): boolean {
  if (reqs === null) return false;
  return reqs.every((r) => requirementMatches(r, labels));
}

// ---- Printing ----

export function requirementString(r: LabelRequirement): string {
  const ops: Record<LabelOperator, string> = { '=': '=', '==': '==', '!=': '!=', in: ' in ', notin: ' notin ', gt: '>', lt: '<', exists: '', '!': '' };
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  const vals = r.values.join(',');
  return r.operator === 'in' || r.operator === 'notin' ? `${r.key}${ops[r.operator]}(${vals})` : `${r.key}${ops[r.operator]}${vals}`;
}

/** The string form (labels.Selector.String()); '' for everything and for nothing. */
export function labelSelectorString(reqs: LabelRequirements | null): string {
  return (reqs ?? []).map(requirementString).join(',');
}

// ---- metav1.LabelSelector ----

/**
 * metav1.LabelSelectorAsSelector: undefined/null → null (Nothing); no terms → [] (Everything).
 * Throws LabelSelectorParseError for an unknown operator or invalid key/value.
 */
export function labelSelectorAsRequirements(sel: LabelSelector | undefined | null): LabelRequirements | null {
  if (!sel) return null;
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push(newRequirement(k, '=', [v]));
  for (const expr of sel.matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const)[expr.operator as 'In'];
    if (!op) throw new LabelSelectorParseError(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    reqs.push(newRequirement(expr.key, op, expr.values ?? []));
  }
  return sortByKey(reqs);
}

/** metav1.FormatLabelSelector: `app=web,tier in (a,b)`, `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(sel: LabelSelector | undefined | null): string {
  let s: string;
  try {
    s = labelSelectorString(labelSelectorAsRequirements(sel));
  } catch (e) {
    if (e instanceof LabelSelectorParseError) return '<error>';
    throw e;
  }
  return s === '' ? '<none>' : s;
}

/** True when the metav1.LabelSelector selects the labels (nil selects nothing, {} everything). */
export function labelSelectorMatches(sel: LabelSelector | undefined | null, labels: Labels): boolean {
  return matchesLabels(labelSelectorAsRequirements(sel), labels);
}

/** A plain map selector (Service.spec.selector, RC selector): every pair must match. Empty map selects everything. */
export function selectorFromSet(set: Readonly<Record<string, string>> | undefined | null): LabelRequirements {
  return sortByKey(Object.entries(set ?? {}).map(([k, v]) => ({ key: k, operator: '=' as const, values: [v] })));
}
