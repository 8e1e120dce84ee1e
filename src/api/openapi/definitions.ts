import { readFileSync } from 'node:fs';
import type { GroupVersionKind } from '../types.js';
import { refName, type DefinitionMap, type Schema } from './schema.js';

/** Where `scripts/gen-schemas.mjs` writes the built-in definitions (copied into dist/ by copy-assets). */
const generatedFile = new URL('./generated/definitions.json', import.meta.url);

/**
 * The Swagger definitions the server knows: the built-in kinds (generated at build time from
 * kubernetes-types and the facts table) and, via `with`, those of custom resources. Load it once
 * at startup and pass it down; it also keeps the compiled decode checkers of each definition.
 */
export class Definitions {
  readonly schemas: DefinitionMap;
  readonly #byGvk = new Map<string, string>();
  readonly #memo = new Map<string, unknown>();

  constructor(schemas: DefinitionMap) {
    this.schemas = schemas;
    for (const [name, schema] of Object.entries(schemas)) {
      for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) {
        const key = gvkKey(gvk);
        if (!this.#byGvk.has(key) || name.endsWith(`.${gvk.kind}`)) this.#byGvk.set(key, name);
      }
    }
  }

  get(name: string): Schema | undefined {
    return Object.hasOwn(this.schemas, name) ? this.schemas[name] : undefined;
  }

  has(name: string): boolean {
    return Object.hasOwn(this.schemas, name);
  }

  /** Follows `$ref`s (also a lone `allOf: [{$ref}]`) to the schema they name. */
  resolve(schema: Schema): Schema {
    let s = schema;
    for (let hops = 0; hops < 16; hops++) {
      const ref = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0]?.$ref : undefined);
      if (!ref) return s;
      const target = this.get(refName(ref));
      if (!target) throw new Error(`openapi: unknown definition ${ref}`);
      s = target;
    }
    throw new Error('openapi: $ref cycle');
  }

  /** The definition carrying `x-kubernetes-group-version-kind` = gvk (`io.k8s.api.apps.v1.Deployment`). */
  nameOf(gvk: GroupVersionKind): string | undefined {
    return this.#byGvk.get(gvkKey(gvk));
  }

  /** A new set holding these definitions and `extra` (custom resources); `extra` wins on a clash. */
  with(extra: DefinitionMap): Definitions {
    return new Definitions({ ...this.schemas, ...extra });
  }

  /** Per-instance memo for compiled walkers (decode checks, pruning). */
  memo<T>(key: string, make: () => T): T {
    if (this.#memo.has(key)) return this.#memo.get(key) as T;
    const value = make();
    this.#memo.set(key, value);
    return value;
  }
}

function gvkKey(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

/** Reads the generated built-in definitions. Call once at startup; the result is shared read-only. */
export function loadDefinitions(): Definitions {
  let text: string;
  try {
    text = readFileSync(generatedFile, 'utf8');
  } catch (cause) {
    throw new Error(`reading OpenAPI definitions ${generatedFile.pathname} (run node scripts/gen-schemas.mjs)`, { cause });
  }
  return new Definitions(JSON.parse(text) as DefinitionMap);
}
