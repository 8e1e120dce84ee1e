import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../base/clock.js';
import { sleep, isAbort } from '../../base/async.js';
import type { ClusterEvent } from '../framework/types.js';
import { podKey } from '../framework/node-info.js';
import { KeyedHeap } from './heap.js';

/** A pod in the scheduling queue with its attempt history. */
export interface QueuedPodInfo {
  pod: Pod;
  readonly key: string;
  /** When it last entered a queue (PrioritySort's tie-break). */
  timestamp: number;
  /** Scheduling attempts so far (drives the backoff). */
  attempts: number;
  readonly initialAttemptTimestamp: number;
  /** Plugins that rejected it in its last attempt. */
  unschedulablePlugins: Set<string>;
}

export interface SchedulingQueueOptions {
  clock: Clock;
  /** Per-pod backoff: initial and maximum (kube-scheduler: 1 s, 10 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Pods left in unschedulablePods longer than this are retried anyway (5 minutes). */
  maxInUnschedulableMs?: number;
  /** Plugin name → the cluster events it registered (EventsToRegister). */
  pluginEvents?: ReadonlyMap<string, ReadonlySet<ClusterEvent>>;
}

const priority = (p: Pod) => p.spec?.priority ?? 0;

/**
 * kube-scheduler's PriorityQueue: activeQ (priority, then time queued), backoffQ (until
 * 1 s × 2^(attempts−1), at most 10 s) and unschedulablePods, moved back to active/backoff
 * by a cluster event one of the rejecting plugins registered, or after 5 minutes.
 */
