import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Kube } from '../api/types.js';
import { leases } from '../api/resources/coordination/index.js';
import { isConflict, isNotFound } from '../api/errors.js';
import type { Clock } from '../base/clock.js';
import { rfc3339Micro } from '../base/clock.js';
import { sleep, isAbort } from '../base/async.js';
import type { Logger } from '../base/log.js';
import type { Client } from './types.js';

export interface LeaderElectionConfig {
  client: Client;
  clock: Clock;
  log: Logger;
  /** The Lease: kube-system/kube-controller-manager, kube-system/kube-scheduler. */
  namespace: string;
  name: string;
  /** Unique per candidate: `<hostname>_<uuid>` as upstream. */
  identity: string;
  /** Defaults as kube-controller-manager: 15 s, 10 s, 2 s. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Give the lease up (holder '') when `signal` aborts, so a successor need not wait. Default true. */
  releaseOnCancel?: boolean;
  /** Delay function, replaceable in tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface LeaderCallbacks {
  /** Runs while leading; its signal aborts when leadership is lost or the elector stops. */
  onStartedLeading(signal: AbortSignal): Promise<void>;
  /** Called once after leading ends (also when it never began). */
  onStoppedLeading?(): void;
  onNewLeader?(identity: string): void;
}

export interface LeaderElector {
  /** Campaigns, leads, renews; resolves when leadership is lost or `signal` aborts (after onStartedLeading's work has ended). */
  run(signal: AbortSignal, callbacks: LeaderCallbacks): Promise<void>;
  isLeader(): boolean;
  /** The holder last observed. */
  leader(): string;
}

type LeaseObject = Kube<Lease>;
type LeaseSpec = NonNullable<Lease['spec']>;

/**
 * Leader election on a coordination.k8s.io Lease, as client-go's leaderelection: a candidate
 * takes the lease when it is free or its holder has not renewed within leaseDuration (as
 * measured by this candidate's own clock since it last saw the record change), then renews
 * every retryPeriod and steps down if it cannot renew within renewDeadline.
 */
export function leaderElector(cfg: LeaderElectionConfig): LeaderElector {
  const leaseDurationMs = cfg.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = cfg.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = cfg.retryPeriodMs ?? 2_000;
  if (!(leaseDurationMs > renewDeadlineMs)) throw new Error('leaseDuration must be greater than renewDeadline');
  if (!(renewDeadlineMs > retryPeriodMs * 1.2)) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
  const delay = cfg.sleep ?? sleep;
  const log = cfg.log.child({ lease: `${cfg.namespace}/${cfg.name}`, identity: cfg.identity });
  let observedRaw = '';
  let observedAt = 0;
  let observed: LeaseObject | undefined;
  let leading = false;
  let holder = '';

  function record(l: LeaseObject | undefined, onNewLeader?: (id: string) => void): void {
    const raw = JSON.stringify(l?.spec ?? {});
    if (raw !== observedRaw) {
      observedRaw = raw;
      observedAt = cfg.clock.now();
    }
    observed = l;
    const h = l?.spec?.holderIdentity ?? '';
    if (h !== holder) {
      holder = h;
      if (h) onNewLeader?.(h);
    }
  }

  /** One attempt (tryAcquireOrRenew): true when this candidate holds the lease afterwards. */
  async function tryAcquireOrRenew(signal: AbortSignal, onNewLeader?: (id: string) => void): Promise<boolean> {
    const now = cfg.clock.now();
    const desired: LeaseSpec = {
      holderIdentity: cfg.identity,
      leaseDurationSeconds: Math.round(leaseDurationMs / 1000),
      acquireTime: rfc3339Micro(now),
      renewTime: rfc3339Micro(now),
      leaseTransitions: 0,
    };
    let current: LeaseObject;
    try {
      current = await cfg.client.get(leases, cfg.namespace, cfg.name, { signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        const created = await cfg.client.create(leases, { metadata: { name: cfg.name, namespace: cfg.namespace }, spec: desired }, { signal });
        record(created, onNewLeader);
        return true;
      } catch (e) {
        if (isConflict(e) || (e as { reason?: string }).reason === 'AlreadyExists') return false;
        throw e;
      }
    }
    record(current, onNewLeader);
    const spec = current.spec ?? {};
    const held = !!spec.holderIdentity && spec.holderIdentity !== cfg.identity;
    const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
    if (held && observedAt + durationMs > now) return false;
    if (spec.holderIdentity === cfg.identity) {
      desired.acquireTime = spec.acquireTime;
      desired.leaseTransitions = spec.leaseTransitions ?? 0;
    } else {
      desired.leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
    }
    try {
      const updated = await cfg.client.update(leases, { ...current, spec: { ...spec, ...desired } }, { signal });
      record(updated, onNewLeader);
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  async function attempt(signal: AbortSignal, onNewLeader?: (id: string) => void): Promise<boolean> {
    try {
      return await tryAcquireOrRenew(signal, onNewLeader);
    } catch (err) {
      if (signal.aborted) throw err;
      log.warn('error retrieving or updating the lease', { err });
      return false;
    }
  }

  const jittered = () => retryPeriodMs * (1 + Math.random() * 0.2);

  async function release(): Promise<void> {
    if (!observed || observed.spec?.holderIdentity !== cfg.identity) return;
    const now = rfc3339Micro(cfg.clock.now());
    try {
      await cfg.client.update(leases, {
        ...observed,
        spec: { ...observed.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: now, acquireTime: now },
      });
      log.info('released lease');
    } catch (err) {
      log.warn('could not release the lease', { err });
    }
  }

  return {
    isLeader: () => leading,
    leader: () => holder,
    async run(signal, callbacks) {
      // Acquire: retry every retryPeriod (jittered) until this candidate holds the lease.
      try {
        while (!(await attempt(signal, callbacks.onNewLeader))) await delay(jittered(), signal);
      } catch (err) {
        if (signal.aborted || isAbort(err, signal)) { callbacks.onStoppedLeading?.(); return; }
        throw err;
      }
      leading = true;
      log.info('successfully acquired lease');
      const leadership = new AbortController();
      const stopLeading = () => leadership.abort(signal.reason);
      signal.addEventListener('abort', stopLeading, { once: true });
      const work = callbacks.onStartedLeading(leadership.signal).catch((err: unknown) => {
        if (!leadership.signal.aborted) log.error('leader work failed', { err });
      });
      try {
        // Renew: each round must succeed within renewDeadline, retrying every retryPeriod.
        while (!signal.aborted) {
          const deadline = cfg.clock.now() + renewDeadlineMs;
          let renewed = false;
          while (!signal.aborted && cfg.clock.now() < deadline) {
            if (await attempt(signal)) { renewed = true; break; }
            await delay(retryPeriodMs, signal);
          }
          if (!renewed) break;
          await delay(retryPeriodMs, signal);
        }
      } catch (err) {
        if (!signal.aborted && !isAbort(err, signal)) throw err;
      } finally {
        leading = false;
        signal.removeEventListener('abort', stopLeading);
        leadership.abort(new Error('leadership lost'));
        await work;
        if (signal.aborted && cfg.releaseOnCancel !== false) await release();
        log.info(signal.aborted ? 'stopped leading' : 'failed to renew lease, lost leadership');
        callbacks.onStoppedLeading?.();
      }
    },
  };
}
