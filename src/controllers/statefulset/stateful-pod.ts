import type { PersistentVolumeClaim, PodTemplateSpec, Volume } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Kube } from '../../api/types.js';
import type { PodObject, StatefulSetObject } from '../../api/resources/index.js';
import { podFromTemplate } from '../podutil/index.js';

export const podNameLabel = 'statefulset.kubernetes.io/pod-name';
export const podIndexLabel = 'apps.kubernetes.io/pod-index';
/** controller-revision-hash: on a StatefulSet pod it holds the revision's name. */
export const revisionLabel = 'controller-revision-hash';

/** The ordinal in `<set>-<ordinal>`, or -1 when the name is not of the set (getParentNameAndOrdinal). */
export function ordinalOf(set: Pick<StatefulSetObject, 'metadata'>, pod: Pick<PodObject, 'metadata'>): number {
  const m = /^(.*)-(\d+)$/.exec(pod.metadata.name ?? '');
  if (!m || m[1] !== set.metadata.name) return -1;
  const n = Number(m[2]);
  return Number.isSafeInteger(n) ? n : -1;
}

export function startOrdinal(set: StatefulSetObject): number {
  return set.spec?.ordinals?.start ?? 0;
}

export function podName(set: Pick<StatefulSetObject, 'metadata'>, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

/** `<claim template>-<set>-<ordinal>`. */
export function claimName(set: Pick<StatefulSetObject, 'metadata'>, claim: string, ordinal: number): string {
  return `${claim}-${set.metadata.name}-${ordinal}`;
}

/** getPersistentVolumeClaims: one claim per volumeClaimTemplate, labelled with the set's selector. */
export function claimsFor(set: StatefulSetObject, ordinal: number): Kube<PersistentVolumeClaim>[] {
  const selectorLabels = set.spec?.selector?.matchLabels ?? {};
  return (set.spec?.volumeClaimTemplates ?? []).map((t) => {
    const c = structuredClone(t) as Kube<PersistentVolumeClaim> & { status?: unknown };
    delete c.status;
    c.apiVersion = 'v1';
    c.kind = 'PersistentVolumeClaim';
    c.metadata = { ...c.metadata, name: claimName(set, t.metadata?.name ?? '', ordinal), namespace: set.metadata.namespace, labels: { ...c.metadata?.labels, ...selectorLabels } };
    return c;
  });
}

/**
 * newVersionedStatefulSetPod: the pod for one ordinal from a template, with its stable identity
 * (name, pod-name and pod-index labels, hostname, subdomain), claims as volumes, and revision label.
 */
export function statefulPod(set: StatefulSetObject, template: PodTemplateSpec | undefined, revisionName: string, ordinal: number, ref: OwnerReference): PodObject {
  const pod = podFromTemplate(template, set.metadata.namespace ?? '', '', ref) as PodObject;
  const name = podName(set, ordinal);
  delete pod.metadata.generateName;
  pod.metadata.name = name;
  pod.metadata.labels = { ...pod.metadata.labels, [podNameLabel]: name, [podIndexLabel]: String(ordinal), [revisionLabel]: revisionName };
  const spec = pod.spec!;
  spec.hostname = name;
  spec.subdomain = set.spec?.serviceName || undefined;
  if (!spec.subdomain) delete spec.subdomain;
  const claims = set.spec?.volumeClaimTemplates ?? [];
  if (claims.length) {
    const names = new Set(claims.map((c) => c.metadata?.name));
    const volumes: Volume[] = (spec.volumes ?? []).filter((v) => !names.has(v.name));
    for (const c of claims) volumes.push({ name: c.metadata?.name ?? '', persistentVolumeClaim: { claimName: claimName(set, c.metadata?.name ?? '', ordinal) } });
    spec.volumes = volumes;
  }
  return pod;
}

export function isRunningAndReady(pod: PodObject): boolean {
  return pod.status?.phase === 'Running' && (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function isRunningAndAvailable(pod: PodObject, minReadySeconds: number, now: number): boolean {
  if (!isRunningAndReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const c = pod.status?.conditions?.find((x) => x.type === 'Ready');
  const since = c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= now;
}

export const isTerminating = (pod: PodObject): boolean => !!pod.metadata.deletionTimestamp;
export const isTerminal = (pod: PodObject): boolean => pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
export const isHealthy = (pod: PodObject): boolean => isRunningAndReady(pod) && !isTerminating(pod);
export const revisionOf = (pod: PodObject): string | undefined => pod.metadata.labels?.[revisionLabel];
