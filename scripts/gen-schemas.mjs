// Generates src/api/openapi/generated/definitions.json: the Swagger 2.0 `definitions` of every
// Kubernetes type, keyed by the upstream definition names (io.k8s.api.apps.v1.Deployment …).
//
// Shapes and descriptions come from the kubernetes-types package (its .d.ts files, read with the
// TypeScript compiler API). What those files cannot say — integer widths, patch strategies and
// merge keys, list/map types, fields the package leaves out — comes from the facts table
// src/api/openapi/schema-facts.json.
//
//   node scripts/gen-schemas.mjs                       build the definitions (run before tsc)
//   node scripts/gen-schemas.mjs --extract-facts DIR…   rebuild the facts table from the upstream
//        generated.proto files found under DIR… (k8s.io/api, k8s.io/apimachinery and
//        k8s.io/apiextensions-apiserver checked out at the kubernetes-types release, v0.30.0)
import { readFileSync, writeFileSync, readdirSync, statSync, mkdirSync } from 'node:fs';
import { join, dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const typesDir = join(root, 'node_modules', 'kubernetes-types');
const factsFile = join(root, 'src', 'api', 'openapi', 'schema-facts.json');
const outFile = join(root, 'src', 'api', 'openapi', 'generated', 'definitions.json');

const argv = process.argv.slice(2);
if (argv[0] === '--extract-facts') extractFacts(argv.slice(1));
else generate();

// ---------------------------------------------------------------------------------------------
// Definition names

/** kubernetes-types file (relative, no extension) → upstream definition-name prefix. */
function prefixOfTypesFile(rel) {
  const special = {
    'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1',
    runtime: 'io.k8s.apimachinery.pkg.runtime',
    'api/resource': 'io.k8s.apimachinery.pkg.api.resource',
    version: 'io.k8s.apimachinery.pkg.version',
    'apiextensions/v1': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
  };
  if (special[rel]) return special[rel];
  const [group, version] = rel.split('/');
  return `io.k8s.api.${group}.${version}`;
}

/** Upstream API group of a kubernetes-types group folder (for x-kubernetes-group-version-kind). */
function apiGroupOf(folder) {
  const groups = {
    core: '', apps: 'apps', batch: 'batch', autoscaling: 'autoscaling', policy: 'policy',
    networking: 'networking.k8s.io', discovery: 'discovery.k8s.io', coordination: 'coordination.k8s.io',
    rbac: 'rbac.authorization.k8s.io', storage: 'storage.k8s.io', events: 'events.k8s.io',
    scheduling: 'scheduling.k8s.io', apiextensions: 'apiextensions.k8s.io', authorization: 'authorization.k8s.io',
    authentication: 'authentication.k8s.io', admissionregistration: 'admissionregistration.k8s.io',
    certificates: 'certificates.k8s.io', flowcontrol: 'flowcontrol.apiserver.k8s.io', node: 'node.k8s.io',
    resource: 'resource.k8s.io', apiserverinternal: 'internal.apiserver.k8s.io',
    storagemigration: 'storagemigration.k8s.io',
  };
  return groups[folder];
}

// ---------------------------------------------------------------------------------------------
// Generation

function listTypeFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTypeFiles(p));
    else if (name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

function docOf(node) {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  if (docs.length === 0) return undefined;
  const text = docs.map((d) => ts.getTextOfJSDocComment(d.comment) ?? '').join('\n').trim();
  return text || undefined;
}

function generate() {
  const facts = JSON.parse(readFileSync(factsFile, 'utf8'));
  const files = listTypeFiles(typesDir);
  const definitions = {};
  const groupVersions = new Set();

  for (const file of files) {
    const rel = relative(typesDir, file).replace(/\.d\.ts$/, '');
    const prefix = prefixOfTypesFile(rel);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const imports = new Map(); // local name → definition name
    for (const stmt of source.statements) {
      if (!ts.isImportDeclaration(stmt) || !stmt.importClause?.namedBindings) continue;
      const spec = stmt.moduleSpecifier.text;
      const target = relative(typesDir, resolve(dirname(file), spec));
      const targetPrefix = prefixOfTypesFile(target);
      for (const el of stmt.importClause.namedBindings.elements) imports.set(el.name.text, `${targetPrefix}.${(el.propertyName ?? el.name).text}`);
    }
    const local = new Set(source.statements.filter((s) => ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)).map((s) => s.name.text));
    const refName = (name) => imports.get(name) ?? (local.has(name) ? `${prefix}.${name}` : undefined);
    const ctx = { refName, file: rel };

    for (const stmt of source.statements) {
      if (ts.isInterfaceDeclaration(stmt)) {
        const name = `${prefix}.${stmt.name.text}`;
        definitions[name] = interfaceSchema(stmt, ctx, factsOf(facts, name));
        const gvk = gvkOf(stmt, rel);
        if (gvk) { definitions[name]['x-kubernetes-group-version-kind'] = [gvk]; groupVersions.add(`${gvk.group}/${gvk.version}`); }
      } else if (ts.isTypeAliasDeclaration(stmt)) {
        const name = `${prefix}.${stmt.name.text}`;
        definitions[name] = aliasSchema(name, stmt, ctx);
      }
    }
  }

  addSpecialDefinitions(definitions, facts);
  addMetaGroupVersionKinds(definitions, [...groupVersions].sort());
  checkReferences(definitions);

  const sorted = Object.fromEntries(Object.keys(definitions).sort().map((k) => [k, definitions[k]]));
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, JSON.stringify(sorted));
  process.stdout.write(`gen-schemas: ${Object.keys(sorted).length} definitions → ${relative(root, outFile)}\n`);
}

