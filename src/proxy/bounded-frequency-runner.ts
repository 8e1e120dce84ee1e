import type { Clock } from '../base/clock.js';
import { systemClock } from '../base/clock.js';
import { deferred, isAbort, sleep } from '../base/async.js';
import type { Deferred } from '../base/async.js';
import type { Logger } from '../base/log.js';

export interface BoundedFrequencyRunnerOptions {
  /** The work; it should not throw (it reports failure with `retryAfter`), but a throw is logged and retried. */
  fn(signal: AbortSignal): Promise<void>;
  /** At least this long between runs once the burst is spent. */
  minIntervalMs: number;
  /** Run at least this often even without triggers (periodic resync). */
  maxIntervalMs: number;
  /** Runs allowed back to back before minIntervalMs applies (token bucket size). Default 2. */
  burst?: number;
  /** Delay before retrying a run that threw. Default maxIntervalMs. */
  retryMs?: number;
  clock?: Clock;
  log: Logger;
}

export interface BoundedFrequencyRunner {
  /** Asks for a run soon; calls between two runs coalesce into one. */
  trigger(): void;
  /** Asks for a run no later than `ms` from now (after a failure). */
  retryAfter(ms: number): void;
  /** Runs until `signal` aborts; resolves when the current run has finished. */
  run(signal: AbortSignal): Promise<void>;
}

/**
 * kube-proxy's BoundedFrequencyRunner: event handlers call `trigger()`, and the function runs
 * once per burst of triggers, at most `burst` times in quick succession and then no more than
 * once per `minIntervalMs`, and at least once per `maxIntervalMs`.
 */
export function boundedFrequencyRunner(opts: BoundedFrequencyRunnerOptions): BoundedFrequencyRunner {
  const clock = opts.clock ?? systemClock;
  const burst = Math.max(1, opts.burst ?? 2);
  let pending = false;
  let retryAt = Infinity;
  let wake: Deferred<void> = deferred();

  const poke = () => wake.resolve();

  /** Waits `ms` or until poked (when `pokable`), or the signal aborts. */
  async function wait(ms: number, signal: AbortSignal, pokable: boolean): Promise<void> {
    if (ms <= 0) return;
    const timer = new AbortController();
    const onAbort = () => timer.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const slept = sleep(ms, timer.signal).catch((err: unknown) => { if (!isAbort(err, timer.signal)) throw err; });
      await (pokable ? Promise.race([slept, wake.promise]) : slept);
    } finally {
      signal.removeEventListener('abort', onAbort);
      timer.abort();
    }
  }

  return {
    trigger() { pending = true; poke(); },
    retryAfter(ms) { retryAt = Math.min(retryAt, clock.now() + ms); poke(); },
    async run(signal) {
      let tokens = burst;
      let refilledAt = clock.now();
      let nextPeriodic = clock.now() + opts.maxIntervalMs;
      const onAbort = () => poke();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        while (!signal.aborted) {
          const now = clock.now();
          if (!pending && now < retryAt && now < nextPeriodic) {
            wake = deferred();
            if (pending || signal.aborted) continue;
            await wait(Math.min(retryAt, nextPeriodic) - now, signal, true);
            continue;
          }
          // Token bucket: refills at one token per minIntervalMs, holds at most `burst`.
          tokens = Math.min(burst, tokens + (now - refilledAt) / opts.minIntervalMs);
          refilledAt = now;
          if (tokens < 1) { await wait(Math.ceil((1 - tokens) * opts.minIntervalMs), signal, false); continue; }
          tokens -= 1;
          pending = false;
          retryAt = Infinity;
          nextPeriodic = now + opts.maxIntervalMs;
          try {
            await opts.fn(signal);
          } catch (err) {
            if (signal.aborted) return;
            opts.log.error('sync failed', { err });
            retryAt = Math.min(retryAt, clock.now() + (opts.retryMs ?? opts.maxIntervalMs));
          }
        }
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
  };
}
