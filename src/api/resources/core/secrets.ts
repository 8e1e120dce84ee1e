import type { Secret } from 'kubernetes-types/core/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { isConfigMapKey, isQualifiedName, key } from '../../validation/index.js';
import { maxConfigMapSize } from './config-maps.js';

export type SecretObject = Kube<Secret>;

export const secretTypes = {
  opaque: 'Opaque',
  serviceAccountToken: 'kubernetes.io/service-account-token',
  dockercfg: 'kubernetes.io/dockercfg',
  dockerConfigJson: 'kubernetes.io/dockerconfigjson',
  basicAuth: 'kubernetes.io/basic-auth',
  sshAuth: 'kubernetes.io/ssh-auth',
  tls: 'kubernetes.io/tls',
  bootstrapToken: 'bootstrap.kubernetes.io/token',
} as const;

/** Secret data travels base64 in JSON; this is the strict check Go's decoder applies. */
const base64Re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Byte offset of the first bad base64 character (Go's "illegal base64 data at input byte N"), or -1. */
export function illegalBase64Offset(s: string): number {
  if (base64Re.test(s)) return -1;
  for (let i = 0; i < s.length; i++) if (!/[A-Za-z0-9+/=]/.test(s[i]!)) return i;
  const pad = s.indexOf('=');
  if (pad >= 0 && pad < s.length - 2) return pad;
  return s.length - (s.length % 4 || 4);
}

/** SetDefaults_Secret plus the v1→internal conversion: stringData is merged into data. */
export function defaultSecret(s: SecretObject): void {
  s.type ||= 'Opaque';
  if (s.stringData) {
    const data = (s.data ??= {});
    for (const [k, v] of Object.entries(s.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete s.stringData;
  }
}

function has(data: Record<string, string> | undefined, k: string): boolean {
  return data !== undefined && Object.prototype.hasOwnProperty.call(data, k);
}

/** ValidateSecret / ValidateSecretUpdate. */
export function validateSecret(s: SecretObject, old?: SecretObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = s.data;
  let total = 0;
  for (const [k, v] of Object.entries(data ?? {})) {
    for (const m of isConfigMapKey(k)) errs.push(fieldErr.invalid(key('data', k), k, m));
    const bad = illegalBase64Offset(String(v));
    if (bad >= 0) errs.push(fieldErr.invalid(key('data', k), '<secret contents redacted>', `illegal base64 data at input byte ${bad}`));
    else total += Buffer.from(String(v), 'base64').length;
  }
  if (total > maxConfigMapSize) errs.push(fieldErr.tooLong('data', maxConfigMapSize));
  const type = s.type ?? 'Opaque';
  switch (type) {
    case secretTypes.serviceAccountToken:
      if (!s.metadata.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(fieldErr.required(key('metadata.annotations', 'kubernetes.io/service-account.name'), ''));
      }
      break;
    case secretTypes.dockercfg:
    case secretTypes.dockerConfigJson: {
      const k = type === secretTypes.dockercfg ? '.dockercfg' : '.dockerconfigjson';
      if (!has(data, k)) { errs.push(fieldErr.required(key('data', k), '')); break; }
      try { JSON.parse(Buffer.from(String(data![k]), 'base64').toString('utf8')); } catch (e) {
        errs.push(fieldErr.invalid(key('data', k), '<secret contents redacted>', (e as Error).message));
      }
      break;
    }
    case secretTypes.basicAuth:
      if (!has(data, 'username') && !has(data, 'password')) {
        errs.push(fieldErr.required(key('data', 'username'), ''), fieldErr.required(key('data', 'password'), ''));
      }
      break;
    case secretTypes.sshAuth:
      if (!has(data, 'ssh-privatekey') || !data!['ssh-privatekey']) errs.push(fieldErr.required(key('data', 'ssh-privatekey'), ''));
      break;
    case secretTypes.tls:
      if (!has(data, 'tls.key')) errs.push(fieldErr.required(key('data', 'tls.key'), ''));
      if (!has(data, 'tls.crt')) errs.push(fieldErr.required(key('data', 'tls.crt'), ''));
      break;
    default:
      for (const m of isQualifiedName(type)) errs.push(fieldErr.invalid('type', type, m));
  }
  if (old) {
    if ((old.type ?? 'Opaque') !== type) errs.push(fieldErr.invalid('type', type, 'field is immutable'));
    if (old.immutable) {
      if (!s.immutable) errs.push(fieldErr.forbidden('immutable', 'field is immutable when `immutable` is set'));
      const a = JSON.stringify(Object.entries(s.data ?? {}).sort());
      const b = JSON.stringify(Object.entries(old.data ?? {}).sort());
      if (a !== b) errs.push(fieldErr.forbidden('data', 'field is immutable when `immutable` is set'));
    }
  }
  return errs;
}

export const secrets = defineResource<SecretObject>({
  group: '', version: 'v1', kind: 'Secret', plural: 'secrets', scope: 'Namespaced',
  schema: 'io.k8s.api.core.v1.Secret',
  defaults: defaultSecret,
  validate: validateSecret,
  printerColumns: [
    { name: 'Type', type: 'string', description: 'Used to facilitate programmatic handling of secret data.', cell: (s) => s.type ?? '' },
    { name: 'Data', type: 'string', description: 'Data contains the secret data.', cell: (s) => Object.keys(s.data ?? {}).length },
    { name: 'Age', type: 'string', cell: (s, now) => age(s.metadata.creationTimestamp, now) },
  ],
  fieldSelectors: { type: (s) => s.type ?? '' },
});
