/**
 * Sets of field paths as server-side apply tracks them, and their `FieldsV1` encoding:
 * path elements `f:<field>`, `k:{"name":"a"}` (list-map item by key), `v:<json>` (set element),
 * `i:<index>`; a node that is itself in the set and also has children carries `".": {}`.
 */
import { GenerationalMap } from '../../base/generational-map.js';
import { isObject, type JsonObject, type JsonValue } from './json-value.js';

/** A path element in its serialized (FieldsV1) form, e.g. `f:spec` or `k:{"name":"a"}`. */
export type PathElement = string;
export type FieldPath = readonly PathElement[];

/**
 * `f:<name>`. The same few names recur in every object of a kind: each element is made once (a
 * flat string whose hash is computed once, for the Maps of every set it goes into). Bounded.
 */
export function fieldPE(name: string): PathElement {
  let pe = fieldPEs.get(name);
  if (pe === undefined) fieldPEs.set(name, (pe = `f:${name}`));
  return pe;
}
const fieldPEs = new GenerationalMap<string, PathElement>(2048);
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

/** The children of every leaf (never changed: setChild replaces it first). */
const noChildren = new Map<PathElement, never>();

/**
 * A trie of path elements; `member` says the path ending here is in the set.
 *
 * Sets are built by `insert` (and the readers) and are values from then on: the set operations
 * never change their operands and share unchanged subtrees with them (returning an operand itself
 * when the result equals it), so that an owner whose fields a write does not touch keeps the very
 * same set, and its encoding is reused. Only `clone()` gives a copy that may be changed again.
 */
