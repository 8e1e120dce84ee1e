import type {
  MutatingWebhook, MutatingWebhookConfiguration, ValidatingWebhook, ValidatingWebhookConfiguration,
} from 'kubernetes-types/admissionregistration/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { child, index, isFullyQualifiedName, semanticEqual, validateLabelSelector } from '../../validation/index.js';

export type ValidatingWebhookConfigurationObject = Kube<ValidatingWebhookConfiguration>;
export type MutatingWebhookConfigurationObject = Kube<MutatingWebhookConfiguration>;

type Webhook = ValidatingWebhook | MutatingWebhook;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };
/** RuleWithOperations as the API has it (kubernetes-types omits the embedded Rule fields). */
interface WebhookRule { operations?: string[]; apiGroups?: string[]; apiVersions?: string[]; resources?: string[]; scope?: string }
const rulesOf = (w: Webhook): WebhookRule[] => (w.rules ?? []) as WebhookRule[];

/** SetDefaults_ValidatingWebhook / _MutatingWebhook (+Rule, +ServiceReference). */
export function defaultWebhook(w: Webhook, mutating: boolean): void {
  const hook = w as Mutable<MutatingWebhook>;
  hook.failurePolicy ??= 'Fail';
  hook.matchPolicy ??= 'Equivalent';
  hook.namespaceSelector ??= {};
  hook.objectSelector ??= {};
  hook.timeoutSeconds ??= 10;
  if (mutating) hook.reinvocationPolicy ??= 'Never';
  for (const r of rulesOf(hook)) r.scope ??= '*';
  if (hook.clientConfig?.service) hook.clientConfig.service.port ??= 443;
}

const sideEffectClasses = ['None', 'NoneOnDryRun'];
const admissionReviewVersions = ['v1', 'v1beta1'];

