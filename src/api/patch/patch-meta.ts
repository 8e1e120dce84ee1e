/**
 * Patch metadata: what strategic merge patch and server-side apply need to know about each field,
 * derived from Swagger-2.0-style OpenAPI `definitions` (`#/definitions/io.k8s.api.core.v1.PodSpec`)
 * and their `x-kubernetes-*` extensions.
 */

export type ListType = 'atomic' | 'set' | 'map';
export type MapType = 'atomic' | 'granular';
/**
 * `struct`: an object with declared properties; `map`: an object whose keys are data
 * (`additionalProperties`); `list`; `scalar`; `untyped`: nothing is known (merged as a granular
 * map when an object, replaced when a list).
 */
export type ValueShape = 'struct' | 'map' | 'list' | 'scalar' | 'untyped';

/** What the patch algorithms know about one value (a field, a map value or a list element). */
export interface PatchMeta {
  readonly shape: ValueShape;
  /** `x-kubernetes-patch-strategy` split on commas: `merge`, `replace`, `retainKeys`. */
  readonly patchStrategies: readonly string[];
  /** `x-kubernetes-patch-merge-key`. */
  readonly patchMergeKey: string | undefined;
  /** `x-kubernetes-list-type` as declared (undefined when absent). */
  readonly listType: ListType | undefined;
  /** `x-kubernetes-list-map-keys`. */
  readonly listMapKeys: readonly string[];
  /** `x-kubernetes-map-type` (on the property or its definition). */
  readonly mapType: MapType | undefined;
  /** The schema `default`, used for list-map key fields the user left out (a port's `protocol`). */
  readonly default: unknown;
  /** A struct's declared property or a map's value; `undefined` for a struct field not declared. */
  field(name: string): PatchMeta | undefined;
  /** Whether `name` is a declared property (a "named field" in structured-merge-diff terms). */
  hasField(name: string): boolean;
  /** Whether `name` is a required property (required fields are always serialized, even when empty). */
  isRequired(name: string): boolean;
  /** A list's element. */
  items(): PatchMeta;
}

/** Metadata for values nothing is known about. */
export const untypedMeta: PatchMeta = Object.freeze({
  shape: 'untyped' as const,
  patchStrategies: Object.freeze([]) as readonly string[],
  patchMergeKey: undefined,
  listType: undefined,
  listMapKeys: Object.freeze([]) as readonly string[],
  mapType: undefined,
  default: undefined,
  field: (): PatchMeta => untypedMeta,
  hasField: (): boolean => false,
  isRequired: (): boolean => false,
  items: (): PatchMeta => untypedMeta,
});

/** One schema in the Swagger 2.0 `definitions` map (only what patching reads). */
export interface SchemaObject {
  type?: string | string[];
  format?: string;
  $ref?: string;
  allOf?: SchemaObject[];
  properties?: Record<string, SchemaObject>;
  additionalProperties?: SchemaObject | boolean;
  items?: SchemaObject;
  required?: string[];
  default?: unknown;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  [other: string]: unknown;
}

export type Definitions = Readonly<Record<string, SchemaObject>>;

/**
 * Builds the metadata of definition `rootDefinitionName` (e.g. `io.k8s.api.apps.v1.Deployment`).
 * Resolution is lazy and memoized per call, so recursive definitions are fine.
 */
