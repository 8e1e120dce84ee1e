/**
 * Per-key exponential back-off as the kubelet uses it for CrashLoopBackOff and
 * ImagePullBackOff: 10 s doubling up to 5 min; an entry untouched for twice the maximum
 * (10 min, i.e. the container ran that long) starts again from 10 s.
 */
import type { Clock } from '../base/index.js';
import { formatDuration as formatGoDuration } from '../api/protobuf/go-json.js';

export interface BackoffOptions { initialMs?: number; maxMs?: number }

interface Entry { durationMs: number; lastUpdate: number }

export class Backoff {
  readonly #entries = new Map<string, Entry>();
  readonly #initial: number;
  readonly #max: number;
  constructor(readonly clock: Clock, opts: BackoffOptions = {}) {
    this.#initial = opts.initialMs ?? 10_000;
    this.#max = opts.maxMs ?? 300_000;
  }

  #live(key: string, now: number): Entry | undefined {
    const e = this.#entries.get(key);
    if (e && now - e.lastUpdate > 2 * this.#max) {
      this.#entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** The current delay for `key` (0 when none). */
  get(key: string): number {
    return this.#live(key, this.clock.now())?.durationMs ?? 0;
  }

  /** Records another failure: the first gets the initial delay, then it doubles up to the maximum. */
  next(key: string): number {
    const now = this.clock.now();
    const e = this.#live(key, now);
    const durationMs = e ? Math.min(e.durationMs * 2, this.#max) : this.#initial;
    this.#entries.set(key, { durationMs, lastUpdate: now });
    return durationMs;
  }

  /** True while `since + current delay` lies in the future (e.g. since = when the container died). */
  isInBackOffSince(key: string, since: number): boolean {
    const now = this.clock.now();
    const e = this.#live(key, now);
    if (!e) return false;
    return now - since < e.durationMs;
  }

  /** Milliseconds left before `key` may be retried (0 when it may now). */
  remaining(key: string, since: number): number {
    const e = this.#live(key, this.clock.now());
    return e ? Math.max(0, since + e.durationMs - this.clock.now()) : 0;
  }

  reset(key: string): void {
    this.#entries.delete(key);
  }

  /** Drops entries of keys starting with `prefix` (a removed pod). */
  forgetPrefix(prefix: string): void {
    for (const k of this.#entries.keys()) if (k.startsWith(prefix)) this.#entries.delete(k);
  }
}

/** Go's time.Duration formatting of whole seconds, as in "back-off 5m0s restarting …". */
export function formatDuration(ms: number): string {
  return formatGoDuration(BigInt(Math.round(ms / 1000)) * 1_000_000_000n);
}