/** validateValidatingWebhook / validateMutatingWebhook: names, client config, side effects, review versions. */
export function validateWebhooks(webhooks: readonly Webhook[] | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (webhooks ?? []).forEach((w, i) => {
    const path = index('webhooks', i);
    if (!w.name) errs.push(fieldErr.required(child(path, 'name'), ''));
    else {
      for (const m of isFullyQualifiedName(w.name)) errs.push(fieldErr.invalid(child(path, 'name'), w.name, m));
      if (seen.has(w.name)) errs.push(fieldErr.duplicate(child(path, 'name'), w.name));
      seen.add(w.name);
    }
    const cc = w.clientConfig ?? {};
    if ((cc.url === undefined) === (cc.service === undefined)) errs.push(fieldErr.required(child(path, 'clientConfig'), 'exactly one of url or service is required'));
    if (cc.url !== undefined) {
      let u: URL | undefined;
      try { u = new URL(cc.url); } catch { errs.push(fieldErr.invalid(child(path, 'clientConfig', 'url'), cc.url, 'host must be specified')); }
      if (u && u.protocol !== 'https:') errs.push(fieldErr.invalid(child(path, 'clientConfig', 'url'), u.protocol.replace(':', ''), "'https' is the only allowed URL scheme"));
    }
    if (cc.service) {
      if (!cc.service.name) errs.push(fieldErr.required(child(path, 'clientConfig', 'service', 'name'), 'service name is required'));
      if (!cc.service.namespace) errs.push(fieldErr.required(child(path, 'clientConfig', 'service', 'namespace'), 'service namespace is required'));
      if (cc.service.port !== undefined && (cc.service.port < 1 || cc.service.port > 65535)) errs.push(fieldErr.invalid(child(path, 'clientConfig', 'service', 'port'), cc.service.port, 'port is not valid: must be between 1 and 65535, inclusive'));
    }
    if (!w.sideEffects) errs.push(fieldErr.required(child(path, 'sideEffects'), 'must specify one of None, NoneOnDryRun'));
    else if (!sideEffectClasses.includes(w.sideEffects)) errs.push(fieldErr.notSupported(child(path, 'sideEffects'), w.sideEffects, sideEffectClasses));
    const versions = w.admissionReviewVersions ?? [];
    if (versions.length === 0) errs.push(fieldErr.required(child(path, 'admissionReviewVersions'), 'must specify one of v1, v1beta1'));
    else if (!versions.some((v) => admissionReviewVersions.includes(v))) errs.push(fieldErr.invalid(child(path, 'admissionReviewVersions'), versions, 'must include at least one of v1, v1beta1'));
    if (w.failurePolicy && !['Fail', 'Ignore'].includes(w.failurePolicy)) errs.push(fieldErr.notSupported(child(path, 'failurePolicy'), w.failurePolicy, ['Fail', 'Ignore']));
    if (w.matchPolicy && !['Equivalent', 'Exact'].includes(w.matchPolicy)) errs.push(fieldErr.notSupported(child(path, 'matchPolicy'), w.matchPolicy, ['Equivalent', 'Exact']));
    if (w.timeoutSeconds !== undefined && (w.timeoutSeconds < 1 || w.timeoutSeconds > 30)) errs.push(fieldErr.invalid(child(path, 'timeoutSeconds'), w.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
    errs.push(...validateLabelSelector(w.namespaceSelector, child(path, 'namespaceSelector')));
    errs.push(...validateLabelSelector(w.objectSelector, child(path, 'objectSelector')));
    rulesOf(w).forEach((r, j) => {
      const rp = index(child(path, 'rules'), j);
      if ((r.operations ?? []).length === 0) errs.push(fieldErr.required(child(rp, 'operations'), ''));
      if ((r.apiGroups ?? []).length === 0) errs.push(fieldErr.required(child(rp, 'apiGroups'), ''));
      if ((r.apiVersions ?? []).length === 0) errs.push(fieldErr.required(child(rp, 'apiVersions'), ''));
      if ((r.resources ?? []).length === 0) errs.push(fieldErr.required(child(rp, 'resources'), ''));
      if (r.scope && !['*', 'Cluster', 'Namespaced'].includes(r.scope)) errs.push(fieldErr.notSupported(child(rp, 'scope'), r.scope, ['*', 'Cluster', 'Namespaced']));
    });
  });
  return errs;
}

function bumpGeneration<T extends { metadata: { generation?: number } }>(obj: T, old: T, changed: boolean): void {
  if (changed) Object.assign(obj.metadata, { generation: (old.metadata.generation ?? 0) + 1 });
}

// Stored and served; the apiserver does not call these webhooks yet.
export const validatingWebhookConfigurations = defineResource<ValidatingWebhookConfigurationObject>({
  group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingWebhookConfiguration', plural: 'validatingwebhookconfigurations', scope: 'Cluster',
  categories: ['api-extensions'],
  schema: 'io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration',
  defaults: (c) => { for (const w of c.webhooks ?? []) defaultWebhook(w, false); },
  validate: (c) => validateWebhooks(c.webhooks),
  prepareForCreate(c) { Object.assign(c.metadata, { generation: 1 }); },
  prepareForUpdate(c, old) { bumpGeneration(c, old, !semanticEqual(c.webhooks, old.webhooks)); },
  printerColumns: [
    { name: 'Webhooks', type: 'integer', description: 'Webhooks indicates the number of webhooks registered in this configuration', cell: (c) => (c.webhooks ?? []).length },
    { name: 'Age', type: 'string', cell: (c, now) => age(c.metadata.creationTimestamp, now) },
  ],
});

export const mutatingWebhookConfigurations = defineResource<MutatingWebhookConfigurationObject>({
  group: 'admissionregistration.k8s.io', version: 'v1', kind: 'MutatingWebhookConfiguration', plural: 'mutatingwebhookconfigurations', scope: 'Cluster',
  categories: ['api-extensions'],
  schema: 'io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration',
  defaults: (c) => { for (const w of c.webhooks ?? []) defaultWebhook(w, true); },
  validate: (c) => validateWebhooks(c.webhooks),
  prepareForCreate(c) { Object.assign(c.metadata, { generation: 1 }); },
  prepareForUpdate(c, old) { bumpGeneration(c, old, !semanticEqual(c.webhooks, old.webhooks)); },
  printerColumns: [
    { name: 'Webhooks', type: 'integer', description: 'Webhooks indicates the number of webhooks registered in this configuration', cell: (c) => (c.webhooks ?? []).length },
    { name: 'Age', type: 'string', cell: (c, now) => age(c.metadata.creationTimestamp, now) },
  ],
});