export function patchMetaFromDefinitions(defs: Definitions, rootDefinitionName: string): PatchMeta {
  const byName = new Map<string, PatchMeta>();

  function definition(name: string): PatchMeta {
    let meta = byName.get(name);
    if (!meta) {
      const schema = defs[name];
      meta = schema ? fromSchema(schema, undefined) : untypedMeta;
      byName.set(name, meta);
    }
    return meta;
  }

  function refName(schema: SchemaObject): string | undefined {
    const ref = schema.$ref ?? (schema.allOf?.length === 1 ? schema.allOf[0]!.$ref : undefined);
    if (!ref) return undefined;
    const prefix = '#/definitions/';
    return ref.startsWith(prefix) ? ref.slice(prefix.length) : ref.slice(ref.lastIndexOf('/') + 1);
  }

  /** Metadata for `schema`; `outer` is a property schema whose extensions wrap a referenced definition. */
  function fromSchema(schema: SchemaObject, outer: SchemaObject | undefined): PatchMeta {
    const ref = refName(schema);
    if (ref !== undefined) {
      const target = defs[ref];
      if (!target) return withExtensions(untypedMeta, schema);
      return withExtensions(definition(ref), schema);
    }
    return build(schema, outer);
  }

  function build(schema: SchemaObject, outer: SchemaObject | undefined): PatchMeta {
    const ext = (k: keyof SchemaObject): unknown => (outer?.[k] !== undefined ? outer[k] : schema[k]);
    const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
    let shape: ValueShape;
    if (schema['x-kubernetes-int-or-string'] || schema.format === 'int-or-string') shape = 'scalar';
    else if (types.includes('array') || schema.items) shape = 'list';
    else if (schema.properties && Object.keys(schema.properties).length > 0) shape = 'struct';
    else if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) shape = 'map';
    else if (types.some((t) => t === 'string' || t === 'integer' || t === 'number' || t === 'boolean')) shape = 'scalar';
    else shape = 'untyped';
    if (schema['x-kubernetes-preserve-unknown-fields'] && shape !== 'struct' && shape !== 'list') shape = 'untyped';

    const fields = new Map<string, PatchMeta | undefined>();
    let itemsMeta: PatchMeta | undefined;
    const strategy = ext('x-kubernetes-patch-strategy');
    const listType = ext('x-kubernetes-list-type');
    const mapType = ext('x-kubernetes-map-type');
    const keys = ext('x-kubernetes-list-map-keys');
    const mergeKey = ext('x-kubernetes-patch-merge-key');
    const meta: PatchMeta = {
      shape,
      patchStrategies: typeof strategy === 'string' && strategy ? strategy.split(',').map((s) => s.trim()) : [],
      patchMergeKey: typeof mergeKey === 'string' && mergeKey ? mergeKey : undefined,
      listType: listType === 'atomic' || listType === 'set' || listType === 'map' ? listType : undefined,
      listMapKeys: Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [],
      mapType: mapType === 'atomic' || mapType === 'granular' ? mapType : undefined,
      default: outer?.default !== undefined ? outer.default : schema.default,
      field(name) {
        if (fields.has(name)) return fields.get(name);
        let m: PatchMeta | undefined;
        const prop = schema.properties && Object.prototype.hasOwnProperty.call(schema.properties, name) ? schema.properties[name] : undefined;
        if (prop) m = fromSchema(prop, undefined);
        else if (shape === 'untyped') m = untypedMeta;
        else if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) {
          m = typeof schema.additionalProperties === 'object' ? fromSchema(schema.additionalProperties, undefined) : untypedMeta;
        }
        fields.set(name, m);
        return m;
      },
      hasField(name) {
        return !!schema.properties && Object.prototype.hasOwnProperty.call(schema.properties, name);
      },
      isRequired(name) {
        return Array.isArray(schema.required) && schema.required.includes(name);
      },
      items() {
        itemsMeta ??= schema.items ? fromSchema(schema.items, undefined) : untypedMeta;
        return itemsMeta;
      },
    };
    return meta;
  }

  /** The property-level extensions (patch strategy, list type …) on top of a referenced definition. */
  function withExtensions(base: PatchMeta, prop: SchemaObject): PatchMeta {
    const strategy = prop['x-kubernetes-patch-strategy'];
    const mergeKey = prop['x-kubernetes-patch-merge-key'];
    const listType = prop['x-kubernetes-list-type'];
    const keys = prop['x-kubernetes-list-map-keys'];
    const mapType = prop['x-kubernetes-map-type'];
    if (strategy === undefined && mergeKey === undefined && listType === undefined && keys === undefined
      && mapType === undefined && prop.default === undefined) return base;
    return {
      shape: base.shape,
      patchStrategies: typeof strategy === 'string' && strategy ? strategy.split(',').map((s) => s.trim()) : base.patchStrategies,
      patchMergeKey: typeof mergeKey === 'string' && mergeKey ? mergeKey : base.patchMergeKey,
      listType: listType === 'atomic' || listType === 'set' || listType === 'map' ? listType : base.listType,
      listMapKeys: Array.isArray(keys) ? keys : base.listMapKeys,
      mapType: mapType === 'atomic' || mapType === 'granular' ? mapType : base.mapType,
      default: prop.default !== undefined ? prop.default : base.default,
      field: (name) => base.field(name),
      hasField: (name) => base.hasField(name),
      isRequired: (name) => base.isRequired(name),
      items: () => base.items(),
    };
  }

  return definition(rootDefinitionName);
}

/** Splits `x-kubernetes-patch-strategy` into (has retainKeys, the other strategy). */
export function patchStrategyOf(meta: PatchMeta | undefined): { retainKeys: boolean; strategy: string } {
  const s = meta?.patchStrategies ?? [];
  return { retainKeys: s.includes('retainKeys'), strategy: s.find((x) => x !== 'retainKeys') ?? '' };
}

/**
 * How server-side apply treats a list: the declared `x-kubernetes-list-type`, else what the patch
 * strategy implies (merge by key → map, merge of scalars → set), else atomic.
 */
export function listSemantics(meta: PatchMeta | undefined): { type: ListType; keys: readonly string[] } {
  if (!meta) return { type: 'atomic', keys: [] };
  if (meta.listType === 'map') {
    return { type: 'map', keys: meta.listMapKeys.length ? meta.listMapKeys : meta.patchMergeKey ? [meta.patchMergeKey] : [] };
  }
  if (meta.listType) return { type: meta.listType, keys: [] };
  if (patchStrategyOf(meta).strategy === 'merge') {
    if (meta.patchMergeKey) return { type: 'map', keys: [meta.patchMergeKey] };
    const el = meta.items().shape;
    if (el === 'scalar') return { type: 'set', keys: [] };
  }
  return { type: 'atomic', keys: [] };
}
