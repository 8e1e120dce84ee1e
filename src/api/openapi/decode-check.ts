import type { Definitions } from './definitions.js';
import { refName, type Schema } from './schema.js';

/**
 * Decode checks for built-in kinds: what the Kubernetes apiserver's strict JSON decoder
 * (sigs.k8s.io/json into the Go structs) reports about a request body.
 *
 * - `unknown`: fields the type does not have, as kube prints them (`spec.template.spec.containers[0].imagee`);
 * - `duplicates`: keys given twice in one JSON object (needs the raw text: JSON.parse keeps only the last);
 * - `strict`: both, in document order, worded as upstream (`unknown field "spec.foo"`,
 *   `duplicate field "spec.replicas"`) — the 400 message with fieldValidation=Strict and the
 *   `Warning` headers with Warn;
 * - `typeErrors`: values the Go type cannot hold, worded as encoding/json
 *   (`json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`).
 *   Upstream stops at the first; the apiserver answers 400 with `cannotHandle(...)`.
 */
export interface DecodeCheck {
  unknown: string[];
  duplicates: string[];
  strict: string[];
  typeErrors: string[];
}

/** A compiled walker for one schema node; struct nodes are shared per definition (cycles allowed). */
type Node =
  | { k: 'struct'; goName: string; goType: string; props: Map<string, Node> }
  | { k: 'map'; goType: string; value: Node }
  | { k: 'array'; goType: string; items: Node }
  | { k: 'int'; goType: 'int32' | 'int64' }
  | { k: 'float'; goType: string }
  | { k: 'string'; goType: string }
  | { k: 'bytes'; goType: string }
  | { k: 'bool'; goType: string }
  | { k: 'intOrString' }
  | { k: 'quantity' }
  | { k: 'time'; micro: boolean }
  | { k: 'any' };

const quantityPattern = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;
const quantityError = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The Go package name a definition lives in: `v1.DeploymentSpec`, `resource.Quantity`. */
function goTypeOf(definition: string): string {
  const parts = definition.split('.');
  return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
}

function shortName(definition: string): string {
  return definition.slice(definition.lastIndexOf('.') + 1);
}

function compileDefinition(defs: Definitions, name: string, cache: Map<string, Node>): Node {
  const cached = cache.get(name);
  if (cached) return cached;
  const schema = defs.get(name);
  if (!schema) throw new Error(`openapi: unknown definition ${name}`);
  const special = specialNode(name, schema);
  if (special) { cache.set(name, special); return special; }
  if (schema.type === 'object' && schema.properties) {
    const node: Node = { k: 'struct', goName: shortName(name), goType: goTypeOf(name), props: new Map() };
    cache.set(name, node);
    for (const [prop, ps] of Object.entries(schema.properties)) node.props.set(prop, compileSchema(defs, ps, cache));
    return node;
  }
  const node = compileSchema(defs, { ...schema, $ref: undefined }, cache);
  cache.set(name, node);
  return node;
}

function specialNode(name: string, schema: Schema): Node | undefined {
  if (name === 'io.k8s.apimachinery.pkg.util.intstr.IntOrString' || schema.format === 'int-or-string') return { k: 'intOrString' };
  if (name === 'io.k8s.apimachinery.pkg.api.resource.Quantity') return { k: 'quantity' };
  if (name === 'io.k8s.apimachinery.pkg.apis.meta.v1.Time') return { k: 'time', micro: false };
  if (name === 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime') return { k: 'time', micro: true };
  return undefined;
}

function compileSchema(defs: Definitions, schema: Schema, cache: Map<string, Node>): Node {
  const ref = schema.$ref ?? (schema.allOf?.length === 1 ? schema.allOf[0]?.$ref : undefined);
  if (ref) return compileDefinition(defs, refName(ref), cache);
  switch (schema.type) {
    case 'integer':
      return schema.format === 'int64' ? { k: 'int', goType: 'int64' } : { k: 'int', goType: 'int32' };
    case 'number': return { k: 'float', goType: schema.format === 'float' ? 'float32' : 'float64' };
    case 'boolean': return { k: 'bool', goType: 'bool' };
    case 'string': return schema.format === 'byte' ? { k: 'bytes', goType: '[]uint8' } : { k: 'string', goType: 'string' };
    case 'array': {
      const items = schema.items ? compileSchema(defs, schema.items, cache) : { k: 'any' } as Node;
      return { k: 'array', goType: `[]${goTypeName(items)}`, items };
    }
    case 'object': {
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        const value = compileSchema(defs, schema.additionalProperties, cache);
        return { k: 'map', goType: `map[string]${goTypeName(value)}`, value };
      }
      return { k: 'any' };
    }
    default: return { k: 'any' };
  }
}

