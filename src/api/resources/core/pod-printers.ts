import type { Container, ContainerStatus, Pod, PodCondition, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { PrinterColumn } from '../../resource.js';
import { age, humanDuration } from '../../printers.js';

/** The cells of `kubectl get pods` as upstream's printPod computes them (1.33). */

type PodView = Pick<Pod, 'spec' | 'status'> & { metadata?: { deletionTimestamp?: string } };

/** NodeUnreachablePodReason: the node controller's reason for pods on a lost node. */
const nodeUnreachableReason = 'NodeLost';

function isRestartableInit(c: Container | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

function hasCondition(conditions: readonly PodCondition[] | undefined, type: string): boolean {
  return (conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

function isInitializedTrue(conditions: readonly PodCondition[] | undefined): boolean {
  const c = (conditions ?? []).find((x) => x.type === 'Initialized');
  return c?.status === 'True';
}

function finishedAt(s: ContainerStatus): number {
  const t = s.lastState?.terminated?.finishedAt;
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

export interface PodSummary {
  /** `1/2`: ready containers (including started sidecars) over all containers. */
  ready: string;
  /** The STATUS column: Running, Pending, Init:0/1, CrashLoopBackOff, Completed, Terminating … */
  status: string;
  restarts: number;
  /** Newest lastState.terminated.finishedAt among counted containers (ms), 0 when none. */
  lastRestart: number;
}

/** printPod's aggregation of container states into READY, STATUS and RESTARTS. */
export function summarizePod(pod: PodView): PodSummary {
  const spec = pod.spec;
  const status = pod.status ?? {};
  let restarts = 0;
  let sidecarRestarts = 0;
  let total = spec?.containers?.length ?? 0;
  let ready = 0;
  let lastRestart = 0;
  let lastSidecarRestart = 0;
  const phase = status.phase ?? '';
  let reason: string = status.reason || phase;
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }
  const inits = new Map<string, Container>();
  for (const c of spec?.initContainers ?? []) {
    inits.set(c.name, c);
    if (isRestartableInit(c)) total++;
  }
  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i]!;
    restarts += c.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, finishedAt(c));
    const sidecar = isRestartableInit(inits.get(c.name));
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = Math.max(lastSidecarRestart, finishedAt(c));
    }
    const term = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (sidecar && c.started) {
      if (c.ready) ready++;
      continue;
    }
    if (term) {
      if (!term.reason) reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
      else reason = `Init:${term.reason}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${spec?.initContainers?.length ?? 0}`;
    }
    initializing = true;
    break;
  }
  if (!initializing || isInitializedTrue(status.conditions)) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      restarts += c.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, finishedAt(c));
      const waiting = c.state?.waiting;
      const term = c.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = hasCondition(status.conditions, 'Ready') ? 'Running' : 'NotReady';
  }
  const deleting = !!pod.metadata?.deletionTimestamp;
  if (deleting && status.reason === nodeUnreachableReason) reason = 'Unknown';
  else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  return { ready: `${ready}/${total}`, status: reason, restarts, lastRestart };
}

/** RESTARTS: `3`, or `3 (5m ago)` when the last restart time is known. */
export function restartsCell(summary: PodSummary, now: number): string {
  if (summary.restarts !== 0 && summary.lastRestart !== 0) return `${summary.restarts} (${humanDuration(now - summary.lastRestart)} ago)`;
  return String(summary.restarts);
}

/** IP (wide): the first of status.podIPs, `<none>` when unassigned. */
export function podIPCell(pod: PodView): string {
  return pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
}

/** READINESS GATES (wide): `1/2` of gates whose condition is True, `<none>` without gates. */
export function readinessGatesCell(pod: PodView): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  let ok = 0;
  for (const g of gates) {
    const c = (pod.status?.conditions ?? []).find((x) => x.type === g.conditionType);
    if (c?.status === 'True') ok++;
  }
  return `${ok}/${gates.length}`;
}

/** layoutContainerCells: container names and images, comma-separated. */
export function containerNamesCell(containers: readonly Container[] | undefined): string {
  return (containers ?? []).map((c) => c.name).join(',');
}

export function containerImagesCell(containers: readonly Container[] | undefined): string {
  return (containers ?? []).map((c) => c.image ?? '').join(',');
}

/** `Age`: the server-computed age string, as every upstream printer's last default column. */
export function ageColumn<T extends { metadata: { creationTimestamp?: string } }>(): PrinterColumn<T> {
  return { name: 'Age', type: 'string', description: ageDescription, cell: (o, now) => age(o.metadata.creationTimestamp, now) };
}

export const ageDescription = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

/** The wide `Containers` and `Images` columns of a workload, read from its pod template. */
export function templateColumns<T>(template: (o: T) => PodTemplateSpec | undefined): PrinterColumn<T>[] {
  return [
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.', cell: (o) => containerNamesCell(template(o)?.spec?.containers) },
    { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.', cell: (o) => containerImagesCell(template(o)?.spec?.containers) },
  ];
}
