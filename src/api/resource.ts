import type { FieldError, KubeObject } from './types.js';

export type Scope = 'Namespaced' | 'Cluster';

/** Reads one field-selector value; method-typed so definitions of any T share one list. */
export type FieldGetter<T> = { get(obj: T): string | undefined }['get'];

/** One column of `kubectl get` output. NAME is implicit and always first. */
export interface PrinterColumn<T = KubeObject> {
  /** Header as Kubernetes names it: 'Ready', 'Up-to-date', 'Cluster-IP'. */
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description?: string;
  /** 0 = always shown; > 0 = only with `-o wide`. */
  priority?: number;
  /** The cell value; `now` is the server's clock for ages. */
  cell(obj: T, now: number): unknown;
}

/** `/scale` maps onto these paths of the parent object (dotted, from the object root). */
export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface Subresources {
  status?: boolean;
  scale?: ScaleSubresource;
  /** Other subresources served by special handlers: log, exec, attach, portforward, proxy, binding, eviction, token, ephemeralcontainers. */
  other?: readonly string[];
}

/** Converts between the version a request speaks and the version kept in storage. */
export interface Conversion<T = KubeObject> {
  toStorage(obj: T): KubeObject;
  fromStorage(obj: KubeObject): T;
}

/** Everything the apiserver knows about one resource in one version. */
export interface ResourceDefinition<T extends KubeObject = KubeObject> {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly listKind: string;
  readonly scope: Scope;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly verbs: readonly string[];
  readonly subresources: Subresources;
  /** OpenAPI definition name (`io.k8s.api.apps.v1.Deployment`); CRDs carry their schema elsewhere. */
  readonly schema?: string;
  /** A custom resource version's structural schema (the CRD's openAPIV3Schema). */
  readonly customSchema?: object;
  /** Storage identity: versions of one resource share it (`autoscaling/horizontalpodautoscalers`). */
  readonly storage: { group: string; resource: string; version: string };
  readonly conversion?: Conversion<T>;
  /** Fills defaults in place, as the Kubernetes defaulters do. Runs on decode of every write. */
  defaults?(obj: T): void;
  /** Validation of the whole object; `old` is set on update. */
  validate?(obj: T, old?: T): FieldError[];
  /** Validation of a /status write. */
  validateStatus?(obj: T, old: T): FieldError[];
  /** Strategy hooks on the request's own copy (status reset, generation). */
  prepareForCreate?(obj: T): void;
  prepareForUpdate?(obj: T, old: T): void;
  readonly printerColumns?: readonly PrinterColumn<T>[];
  /** Field selector → value extractor. metadata.name and metadata.namespace are always present. */
  readonly fieldSelectors: Readonly<Record<string, FieldGetter<T>>>;
  /** PUT on a missing object creates it (kube's AllowCreateOnUpdate: leases, endpoints, events …). */
  readonly allowCreateOnUpdate?: boolean;
  /** Seconds of grace a delete gets (pods); absent or 0 = immediate unless finalizers hold it. */
  gracefulDeletionSeconds?(obj: T, requested?: number): number;
  /** True while a deleted object must stay for reasons besides metadata.finalizers (a namespace's spec.finalizers). */
  pendingDeletion?(obj: T): boolean;
  /** Changes made when deletion starts (a namespace turns Terminating). */
  prepareForDelete?(obj: T): void;
  /**
   * Not stored: the apiserver answers a create with a computed object (SelfSubjectAccessReview,
   * TokenReview, Binding). Only 'create' is served.
   */
  readonly virtual?: boolean;
  /** Name validation for this type (DNS subdomain by default). */
  nameValidation?(name: string): string[];
}

export type ResourceSpec<T extends KubeObject> =
  Pick<ResourceDefinition<T>, 'group' | 'version' | 'kind' | 'plural' | 'scope'> &
  Partial<Omit<ResourceDefinition<T>, 'group' | 'version' | 'kind' | 'plural' | 'scope' | 'storage'>> &
  { storage?: Partial<ResourceDefinition<T>['storage']> };

export const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

/** Declares a resource: data plus small pure functions (STYLE.md §2d). */
export function defineResource<T extends KubeObject>(spec: ResourceSpec<T>): ResourceDefinition<T> {
  const fieldSelectors: Record<string, FieldGetter<T>> = {
    'metadata.name': (o) => o.metadata.name,
    ...(spec.scope === 'Namespaced' ? { 'metadata.namespace': (o: T) => o.metadata.namespace } : {}),
    ...spec.fieldSelectors,
  };
  return {
    singular: spec.kind.toLowerCase(),
    listKind: `${spec.kind}List`,
    shortNames: [],
    categories: [],
    verbs: allVerbs,
    subresources: {},
    ...spec,
    storage: { group: spec.group, resource: spec.plural, version: spec.version, ...spec.storage },
    fieldSelectors,
  };
}

export function apiVersionOfResource(def: Pick<ResourceDefinition, 'group' | 'version'>): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** `deployments.apps`, `pods` — how errors name a resource. */
export function qualifiedResource(def: Pick<ResourceDefinition, 'group' | 'plural'>): string {
  return def.group ? `${def.plural}.${def.group}` : def.plural;
}

/** The storage key of one object: /registry/<group|core>/<resource>/<ns>/<name> (cluster scope: no ns). */
export function storageKey(def: Pick<ResourceDefinition, 'storage' | 'scope'>, namespace: string | undefined, name: string): string {
  return `${storagePrefix(def, def.scope === 'Namespaced' ? namespace : undefined)}${name}`;
}

/** Prefix for a list: all namespaces when `namespace` is undefined. Always ends with '/'. */
export function storagePrefix(def: Pick<ResourceDefinition, 'storage' | 'scope'>, namespace?: string): string {
  const base = `/registry/${def.storage.group || 'core'}/${def.storage.resource}/`;
  return def.scope === 'Namespaced' && namespace ? `${base}${namespace}/` : base;
}
