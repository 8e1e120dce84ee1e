/**
 * Sets of field paths as server-side apply tracks them, and their `FieldsV1` encoding:
 * path elements `f:<field>`, `k:{"name":"a"}` (list-map item by key), `v:<json>` (set element),
 * `i:<index>`; a node that is itself in the set and also has children carries `".": {}`.
 */
import { isObject, type JsonObject, type JsonValue } from './json-value.js';

/** A path element in its serialized (FieldsV1) form, e.g. `f:spec` or `k:{"name":"a"}`. */
export type PathElement = string;
export type FieldPath = readonly PathElement[];

export const fieldPE = (name: string): PathElement => `f:${name}`;
export const indexPE = (i: number): PathElement => `i:${i}`;
export const valuePE = (v: JsonValue): PathElement => `v:${canonicalJson(v)}`;
/** A list-map key: fields sorted by name, as upstream serializes them. */
export function keyPE(fields: readonly (readonly [string, JsonValue])[]): PathElement {
  const sorted = [...fields].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `k:{${sorted.map(([n, v]) => `${JSON.stringify(n)}:${canonicalJson(v)}`).join(',')}}`;
}

/** JSON with object keys sorted (Go's encoding of maps). */
export function canonicalJson(v: JsonValue): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k]!)}`).join(',')}}`;
  return JSON.stringify(v);
}

/** A trie of path elements; `member` says the path ending here is in the set. */
export class FieldSet {
  member = false;
  readonly children = new Map<PathElement, FieldSet>();

  static fromFieldsV1(fields: unknown): FieldSet {
    const set = new FieldSet();
    if (isObject(fields)) readInto(set, fields);
    return set;
  }

  static of(...paths: FieldPath[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: FieldPath): void {
    if (path.length === 0) return;
    let node: FieldSet = this;
    for (const pe of path) {
      let next = node.children.get(pe);
      if (!next) { next = new FieldSet(); node.children.set(pe, next); }
      node = next;
    }
    node.member = true;
  }

  has(path: FieldPath): boolean {
    let node: FieldSet | undefined = this;
    for (const pe of path) { node = node.children.get(pe); if (!node) return false; }
    return path.length > 0 && node.member;
  }

  child(pe: PathElement): FieldSet | undefined { return this.children.get(pe); }

  isEmpty(): boolean {
    for (const c of this.children.values()) if (c.member || !c.isEmpty()) return false;
    return true;
  }

  clone(): FieldSet {
    const s = new FieldSet();
    s.member = this.member;
    for (const [pe, c] of this.children) s.children.set(pe, c.clone());
    return s;
  }

  union(other: FieldSet): FieldSet {
    const s = this.clone();
    mergeInto(s, other);
    return s;
  }

  /** Paths in this set and not in `other` (exact paths; descendants are compared one by one). */
  difference(other: FieldSet): FieldSet {
    const s = new FieldSet();
    s.member = this.member && !other.member;
    for (const [pe, c] of this.children) {
      const oc = other.children.get(pe);
      const d = oc ? c.difference(oc) : c.clone();
      if (d.member || d.children.size > 0) s.children.set(pe, d);
    }
    return s;
  }

  intersection(other: FieldSet): FieldSet {
    const s = new FieldSet();
    s.member = this.member && other.member;
    for (const [pe, c] of this.children) {
      const oc = other.children.get(pe);
      if (!oc) continue;
      const i = c.intersection(oc);
      if (i.member || i.children.size > 0) s.children.set(pe, i);
    }
    return s;
  }

  /** Drops every path that is in `other` or lies below a path in `other`. */
  recursiveDifference(other: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const [pe, c] of this.children) {
      const oc = other.children.get(pe);
      if (oc?.member) continue;
      const d = oc ? c.recursiveDifference(oc) : c.clone();
      d.member = c.member;
      if (d.member || d.children.size > 0) s.children.set(pe, d);
    }
    return s;
  }

  /** Keeps only the paths at or below a path in `other`. */
  restrictTo(other: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const [pe, c] of this.children) {
      const oc = other.children.get(pe);
      if (!oc) continue;
      if (oc.member) { s.children.set(pe, c.clone()); continue; }
      const r = c.restrictTo(oc);
      if (r.children.size > 0) s.children.set(pe, r);
    }
    return s;
  }

  /** Every path in the set, in upstream order (at each level members first, then children; both sorted). */
  paths(): PathElement[][] {
    const out: PathElement[][] = [];
    const walk = (node: FieldSet, prefix: PathElement[]): void => {
      const sorted = sortPEs([...node.children.keys()]);
      for (const pe of sorted) if (node.children.get(pe)!.member) out.push([...prefix, pe]);
      for (const pe of sorted) {
        const c = node.children.get(pe)!;
        if (c.children.size > 0) walk(c, [...prefix, pe]);
      }
    };
    walk(this, []);
    return out;
  }

  /** The FieldsV1 JSON object, children sorted as upstream sorts path elements. */
  toFieldsV1(): JsonObject {
    const out: JsonObject = {};
    for (const pe of sortPEs([...this.children.keys()])) {
      const c = this.children.get(pe)!;
      if (!c.member && c.isEmpty()) continue;
      const inner: JsonObject = {};
      if (c.member && c.children.size > 0 && !c.isEmpty()) inner['.'] = {};
      Object.assign(inner, c.toFieldsV1());
      out[pe] = inner;
    }
    return out;
  }
}

