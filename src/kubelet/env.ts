/**
 * A container's environment as the kubelet builds it: envFrom, then env (later wins), with
 * `$(VAR)` references expanded against what came before, plus fieldRef / resourceFieldRef and
 * ConfigMap / Secret keys from a lookup the caller provides.
 */
import type { ConfigMap, Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { parseQuantity, type Quantity } from '../api/quantity.js';

export interface EnvContext {
  podIP?: string;
  podIPs?: string[];
  hostIP?: string;
  hostIPs?: string[];
  nodeName?: string;
  /** Service environment variables (`<SVC>_SERVICE_HOST` …), lowest precedence. */
  serviceEnv?: Record<string, string>;
  /** Node allocatable, for resourceFieldRef on containers without limits. */
  nodeAllocatable?: { cpu?: string; memory?: string; 'ephemeral-storage'?: string };
  configMap?: (namespace: string, name: string) => ConfigMap | undefined;
  secret?: (namespace: string, name: string) => Secret | undefined;
}

/** A problem only a user edit (or a missing object appearing) can fix: CreateContainerConfigError. */
export class ContainerConfigError extends Error {
  override readonly name = 'ContainerConfigError';
}

/** Expands $(VAR) references; `$$` is a literal `$`; unknown references stay as written. */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) { out += ch; continue; }
    const next = input[i + 1];
    if (next === '$') { out += '$'; i++; continue; }
    if (next === '(') {
      const end = input.indexOf(')', i + 2);
      if (end > 0) {
        const name = input.slice(i + 2, end);
        const value = lookup(name);
        out += value ?? `$(${name})`;
        i = end;
        continue;
      }
    }
    out += ch;
  }
  return out;
}

function fieldValue(pod: Pod, path: string, ctx: EnvContext): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2]!] ?? '';
  switch (path) {
    case 'metadata.name': return pod.metadata?.name ?? '';
    case 'metadata.namespace': return pod.metadata?.namespace ?? '';
    case 'metadata.uid': return pod.metadata?.uid ?? '';
    case 'spec.nodeName': return pod.spec?.nodeName ?? ctx.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP': return ctx.podIP ?? '';
    case 'status.podIPs': return (ctx.podIPs ?? (ctx.podIP ? [ctx.podIP] : [])).join(',');
    case 'status.hostIP': return ctx.hostIP ?? '';
    case 'status.hostIPs': return (ctx.hostIPs ?? (ctx.hostIP ? [ctx.hostIP] : [])).join(',');
    default: throw new ContainerConfigError(`unsupported fieldRef ${path}`);
  }
}

/** ceil(value / divisor), as the kubelet's resource conversion rounds up. */
function divideRoundingUp(value: Quantity, divisor: string | number | undefined): string {
  const d = parseQuantity(divisor ?? '1');
  if (d.nanos <= 0n) throw new ContainerConfigError('resourceFieldRef divisor must be positive');
  return String((value.nanos + d.nanos - 1n) / d.nanos);
}

function resourceValue(c: Container, resource: string, divisor: string | number | undefined, ctx: EnvContext): string {
  const [kind, name = ''] = resource.split('.');
  if (kind !== 'limits' && kind !== 'requests') throw new ContainerConfigError(`unsupported resourceFieldRef ${resource}`);
  // A missing limit reads as the node's allocatable amount; a missing request as 0.
  const raw = kind === 'limits'
    ? c.resources?.limits?.[name] ?? ctx.nodeAllocatable?.[name as keyof NonNullable<EnvContext['nodeAllocatable']>]
    : c.resources?.requests?.[name];
  if (raw === undefined) return '0';
  return divideRoundingUp(parseQuantity(raw), divisor);
}

/** The ordered NAME=value list for a container. Throws ContainerConfigError when a reference cannot be resolved. */
export function containerEnv(pod: Pod, c: Container, ctx: EnvContext = {}): [string, string][] {
  const ns = pod.metadata?.namespace ?? 'default';
  const values = new Map<string, string>(Object.entries(ctx.serviceEnv ?? {}));
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = ctx.configMap?.(ns, from.configMapRef.name ?? '');
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) values.set(prefix + k, v);
    }
    if (from.secretRef) {
      const s = ctx.secret?.(ns, from.secretRef.name ?? '');
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${from.secretRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(s.data ?? {})) values.set(prefix + k, Buffer.from(v, 'base64').toString('utf8'));
    }
  }
  for (const e of c.env ?? []) {
    let value: string | undefined;
    const vf = e.valueFrom;
    if (!vf) {
      value = expandVars(e.value ?? '', (name) => values.get(name));
    } else if (vf.fieldRef) {
      value = fieldValue(pod, vf.fieldRef.fieldPath, ctx);
    } else if (vf.resourceFieldRef) {
      const target = vf.resourceFieldRef.containerName
        ? [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((x) => x.name === vf.resourceFieldRef!.containerName) ?? c
        : c;
      value = resourceValue(target, vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor, ctx);
    } else if (vf.configMapKeyRef) {
      const ref = vf.configMapKeyRef;
      const cm = ctx.configMap?.(ns, ref.name ?? '');
      value = cm?.data?.[ref.key] ?? (cm?.binaryData?.[ref.key] !== undefined ? Buffer.from(cm.binaryData[ref.key]!, 'base64').toString('utf8') : undefined);
      if (value === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(cm ? `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}` : `configmap "${ref.name}" not found`);
      }
    } else if (vf.secretKeyRef) {
      const ref = vf.secretKeyRef;
      const s = ctx.secret?.(ns, ref.name ?? '');
      const raw = s?.data?.[ref.key];
      if (raw === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(s ? `couldn't find key ${ref.key} in Secret ${ns}/${ref.name}` : `secret "${ref.name}" not found`);
      }
      value = Buffer.from(raw, 'base64').toString('utf8');
    }
    values.set(e.name, value ?? '');
  }
  return [...values.entries()];
}
