import type { Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import type { FieldError, ObjectMeta, Writable } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { child, index, isDNS1123Subdomain, isQualifiedName, isValidIP, parseIP } from '../../validation/index.js';
import { defaultPodOnlyFields, defaultPodSpec } from './pod-defaults.js';
import { validatePodSpec, validatePodSpecUpdate } from './pod-validation.js';
import { computePodQOS } from './pod-qos.js';
import { ageColumn, podIPCell, readinessGatesCell, restartsCell, summarizePod } from './pod-printers.js';

export type PodObject = Omit<Writable<Pod>, 'metadata'> & { metadata: ObjectMeta };

/** SetDefaults_Pod: the spec defaults plus the pod-only ones; podIP/podIPs kept in step as the v1 conversion does. */
export function defaultPod(pod: PodObject): void {
  pod.spec ??= { containers: [] };
  defaultPodSpec(pod.spec);
  defaultPodOnlyFields(pod.spec);
  const st = pod.status;
  if (st) {
    if (st.podIP && !st.podIPs?.length) st.podIPs = [{ ip: st.podIP }];
    else if (!st.podIP && st.podIPs?.length) st.podIP = st.podIPs[0]!.ip;
    if (st.hostIP && !st.hostIPs?.length) st.hostIPs = [{ ip: st.hostIP }];
    else if (!st.hostIP && st.hostIPs?.length) st.hostIP = st.hostIPs[0]!.ip;
  }
}

/** ValidatePodCreate / ValidatePodUpdate (spec part; metadata is validated by the apiserver). */
export function validatePod(pod: PodObject, old?: PodObject): FieldError[] {
  const errs = validatePodSpec(pod.spec, 'spec');
  if (!old) {
    if (pod.spec?.ephemeralContainers?.length) errs.push(fieldErr.forbidden(child('spec', 'ephemeralContainers'), 'cannot be set on create'));
    return errs;
  }
  return [...errs, ...validatePodSpecUpdate(pod, old)];
}

const systemConditions = new Set(['PodScheduled', 'Ready', 'Initialized', 'ContainersReady', 'PodReadyToStartContainers', 'DisruptionTarget', 'PodResizePending', 'PodResizeInProgress']);

function validateIPList(list: readonly { ip?: string }[] | undefined, path: string, what: string): FieldError[] {
  const errs: FieldError[] = [];
  (list ?? []).forEach((x, i) => { for (const m of isValidIP(x.ip ?? '')) errs.push(fieldErr.invalid(index(path, i), x.ip ?? '', m)); });
  if ((list?.length ?? 0) > 1) {
    const families = new Set((list ?? []).map((x) => parseIP(x.ip ?? '')));
    if (list!.length > 2 || families.size !== 2) errs.push(fieldErr.invalid(path, list, `may specify no more than one IP for each IP family`));
  }
  void what;
  return errs;
}

/** ValidatePodStatusUpdate: conditions, nominated node, IPs, and no resurrection of terminated containers. */
export function validatePodStatus(pod: PodObject, old: PodObject): FieldError[] {
  const errs: FieldError[] = [];
  const st = pod.status ?? {};
  (st.conditions ?? []).forEach((c, i) => {
    if (!systemConditions.has(c.type)) for (const m of isQualifiedName(c.type)) errs.push(fieldErr.invalid(child(index('status.conditions', i), 'Type'), c.type, m));
  });
  if (pod.spec?.nodeName !== old.spec?.nodeName) errs.push(fieldErr.forbidden('status.nodeName', 'may not be changed directly'));
  const nominated = st.nominatedNodeName ?? '';
  if (nominated && nominated !== (old.status?.nominatedNodeName ?? '')) {
    for (const m of isDNS1123Subdomain(nominated)) errs.push(fieldErr.invalid('status.nominatedNodeName', nominated, m));
  }
  errs.push(...validateIPList(st.podIPs, 'status.podIPs', 'pod'));
  errs.push(...validateIPList(st.hostIPs, 'status.hostIPs', 'host'));
  const never = old.spec?.restartPolicy === 'Never';
  const onFailure = old.spec?.restartPolicy === 'OnFailure';
  for (const field of ['containerStatuses', 'ephemeralContainerStatuses'] as const) {
    const oldByName = new Map((old.status?.[field] ?? []).map((s) => [s.name, s]));
    (st[field] ?? []).forEach((s, i) => {
      const prev = oldByName.get(s.name);
      if (!prev?.state?.terminated || s.state?.terminated) return;
      const frozen = field === 'ephemeralContainerStatuses' || never || (onFailure && prev.state.terminated.exitCode === 0);
      if (frozen) errs.push(fieldErr.forbidden(child(index(`status.${field}`, i), 'state'), 'may not be transitioned to non-terminated state'));
    });
  }
  return errs;
}

function mergeLabelKeys(term: PodAffinityTerm, labels: Record<string, string>): void {
  if (!term.labelSelector || (!term.matchLabelKeys?.length && !term.mismatchLabelKeys?.length)) return;
  const sel = term.labelSelector;
  for (const [keys, operator] of [[term.matchLabelKeys, 'In'], [term.mismatchLabelKeys, 'NotIn']] as const) {
    for (const k of keys ?? []) {
      const v = labels[k];
      if (v !== undefined) (sel.matchExpressions ??= []).push({ key: k, operator, values: [v] });
    }
  }
}

/** mutatePodAffinity: matchLabelKeys/mismatchLabelKeys become selector terms on create. */
function mutatePodAffinity(pod: PodObject): void {
  const labels = pod.metadata.labels ?? {};
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const a = pod.spec?.affinity?.[kind];
    for (const t of a?.requiredDuringSchedulingIgnoredDuringExecution ?? []) mergeLabelKeys(t, labels);
    for (const w of a?.preferredDuringSchedulingIgnoredDuringExecution ?? []) mergeLabelKeys(w.podAffinityTerm, labels);
  }
}