export class SchedulingQueue {
  readonly #clock: Clock;
  readonly #initialBackoff: number;
  readonly #maxBackoff: number;
  readonly #maxInUnschedulable: number;
  readonly #pluginEvents: ReadonlyMap<string, ReadonlySet<ClusterEvent>>;
  readonly #active = new KeyedHeap<QueuedPodInfo>((q) => q.key, (a, b) => {
    const pa = priority(a.pod); const pb = priority(b.pod);
    return pa !== pb ? pa > pb : a.timestamp < b.timestamp;
  });
  readonly #backoff = new KeyedHeap<QueuedPodInfo>((q) => q.key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  readonly #unschedulable = new Map<string, QueuedPodInfo>();
  /** Pods popped and not yet done, with whether an update or move request arrived meanwhile. */
  readonly #inFlight = new Map<string, { cycle: number; updated: boolean }>();
  #schedulingCycle = 0;
  #moveRequestCycle = -1;
  #waiters: ((q: QueuedPodInfo | undefined) => void)[] = [];
  #closed = false;

  constructor(opts: SchedulingQueueOptions) {
    this.#clock = opts.clock;
    this.#initialBackoff = opts.initialBackoffMs ?? 1000;
    this.#maxBackoff = opts.maxBackoffMs ?? 10_000;
    this.#maxInUnschedulable = opts.maxInUnschedulableMs ?? 5 * 60_000;
    this.#pluginEvents = opts.pluginEvents ?? new Map();
  }

  get schedulingCycle(): number { return this.#schedulingCycle; }

  backoffDuration(q: QueuedPodInfo): number {
    let d = this.#initialBackoff;
    for (let i = 1; i < q.attempts; i++) {
      d *= 2;
      if (d > this.#maxBackoff) return this.#maxBackoff;
    }
    return Math.min(d, this.#maxBackoff);
  }

  backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q);
  }

  #isBackingOff(q: QueuedPodInfo): boolean {
    return q.attempts > 0 && this.backoffExpiry(q) > this.#clock.now();
  }

  #toActive(q: QueuedPodInfo): void {
    const w = this.#waiters.shift();
    if (w) { this.#startFlight(q); w(q); return; }
    this.#active.push(q);
  }

  #startFlight(q: QueuedPodInfo): void {
    q.attempts++;
    this.#schedulingCycle++;
    this.#inFlight.set(q.key, { cycle: this.#schedulingCycle, updated: false });
  }

  /** A new unscheduled pod. */
  add(pod: Pod): void {
    const key = podKey(pod);
    if (this.#inFlight.has(key)) { this.#inFlight.get(key)!.updated = true; return; }
    this.#backoff.delete(key);
    this.#unschedulable.delete(key);
    const existing = this.#active.get(key);
    if (existing) { existing.pod = pod; this.#active.push(existing); return; }
    const now = this.#clock.now();
    this.#toActive({ pod, key, timestamp: now, attempts: 0, initialAttemptTimestamp: now, unschedulablePlugins: new Set() });
  }

  /** An update of a pod still waiting: a spec/label change makes an unschedulable pod worth retrying. */
  update(old: Pod | undefined, pod: Pod): void {
    const key = podKey(pod);
    const flight = this.#inFlight.get(key);
    if (flight) { if (!old || isPodUpdated(old, pod)) flight.updated = true; return; }
    const inActive = this.#active.get(key);
    if (inActive) { inActive.pod = pod; return; }
    const inBackoff = this.#backoff.get(key);
    if (inBackoff) { inBackoff.pod = pod; return; }
    const u = this.#unschedulable.get(key);
    if (u) {
      u.pod = pod;
      if (!old || isPodUpdated(old, pod)) {
        this.#unschedulable.delete(key);
        if (this.#isBackingOff(u)) this.#backoff.push(u); else this.#toActive(u);
      }
      return;
    }
    this.add(pod);
  }

  delete(key: string): void {
    this.#active.delete(key);
    this.#backoff.delete(key);
    this.#unschedulable.delete(key);
    this.#inFlight.delete(key);
  }

  /** The next pod by priority; waits when the active queue is empty. Undefined once closed or aborted. */
  pop(signal?: AbortSignal): Promise<QueuedPodInfo | undefined> {
    if (this.#closed || signal?.aborted) return Promise.resolve(undefined);
    const q = this.#active.pop();
    if (q) { this.#startFlight(q); return Promise.resolve(q); }
    return new Promise((resolve) => {
      const waiter = (v: QueuedPodInfo | undefined) => { signal?.removeEventListener('abort', onAbort); resolve(v); };
      const onAbort = () => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        resolve(undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** The scheduling attempt of `key` ended (bound, or requeued). */
  done(key: string): void {
    this.#inFlight.delete(key);
  }

  /**
   * A failed attempt: to backoffQ when a move request or an update arrived during it (the
   * cluster may have changed), or when it failed with an internal error; otherwise to
   * unschedulablePods until a relevant event.
   */
  addUnschedulable(q: QueuedPodInfo, opts: { error?: boolean } = {}): void {
    const flight = this.#inFlight.get(q.key);
    this.#inFlight.delete(q.key);
    if (this.#active.has(q.key) || this.#backoff.has(q.key) || this.#unschedulable.has(q.key)) return;
    q.timestamp = this.#clock.now();
    const moved = flight !== undefined && (flight.updated || this.#moveRequestCycle >= flight.cycle);
    if (opts.error || moved) this.#backoff.push(q);
    else this.#unschedulable.set(q.key, q);
  }

  /** A cluster event: retry the unschedulable pods that a plugin registered for it rejected. */
  moveAllToActiveOrBackoff(event: ClusterEvent): void {
    // Deleting the entry being visited is safe while iterating a Map; nothing else changes it here.
    for (const [key, q] of this.#unschedulable) {
      if (!this.#relevant(q, event)) continue;
      this.#unschedulable.delete(key);
      if (this.#isBackingOff(q)) this.#backoff.push(q); else this.#toActive(q);
    }
    this.#moveRequestCycle = this.#schedulingCycle;
  }

  #relevant(q: QueuedPodInfo, event: ClusterEvent): boolean {
    if (event === 'ForceActivate' || q.unschedulablePlugins.size === 0) return true;
    for (const p of q.unschedulablePlugins) if (this.#pluginEvents.get(p)?.has(event) ?? true) return true;
    return false;
  }

  /** Moves pods whose backoff has expired to activeQ; returns ms until the next expiry (Infinity if none). */
  flushBackoffCompleted(): number {
    const now = this.#clock.now();
    for (let q = this.#backoff.peek(); q; q = this.#backoff.peek()) {
      const at = this.backoffExpiry(q);
      if (at > now) return at - now;
      this.#backoff.pop();
      this.#toActive(q);
    }
    return Infinity;
  }

  /** Pods unschedulable for longer than the limit go back to active/backoff. */
  flushUnschedulableLeftover(): void {
    const now = this.#clock.now();
    for (const [key, q] of [...this.#unschedulable]) {
      if (now - q.timestamp < this.#maxInUnschedulable) continue;
      this.#unschedulable.delete(key);
      if (this.#isBackingOff(q)) this.#backoff.push(q); else this.#toActive(q);
    }
  }

  /** Flushes backoffQ (at most every second, sooner when a backoff ends) and the 5-minute leftovers every 30 s. */
  async run(signal: AbortSignal, delay: (ms: number, signal: AbortSignal) => Promise<void> = sleep): Promise<void> {
    let lastLeftover = this.#clock.now();
    try {
      while (!signal.aborted) {
        const next = this.flushBackoffCompleted();
        if (this.#clock.now() - lastLeftover >= 30_000) { this.flushUnschedulableLeftover(); lastLeftover = this.#clock.now(); }
        await delay(Math.max(10, Math.min(1000, next)), signal);
      }
    } catch (err) {
      if (!isAbort(err, signal)) throw err;
    } finally {
      this.close();
    }
  }

  close(): void {
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w(undefined);
  }

  /** Counts per sub-queue (metrics, tests). */
  stats(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return { active: this.#active.size, backoff: this.#backoff.size, unschedulable: this.#unschedulable.size, inFlight: this.#inFlight.size };
  }

  has(key: string): 'active' | 'backoff' | 'unschedulable' | undefined {
    if (this.#active.has(key)) return 'active';
    if (this.#backoff.has(key)) return 'backoff';
    if (this.#unschedulable.has(key)) return 'unschedulable';
    return undefined;
  }
}

/** isPodUpdated: anything but status, resourceVersion, generation and managedFields changed. */
export function isPodUpdated(old: Pod, pod: Pod): boolean {
  const strip = (p: Pod) => {
    const { resourceVersion: _r, generation: _g, managedFields: _m, ...meta } = p.metadata ?? {};
    return JSON.stringify({ metadata: meta, spec: p.spec });
  };
  return strip(old) !== strip(pod);
}