function goTypeName(node: Node): string {
  switch (node.k) {
    case 'struct': case 'map': case 'array': case 'int': case 'float': case 'string': case 'bytes': case 'bool': return node.goType;
    case 'intOrString': return 'intstr.IntOrString';
    case 'quantity': return 'resource.Quantity';
    case 'time': return node.micro ? 'v1.MicroTime' : 'v1.Time';
    case 'any': return 'interface {}';
  }
}

function rootNode(defs: Definitions, definition: string): Node {
  const cache = defs.memo('decode-check', () => new Map<string, Node>());
  return compileDefinition(defs, definition, cache);
}

/** Checks a decoded body against a built-in definition; pass the raw JSON text to find duplicate keys. */
export function checkObject(defs: Definitions, definition: string, obj: unknown, rawJsonText?: string): DecodeCheck {
  const root = rootNode(defs, definition);
  const result: DecodeCheck = { unknown: [], duplicates: [], strict: [], typeErrors: [] };
  const goCtx = { struct: shortName(definition) };
  walk(root, obj, '', '', goCtx, result, rawJsonText === undefined);
  if (rawJsonText !== undefined) new RawScanner(rawJsonText, result).run(root);
  return result;
}

/** Removes the fields the type does not have (fieldValidation=Ignore); returns their paths. */
export function pruneUnknownFields(defs: Definitions, definition: string, obj: unknown): string[] {
  const removed: string[] = [];
  pruneWalk(rootNode(defs, definition), obj, '', removed);
  return removed;
}

/** The 400 message for fieldValidation=Strict. */
export function strictDecodingError(check: DecodeCheck): string {
  return `strict decoding error: ${check.strict.join(', ')}`;
}