/** The pod strategy's PrepareForCreate: a fresh Pending status with the computed QoS class. */
export function preparePodForCreate(pod: PodObject): void {
  pod.status = { phase: 'Pending', qosClass: computePodQOS(pod.spec) };
  if (pod.spec?.schedulingGates?.length) {
    pod.status.conditions = [{
      type: 'PodScheduled', status: 'False', reason: 'SchedulingGated',
      message: 'Scheduling is blocked due to non-empty scheduling gates',
    }];
  }
  mutatePodAffinity(pod);
}

/** CheckGracefulDelete: requested or spec grace; 0 for unscheduled or finished pods; negative → 1. */
export function podGracePeriodSeconds(pod: PodObject, requested?: number): number {
  let period = requested ?? pod.spec?.terminationGracePeriodSeconds ?? 0;
  if (!pod.spec?.nodeName) period = 0;
  if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') period = 0;
  return period < 0 ? 1 : period;
}

const str = (v: string | undefined): string => v ?? '';

export const pods = defineResource<PodObject>({
  group: '', version: 'v1', kind: 'Pod', plural: 'pods', scope: 'Namespaced',
  shortNames: ['po'], categories: ['all'], schema: 'io.k8s.api.core.v1.Pod',
  subresources: { status: true, other: ['ephemeralcontainers', 'log', 'exec', 'attach', 'portforward', 'proxy', 'binding', 'eviction'] },
  defaults: defaultPod,
  validate: validatePod,
  validateStatus: validatePodStatus,
  prepareForCreate: preparePodForCreate,
  prepareForUpdate(pod, old) { pod.status = old.status; },
  gracefulDeletionSeconds: podGracePeriodSeconds,
  printerColumns: [
    { name: 'Ready', type: 'string', description: 'The aggregate readiness state of this pod for accepting traffic.', cell: (p) => summarizePod(p).ready },
    { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.', cell: (p) => summarizePod(p).status },
    { name: 'Restarts', type: 'string', description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.', cell: (p, now) => restartsCell(summarizePod(p), now) },
    ageColumn<PodObject>(),
    { name: 'IP', type: 'string', priority: 1, description: 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', cell: podIPCell },
    { name: 'Node', type: 'string', priority: 1, description: 'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.', cell: (p) => p.spec?.nodeName || '<none>' },
    { name: 'Nominated Node', type: 'string', priority: 1, description: 'nominatedNodeName is set when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.', cell: (p) => p.status?.nominatedNodeName || '<none>' },
    { name: 'Readiness Gates', type: 'string', priority: 1, description: 'If specified, all readiness gates will be evaluated for pod readiness.', cell: readinessGatesCell },
  ],
  fieldSelectors: {
    'spec.nodeName': (p) => str(p.spec?.nodeName),
    'spec.restartPolicy': (p) => str(p.spec?.restartPolicy),
    'spec.schedulerName': (p) => str(p.spec?.schedulerName),
    'spec.serviceAccountName': (p) => str(p.spec?.serviceAccountName),
    'spec.hostNetwork': (p) => String(p.spec?.hostNetwork ?? false),
    'status.phase': (p) => str(p.status?.phase),
    'status.podIP': (p) => p.status?.podIPs?.[0]?.ip ?? str(p.status?.podIP),
    'status.nominatedNodeName': (p) => str(p.status?.nominatedNodeName),
  },
});