/** The facts of one definition, with those of the structs it embeds inline. */
function factsOf(facts, name) {
  const own = facts.definitions[name] ?? {};
  const properties = { ...own.properties };
  for (const embedded of own.inline ?? []) {
    for (const [k, v] of Object.entries(factsOf(facts, embedded).properties ?? {})) properties[k] ??= v;
  }
  return { ...own, properties };
}

/** A top-level kind: `apiVersion?: "apps/v1"` and `kind?: "Deployment"` string literals. */
function gvkOf(decl, rel) {
  let apiVersion, kind;
  for (const m of decl.members) {
    if (!ts.isPropertySignature(m) || !m.type || !ts.isLiteralTypeNode(m.type) || !ts.isStringLiteral(m.type.literal)) continue;
    if (m.name.getText() === 'apiVersion') apiVersion = m.type.literal.text;
    if (m.name.getText() === 'kind') kind = m.type.literal.text;
  }
  if (!apiVersion || !kind) return undefined;
  const i = apiVersion.indexOf('/');
  const group = i < 0 ? '' : apiVersion.slice(0, i);
  const version = i < 0 ? apiVersion : apiVersion.slice(i + 1);
  const folder = rel.split('/')[0];
  if (apiGroupOf(folder) !== undefined && apiGroupOf(folder) !== group) throw new Error(`${rel}: ${kind} says group ${group}`);
  return { group, kind, version };
}

function interfaceSchema(decl, ctx, fact = {}) {
  const schema = {};
  const description = docOf(decl);
  if (description) schema.description = description;
  const properties = {};
  const required = [];
  for (const m of decl.members) {
    if (!ts.isPropertySignature(m) || !m.type) continue;
    const name = ts.isStringLiteral(m.name) ? m.name.text : m.name.getText();
    const prop = typeSchema(m.type, ctx);
    const desc = docOf(m);
    applyPropertyFacts(prop, fact.properties?.[name]);
    properties[name] = desc ? { description: desc, ...prop } : prop;
    if (!m.questionToken) required.push(name);
  }
  for (const [name, added] of Object.entries(fact.addedProperties ?? {})) {
    if (!properties[name]) properties[name] = structuredClone(added);
  }
  if (Object.keys(properties).length > 0) schema.properties = Object.fromEntries(Object.keys(properties).sort().map((k) => [k, properties[k]]));
  if (required.length > 0) schema.required = required.sort();
  schema.type = 'object';
  if (fact['x-kubernetes-map-type']) schema['x-kubernetes-map-type'] = fact['x-kubernetes-map-type'];
  return schema;
}