function readInto(set: FieldSet, obj: JsonObject): void {
  for (const [k, v] of Object.entries(obj)) {
    if (k === '.') { set.member = true; continue; }
    if (!/^[fkvi]:/.test(k)) continue;
    const child = new FieldSet();
    if (isObject(v)) readInto(child, v);
    if (child.children.size === 0) child.member = true;
    const existing = set.children.get(k);
    if (existing) mergeInto(existing, child);
    else set.children.set(k, child);
  }
}

function mergeInto(into: FieldSet, other: FieldSet): void {
  into.member ||= other.member;
  for (const [pe, c] of other.children) {
    const mine = into.children.get(pe);
    if (mine) mergeInto(mine, c);
    else into.children.set(pe, c.clone());
  }
}

const peOrder: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Sorts path elements; each is parsed once (field names, the common case, need no parsing). */
function sortPEs(pes: PathElement[]): PathElement[] {
  if (pes.every((pe) => pe.startsWith('f:'))) return pes.sort();
  return pes.map(parsePE).sort(compareParsed).map((p) => p.raw);
}

interface ParsedPE { type: number; raw: PathElement; rest: string; value?: JsonValue; fields?: [string, JsonValue][] }

function parsePE(pe: PathElement): ParsedPE {
  const p: ParsedPE = { type: peOrder[pe[0]!] ?? 4, raw: pe, rest: pe.slice(2) };
  if (pe[0] === 'v') p.value = parseOr(p.rest);
  if (pe[0] === 'k') p.fields = Object.entries(asObject(parseOr(p.rest))).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return p;
}

function compareParsed(a: ParsedPE, b: ParsedPE): number {
  if (a.type !== b.type) return a.type - b.type;
  if (a.value !== undefined || b.value !== undefined) return compareValues(a.value ?? null, b.value ?? null);
  if (a.fields && b.fields) {
    for (let i = 0; ; i++) {
      if (i >= a.fields.length && i >= b.fields.length) return 0;
      if (i >= a.fields.length) return -1;
      if (i >= b.fields.length) return 1;
      if (a.fields[i]![0] !== b.fields[i]![0]) return a.fields[i]![0] < b.fields[i]![0] ? -1 : 1;
      const c = compareValues(a.fields[i]![1], b.fields[i]![1]);
      if (c !== 0) return c;
    }
  }
  if (a.raw[0] === 'i') return Number(a.rest) - Number(b.rest);
  return a.rest < b.rest ? -1 : a.rest > b.rest ? 1 : 0;
}

/** Upstream PathElement ordering: fields < keys < values < indices, each ordered within. */
export function comparePE(a: PathElement, b: PathElement): number {
  return compareParsed(parsePE(a), parsePE(b));
}

function parseOr(s: string): JsonValue {
  try { return JSON.parse(s) as JsonValue; } catch { return s; }
}
function asObject(v: JsonValue): JsonObject { return isObject(v) ? v : {}; }

const rank = (v: JsonValue): number =>
  typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : typeof v === 'boolean' ? 2 : Array.isArray(v) ? 3 : isObject(v) ? 4 : 5;

/** Total order on values (numbers < strings < booleans < lists < maps < null), as structured-merge-diff. */
export function compareValues(a: JsonValue, b: JsonValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareValues(a[i]!, b[i]!);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  return 0;
}

/** A path as upstream prints it in conflicts: `.spec.containers[name="a"].image`. */
export function pathToString(path: FieldPath): string {
  return path.map((pe) => {
    const rest = pe.slice(2);
    switch (pe[0]) {
      case 'f': return `.${rest}`;
      case 'i': return `[${rest}]`;
      case 'v': return `[=${valueToString(parseOr(rest))}]`;
      case 'k': {
        const fields = Object.entries(asObject(parseOr(rest)));
        return `[${fields.map(([n, v]) => `${n}=${valueToString(v)}`).join(',')}]`;
      }
      default: return pe;
    }
  }).join('');
}

function valueToString(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`;
  if (isObject(v)) return Object.entries(v).map(([k, x]) => `${k}=${valueToString(x)}`).join('');
  return String(v);
}
