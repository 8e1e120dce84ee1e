import { sleep, isAbort } from '../base/async.js';
import type { Clock } from '../base/clock.js';
import { systemClock } from '../base/clock.js';

/** A queue key: `namespace/name`, or `name` for cluster-scoped objects. */
export type Key = string;

/** Per-item exponential backoff plus an overall token bucket, as client-go's default controller rate limiter. */
export interface RateLimiter {
  /** Delay before `key` may be retried; counts one more failure for it. */
  when(key: Key): number;
  forget(key: Key): void;
  failures(key: Key): number;
}

export interface RateLimiterOptions {
  /** First per-item delay (ms). Default 5. */
  baseDelayMs?: number;
  /** Cap of the per-item delay (ms). Default 1000 s. */
  maxDelayMs?: number;
  /** Overall bucket refill rate. Default 10 per second. */
  qps?: number;
  /** Overall bucket size. Default 100. */
  burst?: number;
  clock?: Clock;
}

/** `max(itemExponential(5ms → 1000s), bucket(10 qps, burst 100))` — client-go's DefaultControllerRateLimiter. */
export function defaultRateLimiter(opts: RateLimiterOptions = {}): RateLimiter {
  const base = opts.baseDelayMs ?? 5;
  const max = opts.maxDelayMs ?? 1_000_000;
  const qps = opts.qps ?? 10;
  const burst = opts.burst ?? 100;
  const clock = opts.clock ?? systemClock;
  const failures = new Map<Key, number>();
  let tokens = burst;
  let last = clock.now();

  function bucketDelay(): number {
    const now = clock.now();
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * qps);
    last = now;
    tokens -= 1; // reserve a token now; a negative balance is time owed
    return tokens >= 0 ? 0 : Math.ceil((-tokens / qps) * 1000);
  }

  return {
    when(key) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      const item = Math.min(max, base * 2 ** n);
      return Math.max(item, bucketDelay());
    },
    forget(key) { failures.delete(key); },
    failures(key) { return failures.get(key) ?? 0; },
  };
}

export interface WorkQueueOptions {
  rateLimiter?: RateLimiter;
  clock?: Clock;
  /** Delay function, replaceable in tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * A de-duplicating work queue of keys, as client-go's rate-limiting workqueue: a key waits at
 * most once however often it is added; a key being processed is never handed to a second
 * worker (adds while processing are kept and re-queued on `done`).
 */
export interface WorkQueue {
  add(key: Key): void;
  /** Adds `key` after `ms`; the earliest pending time wins. */
  addAfter(key: Key, ms: number): void;
  /** Adds `key` after its rate-limited backoff. */
  addRateLimited(key: Key): void;
  /** Stops backoff tracking for `key` (call after a successful sync). */
  forget(key: Key): void;
  /** Failures counted for `key` since its last forget. */
  numRequeues(key: Key): number;
  /** Waits for the next key; undefined once shut down (or `signal` aborts). */
  get(signal?: AbortSignal): Promise<Key | undefined>;
  /** Marks `key` processed; re-queues it when it was added meanwhile. */
  done(key: Key): void;
  /** Keys waiting now (not delayed, not processing). */
  len(): number;
  /** Stops handing out keys; resolves when no key is being processed and timers have ended. */
  shutDown(): Promise<void>;
  isShuttingDown(): boolean;
}

export function workQueue(opts: WorkQueueOptions = {}): WorkQueue {
  const clock = opts.clock ?? systemClock;
  const limiter = opts.rateLimiter ?? defaultRateLimiter({ clock });
  const delay = opts.sleep ?? sleep;
  const queue: Key[] = [];
  let head = 0;
  const dirty = new Set<Key>();
  const processing = new Set<Key>();
  // Workers waiting in get(), oldest first. Each signal gets one abort listener for all of its
  // waiters, added once: not one listener added and removed per item a worker takes.
  const waiters: { resolve: (k: Key | undefined) => void; signal?: AbortSignal }[] = [];
  const watchedSignals = new WeakSet<AbortSignal>();
  const delayed = new Map<Key, number>();
  const stop = new AbortController();
  let shuttingDown = false;
  let wake: AbortController | undefined;
  let timerLoop: Promise<void> | undefined;
  let timerRunning = false;
  let idle: (() => void) | undefined;

  function push(key: Key): void {
    const w = waiters.shift();
    if (w) { dirty.delete(key); processing.add(key); w.resolve(key); return; }
    queue.push(key);
  }

  function add(key: Key): void {
    if (shuttingDown || dirty.has(key)) return;
    dirty.add(key);
    if (processing.has(key)) return;
    push(key);
  }

  async function runTimers(): Promise<void> {
    while (!shuttingDown) {
      const now = clock.now();
      let next = Infinity;
      for (const [key, at] of delayed) {
        if (at <= now) { delayed.delete(key); add(key); } else next = Math.min(next, at);
      }
      if (delayed.size === 0) break;
      wake = new AbortController();
      const signal = AbortSignal.any([stop.signal, wake.signal]);
      try {
        await delay(Math.max(1, next - now), signal);
      } catch (err) {
        if (!isAbort(err, signal) && !signal.aborted) throw err;
      }
    }
    timerRunning = false;
  }

  function addAfter(key: Key, ms: number): void {
    if (shuttingDown) return;
    if (ms <= 0) return add(key);
    const at = clock.now() + ms;
    const current = delayed.get(key);
    if (current !== undefined && current <= at) return;
    delayed.set(key, at);
    if (timerRunning) wake?.abort();
    else { timerRunning = true; timerLoop = runTimers(); }
  }

  return {
    add,
    addAfter,
    addRateLimited(key) { addAfter(key, limiter.when(key)); },
    forget(key) { limiter.forget(key); },
    numRequeues(key) { return limiter.failures(key); },
    get(signal) {
      if (shuttingDown || signal?.aborted) return Promise.resolve(undefined);
      if (head < queue.length) {
        const key = queue[head++]!;
        if (head > 1024 && head * 2 > queue.length) { queue.splice(0, head); head = 0; }
        dirty.delete(key);
        processing.add(key);
        return Promise.resolve(key);
      }
      return new Promise((resolve) => {
        waiters.push({ resolve, signal });
        if (!signal || watchedSignals.has(signal)) return;
        watchedSignals.add(signal);
        signal.addEventListener('abort', () => {
          for (let i = waiters.length - 1; i >= 0; i--) {
            if (waiters[i]!.signal === signal) waiters.splice(i, 1)[0]!.resolve(undefined);
          }
        }, { once: true });
      });
    },
    done(key) {
      processing.delete(key);
      if (dirty.has(key) && !shuttingDown) push(key);
      if (shuttingDown && processing.size === 0) idle?.();
    },
    len() { return queue.length - head; },
    async shutDown() {
      if (!shuttingDown) {
        shuttingDown = true;
        stop.abort();
        for (const w of waiters.splice(0)) w.resolve(undefined);
      }
      await timerLoop;
      if (processing.size > 0) await new Promise<void>((resolve) => { idle = resolve; });
    },
    isShuttingDown() { return shuttingDown; },
  };
}