/** Puts a field's facts on its schema: format on the innermost scalar, list/patch keys on the field. */
function applyPropertyFacts(prop, fact) {
  if (!fact) return;
  if (fact.format) {
    let target = prop;
    while (target.items || (target.additionalProperties && typeof target.additionalProperties === 'object')) target = target.items ?? target.additionalProperties;
    if (!target.$ref) {
      if (fact.format === 'double' || fact.format === 'float') target.type = 'number';
      if (fact.format === 'byte') target.type = 'string';
      target.format = fact.format;
    }
  }
  for (const key of ['x-kubernetes-list-map-keys', 'x-kubernetes-list-type', 'x-kubernetes-map-type', 'x-kubernetes-patch-merge-key', 'x-kubernetes-patch-strategy']) {
    if (fact[key] !== undefined) prop[key] = fact[key];
  }
}

function typeSchema(node, ctx) {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword: return { type: 'string' };
    case ts.SyntaxKind.NumberKeyword: return { type: 'integer' };
    case ts.SyntaxKind.BooleanKeyword: return { type: 'boolean' };
    case ts.SyntaxKind.AnyKeyword: case ts.SyntaxKind.UnknownKeyword: return {};
    case ts.SyntaxKind.LiteralType:
      if (ts.isStringLiteral(node.literal)) return { type: 'string' };
      break;
    case ts.SyntaxKind.ArrayType: return { type: 'array', items: typeSchema(node.elementType, ctx) };
    case ts.SyntaxKind.ParenthesizedType: return typeSchema(node.type, ctx);
    case ts.SyntaxKind.TypeLiteral: {
      const index = node.members.find(ts.isIndexSignatureDeclaration);
      if (index && node.members.length === 1) return { type: 'object', additionalProperties: typeSchema(index.type, ctx) };
      break;
    }
    case ts.SyntaxKind.UnionType: {
      const kinds = node.types.map((t) => t.kind).sort();
      if (kinds.length === 2 && kinds.includes(ts.SyntaxKind.NumberKeyword) && kinds.includes(ts.SyntaxKind.StringKeyword)) {
        return { $ref: '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString' };
      }
      break;
    }
    case ts.SyntaxKind.TypeReference: {
      const name = node.typeName.getText();
      if (name === 'Array' && node.typeArguments?.length === 1) return { type: 'array', items: typeSchema(node.typeArguments[0], ctx) };
      const target = ctx.refName(name);
      if (target) return { $ref: `#/definitions/${target}` };
      break;
    }
  }
  throw new Error(`${ctx.file}: unsupported type ${ts.SyntaxKind[node.kind]} '${node.getText()}'`);
}

/** `type Time = string`, `type JSONSchemaPropsOrBool = JSONSchemaProps | boolean` … */
function aliasSchema(name, decl, ctx) {
  const schema = {};
  const description = docOf(decl);
  if (description) schema.description = description;
  const formats = {
    'io.k8s.apimachinery.pkg.apis.meta.v1.Time': 'date-time',
    'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': 'date-time',
  };
  if (decl.type.kind === ts.SyntaxKind.StringKeyword) {
    schema.type = 'string';
    if (formats[name]) schema.format = formats[name];
    return schema;
  }
  // Unions (JSONSchemaPropsOr*) are free-form on the wire: upstream gives them a description only.
  if (ts.isUnionTypeNode(decl.type)) return schema;
  return { ...schema, ...typeSchema(decl.type, ctx) };
}

