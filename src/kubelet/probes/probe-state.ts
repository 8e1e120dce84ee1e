/** The kubelet's probe result bookkeeping (pure): thresholds over runs of equal results. */
import type { Probe } from 'kubernetes-types/core/v1.js';

export type ProbeType = 'liveness' | 'readiness' | 'startup';

export interface ProbeTiming {
  initialDelayMs: number;
  periodMs: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

/** The probe's timing fields with Kubernetes' defaults (period 10 s, timeout 1 s, thresholds 1 and 3). */
export function probeTiming(p: Probe): ProbeTiming {
  return {
    initialDelayMs: (p.initialDelaySeconds ?? 0) * 1000,
    periodMs: Math.max(1, p.periodSeconds ?? 10) * 1000,
    timeoutSeconds: Math.max(1, p.timeoutSeconds ?? 1),
    successThreshold: Math.max(1, p.successThreshold ?? 1),
    failureThreshold: Math.max(1, p.failureThreshold ?? 3),
  };
}

export interface ProbeState {
  /** The reported result: undefined until the first decision (startup, readiness start out not passed). */
  result: boolean | undefined;
  /** The last raw outcome and how many times in a row it came. */
  last: boolean | undefined;
  run: number;
  /** A failed liveness/startup probe: stop probing until the container is replaced. */
  onHold: boolean;
}

/** The result a probe type reports before any probe ran: liveness passes, readiness fails, startup is unknown. */
export function initialProbeState(type: ProbeType): ProbeState {
  return { result: type === 'liveness' ? true : type === 'readiness' ? false : undefined, last: undefined, run: 0, onHold: false };
}

/** Records one outcome; returns the next state and whether the reported result changed. */
export function recordProbe(type: ProbeType, s: ProbeState, ok: boolean, t: Pick<ProbeTiming, 'successThreshold' | 'failureThreshold'>): { state: ProbeState; changed: boolean } {
  const run = s.last === ok ? s.run + 1 : 1;
  const next: ProbeState = { ...s, last: ok, run };
  if ((ok && run >= t.successThreshold) || (!ok && run >= t.failureThreshold)) next.result = ok;
  if (!ok && next.result === false && (type === 'liveness' || type === 'startup')) next.onHold = true;
  // A startup probe that passed is never run again.
  return { state: next, changed: next.result !== s.result };
}