export class FieldSet {
  member = false;
  // Most nodes are leaves: they share one empty map until a child is added.
  #children: Map<PathElement, FieldSet> = noChildren;
  get children(): ReadonlyMap<PathElement, FieldSet> { return this.#children; }

  /** Adds a child (sets being built only: sets are values once made). */
  setChild(pe: PathElement, child: FieldSet): void {
    if (this.#children === noChildren) this.#children = new Map();
    this.#children.set(pe, child);
  }
  /** This set's FieldsV1, once encoded. */
  #encoded: Interned | undefined;
  /** …and with `".": {}`, as a member with children is encoded in its parent. */
  #encodedWithSelf: Interned | undefined;

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
      node.#encoded = node.#encodedWithSelf = undefined;
      let next = node.children.get(pe);
      if (!next) { next = new FieldSet(); node.setChild(pe, next); }
      node = next;
    }
    node.#encoded = node.#encodedWithSelf = undefined;
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

  /** A deep copy, free to be changed. */
  clone(): FieldSet {
    const s = new FieldSet();
    s.member = this.member;
    for (const [pe, c] of this.children) s.setChild(pe, c.clone());
    return s;
  }

  union(other: FieldSet): FieldSet {
    if (other === this || isBare(other)) return this;
    if (isBare(this)) return other;
    const member = this.member || other.member;
    let same = member === this.member;
    const merged: [PathElement, FieldSet][] = [];
    for (const [pe, c] of this.children) {
      const oc = other.children.get(pe);
      const u = oc ? c.union(oc) : c;
      if (u !== c) same = false;
      merged.push([pe, u]);
    }
    for (const [pe, oc] of other.children) if (!this.children.has(pe)) { same = false; merged.push([pe, oc]); }
    // A writer that changes only fields it already owns keeps its very set (and its encoding).
    return same ? this : build(member, merged);
  }

  /** Paths in this set and not in `other` (exact paths; descendants are compared one by one). */
  difference(other: FieldSet): FieldSet {
    if (isBare(other) || isBare(this)) return this;
    const member = this.member && !other.member;
    let same = member === this.member;
    const kept: [PathElement, FieldSet][] = [];
    for (const [pe, c] of this.children) {
      const oc = other.children.get(pe);
      const d = oc ? c.difference(oc) : c;
      if (d !== c) same = false;
      if (d.member || d.children.size > 0) kept.push([pe, d]);
      else same = false;
    }
    return same ? this : build(member, kept);
  }

  intersection(other: FieldSet): FieldSet {
    const s = new FieldSet();
    s.member = this.member && other.member;
    for (const [pe, c] of this.children) {
      const oc = other.children.get(pe);
      if (!oc) continue;
      const i = c.intersection(oc);
      if (i.member || i.children.size > 0) s.setChild(pe, i);
    }
    return s;
  }

  /** Drops every path that is in `other` or lies below a path in `other`. */
  recursiveDifference(other: FieldSet): FieldSet {
    if (isBare(other)) return this;
    let same = !this.member;
    const kept: [PathElement, FieldSet][] = [];
    for (const [pe, c] of this.children) {
      const oc = other.children.get(pe);
      if (oc?.member) { same = false; continue; }
      const d = oc ? c.recursiveDifference(oc) : c;
      if (d !== c) same = false;
      if (d.member || d.children.size > 0) kept.push([pe, d]);
      else same = false;
    }
    return same ? this : build(false, kept);
  }

  /** Keeps only the paths at or below a path in `other`. */
  restrictTo(other: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const [pe, c] of this.children) {
      const oc = other.children.get(pe);
      if (!oc) continue;
      if (oc.member) { s.setChild(pe, c); continue; }
      const r = c.restrictTo(oc);
      if (r.children.size > 0) s.setChild(pe, r);
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

  /**
   * The FieldsV1 JSON object, children sorted as upstream sorts path elements. Encodings are
   * hash-consed (see `intern`): frozen, and one object for equal trees and branches.
   */
  toFieldsV1(): JsonObject {
    return this.#encode().tree;
  }

  #encode(): Interned {
    if (this.#encoded) return this.#encoded;
    const pes = sortPEs([...this.#children.keys()]);
    const pairs: number[] = [];
    for (const pe of pes) {
      const v = this.#encodedChild(pe);
      if (v) pairs.push(peId(pe), v.id);
    }
    this.#encoded = pairs.length === 0 ? emptyInterned : intern(pairs, () => {
      const out: JsonObject = {};
      for (const pe of pes) {
        const v = this.#encodedChild(pe);
        if (v) out[pe] = v.tree;
      }
      return out;
    });
    return this.#encoded;
  }

  /** How child `pe` appears in this node's encoding; undefined when nothing below is in the set. */
  #encodedChild(pe: PathElement): Interned | undefined {
    const c = this.#children.get(pe)!;
    const inner = c.#encode();
    if (inner === emptyInterned) return c.member ? inner : undefined;
    return c.member ? c.#withSelf(inner) : inner;
  }

  /** This node's children with `".": {}` first: how a member with children is encoded. */
  #withSelf(inner: Interned): Interned {
    return (this.#encodedWithSelf ??= intern([selfPE, inner.id], () => ({ '.': {}, ...inner.tree })));
  }
}

/**
 * Hash-consing of encoded trees: a tree is identified by the ids of its children's path elements
 * and of the children's trees, so a lookup costs a few integers per node rather than a
 * serialisation of the subtree. Equal trees (every pod of one template has the same, the same
 * branches of `f:containers`…) are then one frozen object, which the watch cache shares as it is
 * (see SharedFieldSets) and the field manager's memo of decoded sets finds again. The table
 * holds two generations (GenerationalMap): trees no longer made are dropped, and stay valid where
 * used. Ids are never reused.
 */
interface Interned { tree: JsonObject; id: number; pairs: readonly number[] }

/** The one `{}`: the encoding of an empty set, and of every leaf. */
const emptyInterned: Interned = { tree: Object.freeze({}), id: 0, pairs: [] };
let nextTreeId = 1;
/** Trees by the hash of their pairs (a bucket per hash). */
const trees = new GenerationalMap<number, Interned[]>(8192);

/** Path elements by id (a list item's key is often one object's alone: bounded, ids not reused). */
const peIds = new GenerationalMap<PathElement, number>(32768);
let nextPeId = 1;
const selfPE = 0; // `.`

function peId(pe: PathElement): number {
  let id = peIds.get(pe);
  if (id === undefined) peIds.set(pe, (id = nextPeId++));
  return id;
}

function hashPairs(pairs: readonly number[]): number {
  let h = pairs.length;
  for (const x of pairs) h = Math.imul(h ^ x, 0x9e3779b1) ^ (h >>> 15);
  return h & 0x3fffffff; // a small integer: a Map key V8 hashes without boxing
}

function samePairs(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function intern(pairs: number[], make: () => JsonObject): Interned {
  const hash = hashPairs(pairs);
  const bucket = trees.get(hash);
  if (bucket) for (const t of bucket) if (samePairs(t.pairs, pairs)) return t;
  const interned: Interned = { tree: Object.freeze(make()), id: nextTreeId++, pairs };
  if (bucket) bucket.push(interned); else trees.set(hash, [interned]);
  return interned;
}

/** A node with no children and no membership: the empty set, for the operations above. */
function isBare(s: FieldSet): boolean {
  return !s.member && s.children.size === 0;
}

function build(member: boolean, children: readonly [PathElement, FieldSet][]): FieldSet {
  const s = new FieldSet();
  s.member = member;
  for (const [pe, c] of children) s.setChild(pe, c);
  return s;
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
    else set.setChild(k, child);
  }
}

function mergeInto(into: FieldSet, other: FieldSet): void {
  into.member ||= other.member;
  for (const [pe, c] of other.children) {
    const mine = into.children.get(pe);
    if (mine) mergeInto(mine, c);
    else into.setChild(pe, c.clone());
  }
}

const peOrder: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Sorts path elements; each is parsed once (field names, the common case, need no parsing). */
function sortPEs(pes: PathElement[]): PathElement[] {
  if (pes.length < 2) return pes;
  if (pes.every((pe) => pe.startsWith('f:'))) return pes.sort();
  return pes.map(parsePE).sort(compareParsed).map((p) => p.raw);
}

interface ParsedPE { type: number; raw: PathElement; rest: string; value?: JsonValue; fields?: [string, JsonValue][] }

/**
 * Parsed key and value elements, by their text: the same few (`k:{"type":"Ready"}`, a container's
 * name) recur in every object of a kind. Bounded, oldest out.
 */
const parsedPEs = new Map<PathElement, ParsedPE>();
const parsedPEsMax = 1024;

function parsePE(pe: PathElement): ParsedPE {
  if (pe[0] === 'f') return { type: 0, raw: pe, rest: pe.slice(2) };
  const hit = parsedPEs.get(pe);
  if (hit) return hit;
  const p = parseNewPE(pe);
  if (parsedPEs.size >= parsedPEsMax) parsedPEs.delete(parsedPEs.keys().next().value!);
  parsedPEs.set(pe, p);
  return p;
}

function parseNewPE(pe: PathElement): ParsedPE {
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