/** The 400 message upstream gives for a body its Go type cannot hold. */
export function cannotHandle(kind: string, version: string, typeError: string): string {
  return `${kind} in version "${version}" cannot be handled as a ${kind}: ${typeError}`;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Walks the decoded value. `path` is kube's path (with list indices), `goPath` encoding/json's
 * field path (names only), `go.struct` the innermost Go struct holding the current field.
 */
function walk(node: Node, value: unknown, path: string, goPath: string, go: { struct: string }, out: DecodeCheck, collectUnknown: boolean): void {
  if (value === null || value === undefined) return;
  const typeError = (valueDesc: string, goType: string) => {
    out.typeErrors.push(goPath
      ? `json: cannot unmarshal ${valueDesc} into Go struct field ${go.struct}.${goPath} of type ${goType}`
      : `json: cannot unmarshal ${valueDesc} into Go value of type ${goType}`);
  };
  switch (node.k) {
    case 'any': return;
    case 'struct': {
      if (!isObject(value)) return typeError(jsonKind(value), node.goType);
      const inner = { struct: node.goName };
      for (const [key, child] of Object.entries(value)) {
        const childNode = node.props.get(key);
        if (!childNode) {
          if (collectUnknown) { out.unknown.push(join(path, key)); out.strict.push(`unknown field "${join(path, key)}"`); }
          continue;
        }
        walk(childNode, child, join(path, key), join(goPath, key), inner, out, collectUnknown);
      }
      return;
    }
    case 'map': {
      if (!isObject(value)) return typeError(jsonKind(value), node.goType);
      for (const [key, child] of Object.entries(value)) walk(node.value, child, join(path, key), goPath, go, out, collectUnknown);
      return;
    }
    case 'array': {
      if (!Array.isArray(value)) return typeError(jsonKind(value), node.goType);
      value.forEach((item, i) => walk(node.items, item, `${path}[${i}]`, goPath, go, out, collectUnknown));
      return;
    }
    case 'int': {
      if (typeof value !== 'number') return typeError(jsonKind(value), node.goType);
      const limit = node.goType === 'int32' ? 2 ** 31 : 2 ** 63;
      if (!Number.isInteger(value) || value >= limit || value < -limit) typeError(`number ${value}`, node.goType);
      return;
    }
    case 'float': if (typeof value !== 'number') typeError(jsonKind(value), node.goType); return;
    case 'bool': if (typeof value !== 'boolean') typeError(jsonKind(value), node.goType); return;
    case 'string': if (typeof value !== 'string') typeError(jsonKind(value), node.goType); return;
    case 'bytes': {
      if (typeof value !== 'string') return typeError(jsonKind(value), node.goType);
      if (!base64Pattern.test(value)) out.typeErrors.push(`illegal base64 data at input byte ${base64ErrorOffset(value)}`);
      return;
    }
    case 'intOrString': {
      if (typeof value === 'string') return;
      if (typeof value !== 'number') { out.typeErrors.push(`json: cannot unmarshal ${jsonKind(value)} into Go value of type int32`); return; }
      if (!Number.isInteger(value) || value >= 2 ** 31 || value < -(2 ** 31)) out.typeErrors.push(`json: cannot unmarshal number ${value} into Go value of type int32`);
      return;
    }
    case 'quantity': {
      if (typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'string' || !quantityPattern.test(value)) out.typeErrors.push(quantityError);
      return;
    }
    case 'time': {
      if (typeof value !== 'string') { out.typeErrors.push(`json: cannot unmarshal ${jsonKind(value)} into Go value of type string`); return; }
      if (value !== '' && !rfc3339.test(value)) {
        const layout = node.micro ? '2006-01-02T15:04:05.000000Z07:00' : '2006-01-02T15:04:05Z07:00';
        out.typeErrors.push(`parsing time "${value}" as "${layout}": cannot parse "${value}" as "2006"`);
      }
      return;
    }
  }
}

function base64ErrorOffset(s: string): number {
  const bad = s.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return bad;
  const pad = s.indexOf('=');
  if (pad >= 0 && pad < s.length - 2) return pad;
  return s.length - (s.length % 4);
}

function pruneWalk(node: Node, value: unknown, path: string, removed: string[]): void {
  if (node.k === 'struct' && isObject(value)) {
    for (const key of Object.keys(value)) {
      const child = node.props.get(key);
      if (!child) { delete value[key]; removed.push(join(path, key)); continue; }
      pruneWalk(child, value[key], join(path, key), removed);
    }
  } else if (node.k === 'map' && isObject(value)) {
    for (const [key, child] of Object.entries(value)) pruneWalk(node.value, child, join(path, key), removed);
  } else if (node.k === 'array' && Array.isArray(value)) {
    value.forEach((item, i) => pruneWalk(node.items, item, `${path}[${i}]`, removed));
  }
}

/**
 * Scans the raw JSON text with the schema alongside, reporting unknown and duplicate keys in
 * document order (as the Go decoder meets them). Expects text JSON.parse accepted.
 */
class RawScanner {
  #i = 0;
  readonly #text: string;
  readonly #out: DecodeCheck;
  constructor(text: string, out: DecodeCheck) { this.#text = text; this.#out = out; }

  run(root: Node): void {
    this.#ws();
    this.#value(root, '');
  }

  #ws(): void {
    const t = this.#text;
    while (this.#i < t.length) {
      const c = t.charCodeAt(this.#i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.#i++;
      else break;
    }
  }

  #string(): string {
    const t = this.#text;
    const start = this.#i++;
    let escaped = false;
    while (this.#i < t.length) {
      const c = t.charCodeAt(this.#i++);
      if (c === 0x5c) { escaped = true; this.#i++; continue; }
      if (c === 0x22) break;
    }
    const raw = t.slice(start, this.#i);
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }

  #value(node: Node | undefined, path: string): void {
    const c = this.#text[this.#i];
    if (c === '{') return this.#object(node, path);
    if (c === '[') return this.#array(node, path);
    if (c === '"') { this.#string(); return; }
    const t = this.#text;
    while (this.#i < t.length && !',}] \n\r\t'.includes(t[this.#i] as string)) this.#i++;
  }

  #object(node: Node | undefined, path: string): void {
    this.#i++;
    const seen = new Set<string>();
    for (;;) {
      this.#ws();
      if (this.#text[this.#i] === '}') { this.#i++; return; }
      if (this.#text[this.#i] === ',') { this.#i++; continue; }
      const key = this.#string();
      this.#ws();
      this.#i++; // ':'
      this.#ws();
      let child: Node | undefined;
      const childPath = join(path, key);
      if (node?.k === 'struct') {
        child = node.props.get(key);
        if (!child) {
          if (!seen.has(key)) { this.#out.unknown.push(childPath); this.#out.strict.push(`unknown field "${childPath}"`); }
        } else if (seen.has(key)) {
          this.#out.duplicates.push(childPath); this.#out.strict.push(`duplicate field "${childPath}"`);
        }
      } else if (node?.k === 'map') {
        child = node.value;
        if (seen.has(key)) { this.#out.duplicates.push(childPath); this.#out.strict.push(`duplicate field "${childPath}"`); }
      }
      seen.add(key);
      this.#value(child, childPath);
    }
  }

  #array(node: Node | undefined, path: string): void {
    this.#i++;
    const items = node?.k === 'array' ? node.items : undefined;
    let index = 0;
    for (;;) {
      this.#ws();
      if (this.#text[this.#i] === ']') { this.#i++; return; }
      if (this.#text[this.#i] === ',') { this.#i++; continue; }
      this.#value(items, `${path}[${index++}]`);
    }
  }
}

/**
 * JSON nulls as Go's decoder leaves them in the typed object: a null field is absent (nil pointer
 * or zero value, dropped by omitempty), a null list element or map value becomes its type's zero
 * value (`{}`, `""`, `0`, `false`). Run after the checks, before defaulting, so that defaulting
 * and validation see what the Go API server would.
 */
export function normalizeNulls(defs: Definitions, definition: string, obj: unknown): void {
  normalizeWalk(rootNode(defs, definition), obj);
}

function zeroOf(node: Node): unknown {
  switch (node.k) {
    case 'struct': case 'map': return {};
    case 'string': case 'bytes': return '';
    case 'int': case 'float': return 0;
    case 'bool': return false;
    default: return null;
  }
}

function normalizeWalk(node: Node, v: unknown): void {
  if (v === null || typeof v !== 'object') return;
  if (node.k === 'struct' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const [key, child] of node.props) {
      if (!(key in o)) continue;
      if (o[key] === null) delete o[key];
      else normalizeWalk(child, o[key]);
    }
  } else if (node.k === 'array' && Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      if (v[i] === null) v[i] = zeroOf(node.items);
      else normalizeWalk(node.items, v[i]);
    }
  } else if (node.k === 'map' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (o[key] === null) o[key] = zeroOf(node.value);
      else normalizeWalk(node.value, o[key]);
    }
  }
}
