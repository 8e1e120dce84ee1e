import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { byteLength, isConfigMapKey, key } from '../../validation/index.js';

export type ConfigMapObject = Kube<ConfigMap>;

/** 1 MiB: the most a ConfigMap (or Secret) may hold (core.MaxSecretSize). */
export const maxConfigMapSize = 1024 * 1024;

function decodedLength(b64: string): number {
  return Buffer.from(b64, 'base64').length;
}

/** ValidateConfigMap / ValidateConfigMapUpdate. */
export function validateConfigMap(cm: ConfigMapObject, old?: ConfigMapObject): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    for (const m of isConfigMapKey(k)) errs.push(fieldErr.invalid(key('data', k), k, m));
    total += byteLength(String(v));
  }
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) {
    for (const m of isConfigMapKey(k)) errs.push(fieldErr.invalid(key('binaryData', k), k, m));
    if (cm.data && Object.prototype.hasOwnProperty.call(cm.data, k)) errs.push(fieldErr.invalid(key('binaryData', k), k, 'duplicate of key present in data'));
    total += decodedLength(String(v));
  }
  if (total > maxConfigMapSize) errs.push(fieldErr.tooLong('', maxConfigMapSize));
  if (old?.immutable) {
    if (!cm.immutable) errs.push(fieldErr.forbidden('immutable', 'field is immutable when `immutable` is set'));
    if (JSON.stringify(sorted(cm.data)) !== JSON.stringify(sorted(old.data))) errs.push(fieldErr.forbidden('data', 'field is immutable when `immutable` is set'));
    if (JSON.stringify(sorted(cm.binaryData)) !== JSON.stringify(sorted(old.binaryData))) errs.push(fieldErr.forbidden('binaryData', 'field is immutable when `immutable` is set'));
  }
  return errs;
}

function sorted(m: Record<string, string> | undefined): [string, string][] {
  return Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export const configMaps = defineResource<ConfigMapObject>({
  group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', scope: 'Namespaced',
  shortNames: ['cm'],
  schema: 'io.k8s.api.core.v1.ConfigMap',
  validate: validateConfigMap,
  printerColumns: [
    { name: 'Data', type: 'string', description: 'Data contains the configuration data.', cell: (c) => Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length },
    { name: 'Age', type: 'string', cell: (c, now) => age(c.metadata.creationTimestamp, now) },
  ],
});
