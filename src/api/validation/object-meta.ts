import type { FieldError, ObjectMeta, OwnerReference } from '../types.js';
import { fieldErr } from '../errors.js';
import { byteLength, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './names.js';
import { child } from './field-path.js';
import { semanticEqual } from './equality.js';
import { fieldImmutableErrorMsg, validateNonnegative } from './numbers.js';

/** 256 KiB: the total size of all annotation keys and values of one object. */
export const totalAnnotationSizeLimitB = 256 * 1024;

/** Validates a name (or, with `prefix`, a generateName prefix); returns messages. */
export type NameValidator = (name: string) => string[];

export interface ObjectMetaOptions {
  /** Namespaced objects must carry a namespace; cluster-scoped ones must not. */
  namespaced: boolean;
  /** DNS subdomain when absent. */
  nameValidation?: NameValidator;
}

/**
 * generateName is validated as a prefix: a trailing '-' is allowed because random characters
 * follow it (Kubernetes masks the last two characters, as here).
 */
export function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

export function validateLabels(labels: Record<string, string> | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path));
    for (const m of isValidLabelValue(String(v))) errs.push(fieldErr.invalid(path, v, m));
  }
  return errs;
}

export function validateLabelName(name: string, path: string): FieldError[] {
  return isQualifiedName(name).map((m) => fieldErr.invalid(path, name, m));
}

export function validateAnnotations(annotations: Record<string, string> | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(fieldErr.invalid(path, k, m));
    total += byteLength(k) + byteLength(String(v));
  }
  if (total > totalAnnotationSizeLimitB) errs.push(fieldErr.tooLong(path, totalAnnotationSizeLimitB));
  return errs;
}

export function validateOwnerReferences(refs: readonly OwnerReference[] | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const apiVersion = ref.apiVersion ?? '';
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    if (!version) errs.push(fieldErr.invalid(child(path, 'apiVersion'), apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(fieldErr.invalid(child(path, 'kind'), ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(fieldErr.invalid(child(path, 'name'), ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(fieldErr.invalid(child(path, 'uid'), ref.uid ?? '', 'uid must not be empty'));
    if (group === '' && version === 'v1' && ref.kind === 'Event') {
      errs.push(fieldErr.invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push(fieldErr.invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

export function validateFinalizers(finalizers: readonly string[] | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = finalizers ?? [];
  for (const f of list) errs.push(...isQualifiedName(f).map((m) => fieldErr.invalid(path, f, m)));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(fieldErr.invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

/** `field is immutable` unless semantically equal. */
export function validateImmutableField(newVal: unknown, oldVal: unknown, path: string): FieldError[] {
  return semanticEqual(newVal, oldVal) ? [] : [fieldErr.invalid(path, newVal ?? null, fieldImmutableErrorMsg)];
}

/** Kubernetes' ValidateObjectMeta: name/generateName, namespace by scope, labels, annotations, owners, finalizers. */
export function validateObjectMeta(meta: ObjectMeta | undefined, opts: ObjectMetaOptions, path = 'metadata'): FieldError[] {
  const m = meta ?? {};
  const nameFn = opts.nameValidation ?? isDNS1123Subdomain;
  const errs: FieldError[] = [];
  if (m.generateName) {
    for (const msg of nameFn(maskTrailingDash(m.generateName))) errs.push(fieldErr.invalid(child(path, 'generateName'), m.generateName, msg));
  }
  if (!m.name) {
    errs.push(fieldErr.required(child(path, 'name'), 'name or generateName is required'));
  } else {
    for (const msg of nameFn(m.name)) errs.push(fieldErr.invalid(child(path, 'name'), m.name, msg));
  }
  if (opts.namespaced) {
    if (!m.namespace) errs.push(fieldErr.required(child(path, 'namespace'), ''));
    else for (const msg of isDNS1123Label(m.namespace)) errs.push(fieldErr.invalid(child(path, 'namespace'), m.namespace, msg));
  } else if (m.namespace) {
    errs.push(fieldErr.forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  errs.push(...validateNonnegative(m.generation, child(path, 'generation')));
  errs.push(...validateLabels(m.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(m.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, child(path, 'ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, child(path, 'finalizers')));
  return errs;
}

/** Kubernetes' ValidateObjectMetaUpdate: identity fields are immutable, finalizers frozen while deleting. */
export function validateObjectMetaUpdate(newMeta: ObjectMeta, oldMeta: ObjectMeta, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  if (oldMeta.deletionTimestamp) {
    const old = new Set(oldMeta.finalizers ?? []);
    const extra = [...new Set((newMeta.finalizers ?? []).filter((f) => !old.has(f)))].sort();
    if (extra.length > 0) {
      errs.push(fieldErr.forbidden(child(path, 'finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`));
    }
  }
  if (!newMeta.resourceVersion) errs.push(fieldErr.invalid(child(path, 'resourceVersion'), newMeta.resourceVersion ?? '', 'must be specified for an update'));
  if ((newMeta.generation ?? 0) < (oldMeta.generation ?? 0)) errs.push(fieldErr.invalid(child(path, 'generation'), newMeta.generation ?? 0, 'must not be decremented'));
  errs.push(...validateImmutableField(newMeta.name ?? '', oldMeta.name ?? '', child(path, 'name')));
  errs.push(...validateImmutableField(newMeta.namespace ?? '', oldMeta.namespace ?? '', child(path, 'namespace')));
  errs.push(...validateImmutableField(newMeta.uid ?? '', oldMeta.uid ?? '', child(path, 'uid')));
  errs.push(...validateImmutableField(newMeta.creationTimestamp, oldMeta.creationTimestamp, child(path, 'creationTimestamp')));
  errs.push(...validateImmutableField(newMeta.deletionTimestamp, oldMeta.deletionTimestamp, child(path, 'deletionTimestamp')));
  errs.push(...validateImmutableField(newMeta.deletionGracePeriodSeconds, oldMeta.deletionGracePeriodSeconds, child(path, 'deletionGracePeriodSeconds')));
  errs.push(...validateLabels(newMeta.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(newMeta.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(newMeta.ownerReferences, child(path, 'ownerReferences')));
  return errs;
}

