/**
 * What configMap, secret, downwardAPI and projected volumes contain (pure): file paths, bytes
 * and modes from the objects and the pod, with the kubelet's error messages.
 */
import type {
  ConfigMap, ConfigMapProjection, DownwardAPIVolumeFile, KeyToPath, Pod, Secret, SecretProjection,
} from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../api/quantity.js';
import type { Payload } from './atomic-writer.js';

/** The default mode of configMap, secret, downwardAPI and projected files (0644). */
export const defaultFileMode = 0o644;

export class VolumeSetupError extends Error {
  override readonly name = 'VolumeSetupError';
}

function project(
  kind: 'configmap' | 'secret', name: string, data: Record<string, Buffer>, items: readonly KeyToPath[] | undefined,
  defaultMode: number, optional: boolean, out: Payload,
): void {
  if (!items?.length) {
    for (const [k, v] of Object.entries(data)) out.set(k, { content: v, mode: defaultMode });
    return;
  }
  for (const it of items) {
    const v = data[it.key];
    if (v === undefined) {
      if (optional) continue;
      throw new VolumeSetupError(kind === 'configmap' ? `configmap references non-existent config key: ${it.key}` : `references non-existent secret key: ${it.key}`);
    }
    out.set(it.path, { content: v, mode: it.mode ?? defaultMode });
  }
}

export function configMapData(cm: ConfigMap): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(cm.data ?? {})) out[k] = Buffer.from(v, 'utf8');
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

export function secretData(s: Secret): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64');
  for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = Buffer.from(v, 'utf8');
  return out;
}

export function configMapPayload(name: string, cm: ConfigMap | undefined, src: Pick<ConfigMapProjection, 'items' | 'optional'>, defaultMode: number, out: Payload = new Map()): Payload {
  if (!cm) {
    if (src.optional) return out;
    throw new VolumeSetupError(`configmap "${name}" not found`);
  }
  project('configmap', name, configMapData(cm), src.items, defaultMode, src.optional ?? false, out);
  return out;
}

export function secretPayload(name: string, s: Secret | undefined, src: Pick<SecretProjection, 'items' | 'optional'>, defaultMode: number, out: Payload = new Map()): Payload {
  if (!s) {
    if (src.optional) return out;
    throw new VolumeSetupError(`secret "${name}" not found`);
  }
  project('secret', name, secretData(s), src.items, defaultMode, src.optional ?? false, out);
  return out;
}

/** Labels and annotations as the downward API writes them: `key="value"` lines, sorted by key. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${JSON.stringify(m![k])}`).join('\n');
}

function fieldText(pod: Pod, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2]!] ?? '';
  switch (path) {
    case 'metadata.name': return pod.metadata?.name ?? '';
    case 'metadata.namespace': return pod.metadata?.namespace ?? '';
    case 'metadata.uid': return pod.metadata?.uid ?? '';
    case 'metadata.labels': return formatMap(pod.metadata?.labels);
    case 'metadata.annotations': return formatMap(pod.metadata?.annotations);
    default: throw new VolumeSetupError(`unsupported fieldPath: ${path}`);
  }
}

export interface ResourceContext { nodeAllocatable?: { cpu?: string; memory?: string; 'ephemeral-storage'?: string } }

function resourceText(pod: Pod, f: DownwardAPIVolumeFile, ctx: ResourceContext): string {
  const ref = f.resourceFieldRef!;
  const c = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === ref.containerName);
  if (!c) throw new VolumeSetupError(`container ${ref.containerName ?? ''} not found`);
  const [kind, name = ''] = ref.resource.split('.');
  const raw = kind === 'limits'
    ? c.resources?.limits?.[name] ?? ctx.nodeAllocatable?.[name as keyof NonNullable<ResourceContext['nodeAllocatable']>]
    : kind === 'requests' ? c.resources?.requests?.[name] : undefined;
  if (kind !== 'limits' && kind !== 'requests') throw new VolumeSetupError(`unsupported container resource : ${ref.resource}`);
  if (raw === undefined) return '0';
  const d = parseQuantity(ref.divisor ?? '1');
  const v = parseQuantity(raw);
  return String((v.nanos + d.nanos - 1n) / d.nanos);
}

export function downwardAPIPayload(pod: Pod, items: readonly DownwardAPIVolumeFile[], defaultMode: number, ctx: ResourceContext = {}, out: Payload = new Map()): Payload {
  for (const f of items) {
    const text = f.fieldRef ? fieldText(pod, f.fieldRef.fieldPath) : f.resourceFieldRef ? resourceText(pod, f, ctx) : '';
    out.set(f.path, { content: Buffer.from(text, 'utf8'), mode: f.mode ?? defaultMode });
  }
  return out;
}
