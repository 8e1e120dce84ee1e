import type { Affinity, NodeSelectorTerm, PodTemplateSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { templateGenerationAnnotation, type DaemonSetObject, type NodeObject, type PodObject } from '../../api/resources/index.js';
import { findUntoleratedTaint, podMatchesNodeSelectorAndAffinity } from '../../scheduler/framework/index.js';

export const revisionHashLabel = 'controller-revision-hash';
export const templateGenerationLabel = 'pod-template-generation';

/** AddOrUpdateDaemonPodTolerations: what every daemon pod tolerates on top of its template. */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const t: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork) t.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return t;
}

function sameToleration(a: Toleration, b: Toleration): boolean {
  return a.key === b.key && a.effect === b.effect && (a.operator ?? 'Equal') === (b.operator ?? 'Equal') && (a.value ?? '') === (b.value ?? '');
}

/** The template with the daemon tolerations added (those already present are not repeated). */
export function withDaemonTolerations(template: PodTemplateSpec | undefined): PodTemplateSpec {
  const t = structuredClone(template ?? {});
  t.spec ??= { containers: [] };
  const list = [...(t.spec.tolerations ?? [])];
  for (const d of daemonTolerations(!!t.spec.hostNetwork)) {
    const i = list.findIndex((x) => x.key === d.key && x.effect === d.effect);
    if (i < 0) list.push(d);
    else if (!sameToleration(list[i]!, d)) list[i] = d;
  }
  t.spec.tolerations = list;
  return t;
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms become `metadata.name In [node]`. */
export function pinnedToNode(affinity: Affinity | undefined, node: string): Affinity {
  const a = structuredClone(affinity ?? {});
  const term: NodeSelectorTerm = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] };
  a.nodeAffinity = { ...a.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } };
  return a;
}

/** GetTargetNodeName: spec.nodeName, else the node the pinning affinity names. */
export function targetNode(pod: PodObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const t of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

export interface NodePlacement {
  /** A daemon pod should be created here. */
  shouldRun: boolean;
  /** An existing daemon pod may stay (only untolerated NoExecute taints evict). */
  shouldContinueRunning: boolean;
}

/** NodeShouldRunDaemonPod: node selector, required affinity, and taints vs the daemon pod's tolerations. */
export function nodeShouldRunDaemonPod(node: NodeObject, ds: DaemonSetObject): NodePlacement {
  const template = withDaemonTolerations(ds.spec?.template);
  const name = node.metadata.name ?? '';
  if (template.spec?.nodeName && template.spec.nodeName !== name) return { shouldRun: false, shouldContinueRunning: false };
  const pod = { spec: template.spec } as PodObject;
  if (!podMatchesNodeSelectorAndAffinity(pod, node.metadata.labels ?? {}, name)) return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints ?? [];
  const tolerations = template.spec?.tolerations;
  if (findUntoleratedTaint(taints, tolerations, ['NoExecute'])) return { shouldRun: false, shouldContinueRunning: false };
  if (findUntoleratedTaint(taints, tolerations, ['NoSchedule'])) return { shouldRun: false, shouldContinueRunning: true };
  return { shouldRun: true, shouldContinueRunning: true };
}

/** The template generation a DaemonSet's pods carry (the deprecated annotation the apiserver keeps). */
export function templateGeneration(ds: DaemonSetObject): string | undefined {
  return ds.metadata.annotations?.[templateGenerationAnnotation];
}

/** IsPodUpdated: the pod carries the current revision hash or template generation. */
export function isPodUpdated(pod: PodObject, hash: string, generation: string | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  return labels[revisionHashLabel] === hash || (generation !== undefined && labels[templateGenerationLabel] === generation);
}