/** Types kubernetes-types inlines or leaves empty but upstream names. */
function addSpecialDefinitions(defs, facts) {
  for (const [name, schema] of Object.entries(facts.extraDefinitions ?? {})) {
    const def = { ...(defs[name] ?? {}), ...structuredClone(schema) };
    for (const [k, v] of Object.entries(def)) if (v === null) delete def[k];   // null in the table removes a key
    defs[name] = def;
  }
}

/** meta/v1 types served by every group-version carry one GVK per group-version, as upstream. */
function addMetaGroupVersionKinds(defs, groupVersions) {
  const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
  for (const kind of ['DeleteOptions', 'WatchEvent']) {
    const def = defs[`${meta}.${kind}`];
    if (!def) continue;
    def['x-kubernetes-group-version-kind'] = groupVersions.map((gv) => {
      const [group, version] = gv.split('/');
      return { group, kind, version };
    });
  }
  const status = defs[`${meta}.Status`];
  if (status) status['x-kubernetes-group-version-kind'] = [{ group: '', kind: 'Status', version: 'v1' }];
}

function checkReferences(defs) {
  const missing = new Set();
  const visit = (s) => {
    if (!s || typeof s !== 'object') return;
    if (Array.isArray(s)) return s.forEach(visit);
    if (typeof s.$ref === 'string') {
      const target = s.$ref.slice('#/definitions/'.length);
      if (!defs[target]) missing.add(target);
    }
    for (const v of Object.values(s)) visit(v);
  };
  visit(defs);
  if (missing.size > 0) throw new Error(`gen-schemas: unresolved references: ${[...missing].join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// Facts extraction from upstream generated.proto files

function extractFacts(dirs) {
  const protos = dirs.flatMap((d) => listFiles(d).filter((f) => f.endsWith('generated.proto')));
  const old = JSON.parse(readFileSync(factsFile, 'utf8'));
  const definitions = {};
  for (const file of protos) {
    const text = readFileSync(file, 'utf8');
    const pkg = /^package\s+([\w.]+);/m.exec(text)?.[1];
    if (!pkg) continue;
    const prefix = definitionPrefixOfProtoPackage(pkg);
    let comment = [];
    let message;
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line.startsWith('//')) { comment.push(line.slice(2).trim()); continue; }
      const msg = /^message\s+(\w+)\s*\{/.exec(line);
      if (msg) {
        message = `${prefix}.${msg[1]}`;
        const structType = marker(comment, 'structType');
        if (structType) (definitions[message] ??= {})['x-kubernetes-map-type'] = structType;
        comment = [];
        continue;
      }
      const field = /^(optional|repeated)?\s*(map<\s*\w+\s*,\s*([\w.]+)\s*>|[\w.]+)\s+(\w+)\s*=\s*\d+/.exec(line);
      if (field && message) {
        const scalar = field[3] ?? field[2];
        const name = jsonNameOfProtoField(message, field[4]);
        const fact = {};
        const format = { int32: 'int32', int64: 'int64', double: 'double', float: 'float', bytes: 'byte' }[scalar];
        if (format) fact.format = format;
        const strategy = marker(comment, 'patchStrategy');
        if (strategy) fact['x-kubernetes-patch-strategy'] = strategy;
        const mergeKey = marker(comment, 'patchMergeKey');
        if (mergeKey) fact['x-kubernetes-patch-merge-key'] = mergeKey;
        const listType = marker(comment, 'listType');
        if (listType) fact['x-kubernetes-list-type'] = listType;
        const mapKeys = markers(comment, 'listMapKey');
        if (mapKeys.length > 0) fact['x-kubernetes-list-map-keys'] = mapKeys;
        const mapType = marker(comment, 'mapType') ?? marker(comment, 'structType');
        if (mapType) fact['x-kubernetes-map-type'] = mapType;
        if (Object.keys(fact).length > 0) ((definitions[message] ??= {}).properties ??= {})[name] = fact;
        comment = [];
        continue;
      }
      if (line === '' || line === '}') comment = [];
    }
  }
  // Go struct tags beside each generated.proto: patch tags not repeated as comment markers
  // (LabelSelectorRequirement.key) and inline embeddings (EphemeralContainer ← EphemeralContainerCommon).
  for (const file of protos) {
    const prefix = definitionPrefixOfProtoPackage(/^package\s+([\w.]+);/m.exec(readFileSync(file, 'utf8'))?.[1] ?? '');
    for (const go of readdirSync(dirname(file)).filter((n) => /^types.*\.go$/.test(n) && !n.endsWith('_test.go'))) {
      extractGoTags(readFileSync(join(dirname(file), go), 'utf8'), prefix, definitions);
    }
  }
  // Hand-kept parts of the table survive a re-extraction.
  for (const [name, def] of Object.entries(old.definitions ?? {})) {
    if (def.addedProperties) (definitions[name] ??= {}).addedProperties = def.addedProperties;
  }
  const out = {
    comment: old.comment,
    extraDefinitions: old.extraDefinitions,
    definitions: Object.fromEntries(Object.keys(definitions).sort().map((k) => [k, definitions[k]])),
  };
  writeFileSync(factsFile, JSON.stringify(out, null, 1) + '\n');
  process.stdout.write(`gen-schemas: facts for ${Object.keys(definitions).length} definitions → ${relative(root, factsFile)}\n`);
}

function extractGoTags(text, prefix, definitions) {
  let struct;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const start = /^type\s+(\w+)\s+struct\s*\{/.exec(line);
    if (start) { struct = `${prefix}.${start[1]}`; continue; }
    if (line === '}') { struct = undefined; continue; }
    if (!struct || line.startsWith('//')) continue;
    const inline = /^\*?(\w+)\s+`json:",inline"/.exec(line);
    if (inline && !['TypeMeta', 'ObjectMeta', 'ListMeta'].includes(inline[1])) {
      const def = (definitions[struct] ??= {});
      def.inline = [...new Set([...(def.inline ?? []), `${prefix}.${inline[1]}`])];
      continue;
    }
    const json = /`json:"([^",]+)/.exec(line)?.[1];
    if (!json) continue;
    const strategy = /patchStrategy:"([^"]+)"/.exec(line)?.[1];
    const mergeKey = /patchMergeKey:"([^"]+)"/.exec(line)?.[1];
    if (!strategy && !mergeKey) continue;
    const fact = (((definitions[struct] ??= {}).properties ??= {})[json] ??= {});
    if (strategy) fact['x-kubernetes-patch-strategy'] ??= strategy;
    if (mergeKey) fact['x-kubernetes-patch-merge-key'] ??= mergeKey;
  }
}

function listFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

function definitionPrefixOfProtoPackage(pkg) {
  // k8s.io.api.core.v1 → io.k8s.api.core.v1; k8s.io.apiextensions_apiserver.… → io.k8s.apiextensions-apiserver.…
  return `io.k8s.${pkg.replace(/^k8s\.io\./, '').replaceAll('_', '-')}`;
}

/** go-to-protobuf names fields by their JSON name, except where JSON names are not identifiers. */
function jsonNameOfProtoField(message, name) {
  if (message.endsWith('apiextensions.v1.JSONSchemaProps')) {
    if (name === 'ref') return '$ref';
    if (name === 'schema') return '$schema';
    if (name.startsWith('xKubernetes')) return `x-kubernetes${name.slice('xKubernetes'.length).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  }
  return name;
}

function marker(comment, key) {
  return markers(comment, key)[0];
}

function markers(comment, key) {
  return comment.filter((c) => c.startsWith(`+${key}=`)).map((c) => c.slice(key.length + 2).trim());
}
