import { isAbort, silentLogger, sleep as realSleep, type Clock, type Logger } from '../base/index.js';
import type { Store } from './store.js';

export interface CompactorOptions {
  store: Store;
  clock: Clock;
  log?: Logger;
  /** History kept: revisions newer than this many ms are never compacted (default 5 min). */
  windowMs?: number;
  /** How often to look (default: the window, as kube-apiserver compacts every 5 minutes). */
  intervalMs?: number;
  /** Injected for tests; defaults to base `sleep`. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface Compactor {
  run(signal: AbortSignal): Promise<void>;
}

/**
 * Periodic compaction keeping a time window of history, like kube-apiserver's compactor: every
 * interval it notes the store's current revision with the time, and compacts at the newest noted
 * revision that is older than the window. A watch can therefore resume from any revision written
 * within the window. Failures are logged and retried at the next interval.
 */
export function compactor(options: CompactorOptions): Compactor {
  const { store, clock } = options;
  const log = options.log ?? silentLogger;
  const windowMs = options.windowMs ?? 5 * 60_000;
  const intervalMs = options.intervalMs ?? windowMs;
  const sleep = options.sleep ?? realSleep;
  if (windowMs <= 0 || intervalMs <= 0) throw new Error('compactor: window and interval must be positive');

  async function run(signal: AbortSignal): Promise<void> {
    const samples: { at: number; revision: number }[] = [];
    let compacted = 0;
    while (!signal.aborted) {
      try {
        samples.push({ at: clock.now(), revision: await store.currentRevision() });
        const cutoff = clock.now() - windowMs;
        let target: number | undefined;
        while (samples.length > 0 && samples[0]!.at <= cutoff) target = samples.shift()!.revision;
        if (target !== undefined && target > compacted) {
          await store.compact(target);
          compacted = target;
          log.info('compacted', { revision: target });
        }
      } catch (err) {
        if (isAbort(err, signal)) return;
        log.warn('compaction failed', { err });
      }
      try {
        await sleep(intervalMs, signal);
      } catch (err) {
        if (isAbort(err, signal)) return;
        throw err;
      }
    }
  }
  return { run };
}
