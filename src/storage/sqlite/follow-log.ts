import type { StoreEvent } from '../store.js';
import type { Notifier } from './notifier.js';

/** What a watch of the log reads: pages of the table, and the committed events after them. */
export interface LogSource {
  /**
   * Events under `prefix` after revision `pos`, at most `limit`, in revision order; throws
   * CompactedError when `pos` is older than the history. May answer later (a store in a worker):
   * the caller subscribes in the same step as the answer arrives, so nothing falls in between.
   */
  replay(prefix: string, pos: number, limit: number): StoreEvent[] | Promise<StoreEvent[]>;
  readonly notifier: Notifier;
  readonly pageSize: number;
  readonly maxQueued: number;
  assertOpen(): void;
}

/**
 * Replays the table after `fromRevision`, then follows the notifier. The switch is exact: the
 * replay that finds no more rows and the subscription happen without a commit between them, so
 * the first live event is the first write after the last replayed row. A watcher that falls
 * behind (queue overflow) switches back to the table from its last delivered revision.
 */
export async function* followLog(log: LogSource, prefix: string, fromRevision: number, signal: AbortSignal): AsyncGenerator<StoreEvent> {
  log.assertOpen();
  let pos = fromRevision;
  while (!signal.aborted) {
    log.assertOpen();
    const page = log.replay(prefix, pos, log.pageSize);
    const events = Array.isArray(page) ? page : await page;
    const sub = events.length < log.pageSize ? log.notifier.subscribe(prefix, log.maxQueued) : undefined;
    try {
      for (const ev of events) {
        if (signal.aborted) return;
        yield ev;
        pos = ev.revision;
      }
      if (!sub) continue;
      for (;;) {
        let delivery;
        try {
          delivery = await sub.next(signal);
        } catch (err) {
          if (signal.aborted) return;
          throw err;
        }
        if ('overflowed' in delivery) break;
        for (const ev of delivery.events) {
          if (signal.aborted) return;
          // The replay may already have read rows committed but not yet synced (published).
          if (ev.revision <= pos) continue;
          yield ev;
          pos = ev.revision;
        }
      }
    } finally {
      sub?.close();
    }
  }
}
