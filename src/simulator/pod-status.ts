import { createHash } from 'node:crypto';
import type { ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { computePodQOS } from '../api/resources/core/pod-qos.js';
import { rfc3339 } from '../base/clock.js';
import { GenerationalMap } from '../base/generational-map.js';

const hash = (s: string) => createHash('sha256').update(s).digest('hex');

export interface PodPlacement { hostIP: string; podIP: string }

function conditions(pod: Pod, t: string, ready: boolean, reason?: string): PodCondition[] {
  const prev = pod.status?.conditions ?? [];
  const c = (type: string, ok: boolean): PodCondition => {
    const status = ok ? 'True' : 'False';
    const old = prev.find((x) => x.type === type);
    return {
      type, status, lastProbeTime: null as unknown as undefined,
      lastTransitionTime: old?.status === status && old.lastTransitionTime ? old.lastTransitionTime : t,
      ...(!ok && reason ? { reason } : {}),
    };
  };
  return [
    c('PodReadyToStartContainers', !reason),
    c('Initialized', true),
    c('Ready', ready),
    c('ContainersReady', ready),
    c('PodScheduled', true),
  ];
}

function containerId(pod: Pod, name: string): string {
  return `kwok://${hash(`${pod.metadata?.uid ?? ''}/${name}`)}`;
}

/** By image: every pod of a template has the same ones (bounded). */
const imageIds = new GenerationalMap<string, string>(512);

function imageId(image: string): string {
  let id = imageIds.get(image);
  if (id === undefined) imageIds.set(image, (id = `kwok://sha256:${hash(image)}`));
  return id;
}

/** The status a kubelet reports for a pod whose containers all started and are ready. */
export function runningStatus(pod: Pod, at: PodPlacement, nowMs: number): PodStatus {
  const t = rfc3339(nowMs);
  const startedAt = pod.status?.startTime ?? t;
  const running = (name: string, image: string): ContainerStatus => ({
    name, image, imageID: imageId(image), containerID: containerId(pod, name),
    ready: true, started: true, restartCount: 0, state: { running: { startedAt } }, lastState: {},
  });
  const init = (pod.spec?.initContainers ?? []).map((c): ContainerStatus => c.restartPolicy === 'Always'
    ? running(c.name, c.image ?? '')
    : {
      name: c.name, image: c.image ?? '', imageID: imageId(c.image ?? ''), containerID: containerId(pod, c.name),
      ready: true, started: false, restartCount: 0, lastState: {},
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt, finishedAt: startedAt, containerID: containerId(pod, c.name) } },
    });
  return {
    ...pod.status,
    phase: 'Running',
    conditions: conditions(pod, t, true),
    hostIP: at.hostIP, hostIPs: [{ ip: at.hostIP }],
    podIP: at.podIP, podIPs: [{ ip: at.podIP }],
    startTime: startedAt,
    qosClass: pod.status?.qosClass ?? computePodQOS(pod.spec),
    ...(init.length ? { initContainerStatuses: init } : {}),
    containerStatuses: (pod.spec?.containers ?? []).map((c) => running(c.name, c.image ?? '')),
  };
}

/** Every container ended with exit 0: phase Succeeded (job pods), or the last status of a deleted pod. */
export function completedStatus(pod: Pod, nowMs: number, phase: 'Succeeded' | 'Running'): PodStatus {
  const t = rfc3339(nowMs);
  const startedAt = pod.status?.startTime ?? t;
  const terminated = (name: string, image: string): ContainerStatus => ({
    name, image, imageID: imageId(image), containerID: containerId(pod, name),
    ready: false, started: false, restartCount: 0, lastState: {},
    state: { terminated: { exitCode: 0, reason: 'Completed', startedAt, finishedAt: t, containerID: containerId(pod, name) } },
  });
  return {
    ...pod.status,
    phase,
    conditions: conditions(pod, t, false, phase === 'Succeeded' ? 'PodCompleted' : 'ContainersNotReady'),
    startTime: startedAt,
    qosClass: pod.status?.qosClass ?? computePodQOS(pod.spec),
    containerStatuses: (pod.spec?.containers ?? []).map((c) => terminated(c.name, c.image ?? '')),
  };
}

/** Go duration strings as the annotation takes them: "1s", "500ms", "1m30s". */
export function parseDuration(s: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let matched = '';
  for (let m = re.exec(s); m; m = re.exec(s)) {
    matched += m[0];
    total += Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[m[2] as 'ms'];
  }
  return matched === s && s !== '' ? total : undefined;
}
