/**
 * The checks kube-apiserver makes before it proxies a pod's log/exec/attach/portforward to the
 * kubelet (pkg/registry/core/pod strategy: validateContainer, LogLocation, streamLocation), and
 * the query it forwards.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { badRequest, fieldErr, invalid } from '../../api/errors.js';
import type { FieldError } from '../../api/types.js';

/** Every container name of the pod, in upstream's visiting order: init, regular, ephemeral. */
export function podContainerNames(pod: Pick<Pod, 'spec'>): string[] {
  const spec = pod.spec;
  return [
    ...(spec?.initContainers ?? []).map((c) => c.name),
    ...(spec?.containers ?? []).map((c) => c.name),
    ...(spec?.ephemeralContainers ?? []).map((c) => c.name),
  ];
}

/** The container to use: the one named (which must exist), or the pod's only container. */
export function validateContainer(container: string | null | undefined, pod: Pick<Pod, 'spec' | 'metadata'>): string {
  const name = pod.metadata?.name ?? '';
  if (!container) {
    const containers = pod.spec?.containers ?? [];
    if (containers.length === 1) return containers[0]!.name;
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${podContainerNames(pod).join(' ')}]`);
  }
  if (!podContainerNames(pod).includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

function boolParam(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  if (v === null || v === '') return false;
  if (v === 'true' || v === '1' || v === 'True' || v === 'TRUE' || v === 't' || v === 'T') return true;
  if (v === 'false' || v === '0' || v === 'False' || v === 'FALSE' || v === 'f' || v === 'F') return false;
  throw badRequest(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

/**
 * PodLogOptions from the query, validated as ValidatePodLogOptions does (422 Invalid, kind
 * PodLogOptions), re-encoded as the kubelet's `/containerLogs` query.
 */
export function kubeletLogQuery(query: URLSearchParams, podName: string): URLSearchParams {
  const tailLines = intParam(query, 'tailLines');
  const limitBytes = intParam(query, 'limitBytes');
  const sinceSeconds = intParam(query, 'sinceSeconds');
  const sinceTimeText = query.get('sinceTime');
  let sinceTime: Date | undefined;
  if (sinceTimeText) {
    sinceTime = new Date(sinceTimeText);
    if (Number.isNaN(sinceTime.getTime())) throw badRequest(`parsing time ${JSON.stringify(sinceTimeText)} as "2006-01-02T15:04:05Z07:00": cannot parse`);
  }
  const errs: FieldError[] = [];
  if (tailLines !== undefined && tailLines < 0) errs.push(fieldErr.invalid('tailLines', tailLines, 'must be greater than or equal to 0'));
  if (limitBytes !== undefined && limitBytes < 1) errs.push(fieldErr.invalid('limitBytes', limitBytes, 'must be greater than 0'));
  if (sinceSeconds !== undefined && sinceTime) errs.push(fieldErr.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  else if (sinceSeconds !== undefined && sinceSeconds < 1) errs.push(fieldErr.invalid('sinceSeconds', sinceSeconds, 'must be greater than 0'));
  if (errs.length) throw invalid('PodLogOptions', '', podName, errs);

  const out = new URLSearchParams();
  if (boolParam(query, 'follow')) out.set('follow', 'true');
  if (boolParam(query, 'previous')) out.set('previous', 'true');
  if (boolParam(query, 'timestamps')) out.set('timestamps', 'true');
  if (sinceSeconds !== undefined) out.set('sinceSeconds', String(sinceSeconds));
  if (sinceTime) out.set('sinceTime', sinceTime.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  if (tailLines !== undefined) out.set('tailLines', String(tailLines));
  if (limitBytes !== undefined) out.set('limitBytes', String(limitBytes));
  return out;
}

/** exec/attach options re-encoded for the kubelet ("1" flags, repeated `command`). */
export function kubeletStreamQuery(query: URLSearchParams, withCommand: boolean): URLSearchParams {
  const out = new URLSearchParams();
  for (const flag of ['stdin', 'stdout', 'stderr', 'tty']) if (boolParam(query, flag)) out.set(flag, '1');
  if (withCommand) for (const c of query.getAll('command')) out.append('command', c);
  return out;
}

/** portforward options: `ports` forwarded as one comma-separated value. */
export function kubeletPortForwardQuery(query: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  const ports = query.getAll('ports').flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
  for (const p of ports) {
    if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535) throw badRequest(`invalid port: ${p}`);
  }
  if (ports.length) out.set('ports', ports.join(','));
  return out;
}
