/**
 * Probe workers, one per running container and probe type, on the container's own schedule
 * (initialDelaySeconds, periodSeconds, timeoutSeconds, thresholds). Results are kept by
 * container id, so a replaced container starts afresh; changes wake the pod's sync. Every
 * failed attempt is an `Unhealthy` Warning event, as the kubelet records them.
 */
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import { isAbort, sleep, type Clock, type Logger } from '../../base/index.js';
import type { CriClient } from '../cri/client.js';
import type { PodProber } from '../kubelet.js';
import type { EventType } from '../pod-worker.js';
import { runProbe, type ProbeOutcome, type ProbeTarget } from './probe-runner.js';
import { initialProbeState, probeTiming, recordProbe, type ProbeState, type ProbeType } from './probe-state.js';

export interface ProberDeps {
  cri: CriClient;
  clock: Clock;
  log: Logger;
  /** A probe result changed: sync the pod. */
  onChange(uid: string): void;
  event(pod: Pod, type: EventType, reason: string, message: string): void;
  /** One probe attempt (replaceable in tests). */
  probe?: (p: Probe, t: ProbeTarget) => Promise<ProbeOutcome>;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

interface Worker {
  uid: string;
  containerId: string;
  type: ProbeType;
  state: ProbeState;
  stop: AbortController;
  done?: Promise<void>;
}

const probeOf = (c: Container, type: ProbeType): Probe | undefined =>
  type === 'liveness' ? c.livenessProbe : type === 'readiness' ? c.readinessProbe : c.startupProbe;

const eventPrefix: Record<ProbeType, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

export function createProber(deps: ProberDeps): PodProber {
  const log = deps.log.child({ component: 'prober' });
  const doProbe = deps.probe ?? ((p, t) => runProbe(p, t));
  const delay = deps.sleep ?? sleep;
  const workers = new Map<string, Worker>();
  let root: AbortSignal | undefined;
  const pending: Worker[] = [];
  const keyOf = (containerId: string, type: ProbeType) => `${containerId}/${type}`;

  const startedOk = (containerId: string, c: Container) => !c.startupProbe || workers.get(keyOf(containerId, 'startup'))?.state.result === true;

  async function loop(w: Worker, pod: Pod, c: Container, podIP: string | undefined, signal: AbortSignal): Promise<void> {
    const probe = probeOf(c, w.type)!;
    const t = probeTiming(probe);
    if (t.initialDelayMs > 0) await delay(t.initialDelayMs, signal);
    while (!signal.aborted) {
      const skip = w.state.onHold || (w.type === 'startup' && w.state.result === true) || (w.type !== 'startup' && !startedOk(w.containerId, c));
      if (!skip) {
        const out = await doProbe(probe, { cri: deps.cri, container: c, containerId: w.containerId, podIP, timeoutSeconds: t.timeoutSeconds, signal });
        if (signal.aborted) return;
        const ok = out.result === 'success';
        if (!ok) deps.event(pod, 'Warning', 'Unhealthy', `${eventPrefix[w.type]} probe failed: ${out.output}`);
        const { state, changed } = recordProbe(w.type, w.state, ok, t);
        w.state = state;
        if (changed) {
          log.debug('probe result changed', { pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, container: c.name, probe: w.type, ok });
          deps.onChange(w.uid);
        }
      }
      await delay(t.periodMs, signal);
    }
  }

  function start(w: Worker, pod: Pod, c: Container, podIP: string | undefined): void {
    if (!root) { pending.push(w); return; }
    const signal = AbortSignal.any([root, w.stop.signal]);
    w.done = loop(w, pod, c, podIP, signal).catch((err: unknown) => {
      if (!isAbort(err, signal) && !signal.aborted) log.error('probe worker failed', { err });
    });
  }

  function stopWorker(key: string, w: Worker): void {
    w.stop.abort();
    workers.delete(key);
  }

  const result = (containerId: string, type: ProbeType) => workers.get(keyOf(containerId, type))?.state;

  return {
    update(pod, running, podIP) {
      const uid = pod.metadata?.uid ?? '';
      const ids = new Set(running.values());
      for (const [key, w] of workers) if (w.uid === uid && !ids.has(w.containerId)) stopWorker(key, w);
      for (const c of pod.spec?.containers ?? []) {
        const id = running.get(c.name);
        if (!id) continue;
        for (const type of ['startup', 'liveness', 'readiness'] as const) {
          if (!probeOf(c, type) || workers.has(keyOf(id, type))) continue;
          const w: Worker = { uid, containerId: id, type, state: initialProbeState(type), stop: new AbortController() };
          workers.set(keyOf(id, type), w);
          start(w, pod, c, podIP);
        }
      }
    },
    forget(uid) {
      for (const [key, w] of workers) if (w.uid === uid) stopWorker(key, w);
    },
    readiness(_pod, c, containerId) {
      if (c.startupProbe && !startedOk(containerId, c)) return false;
      if (!c.readinessProbe) return undefined;
      return result(containerId, 'readiness')?.result === true;
    },
    started(_pod, c, containerId) {
      if (!c.startupProbe) return undefined;
      return startedOk(containerId, c);
    },
    unhealthy(_pod, c, containerId) {
      if (c.startupProbe && result(containerId, 'startup')?.result === false) return 'failed startup probe';
      if (c.livenessProbe && result(containerId, 'liveness')?.result === false) return 'failed liveness probe';
      return undefined;
    },
    async run(signal) {
      root = signal;
      for (const w of pending.splice(0)) {
        // Workers asked for before run() began start now; their pod is re-synced to pass the details again.
        workers.delete(keyOf(w.containerId, w.type));
        deps.onChange(w.uid);
      }
      await new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await Promise.all([...workers.values()].map((w) => w.done));
    },
  };
}
