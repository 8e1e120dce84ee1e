import type { GroupVersionKind } from '../types.js';

/**
 * One OpenAPI schema as the Kubernetes documents use it: Swagger 2.0 in `/openapi/v2`, the same
 * shape (plus `nullable`, `oneOf` …) in `/openapi/v3` and in CRD `openAPIV3Schema`s.
 */
export interface Schema {
  description?: string;
  type?: SchemaType;
  format?: string;
  title?: string;
  $ref?: string;
  properties?: Readonly<Record<string, Schema>>;
  required?: readonly string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  allOf?: readonly Schema[];
  oneOf?: readonly Schema[];
  anyOf?: readonly Schema[];
  not?: Schema;
  enum?: readonly unknown[];
  default?: unknown;
  example?: unknown;
  nullable?: boolean;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  'x-kubernetes-group-version-kind'?: readonly GroupVersionKind[];
  'x-kubernetes-patch-strategy'?: PatchStrategy;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: readonly string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-validations'?: readonly unknown[];
}

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

/** `x-kubernetes-patch-strategy` values found in the Kubernetes API. */
export type PatchStrategy = 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';

/** Swagger `definitions`: upstream definition name → schema. */
export type DefinitionMap = Readonly<Record<string, Schema>>;

/** `#/definitions/<name>` (v2) or `#/components/schemas/<name>` (v3) → `<name>`. */
export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

export function definitionRef(name: string): string {
  return `#/definitions/${name}`;
}
