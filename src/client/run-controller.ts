import { isConflict } from '../api/errors.js';
import { isAbort } from '../base/async.js';
import type { Logger } from '../base/log.js';
import type { Key, WorkQueue } from './work-queue.js';

/** What the runner needs from a controller's informers. */
export interface SyncSource {
  hasSynced(): boolean;
  waitForSync(signal: AbortSignal): Promise<void>;
}

/**
 * A controller is a record, not a class (STYLE.md §2a): its informers, and `sync(key)`, which
 * converges one object and returns, throwing when a retry may help.
 */
export interface Controller {
  readonly name: string;
  readonly informers: readonly SyncSource[];
  readonly queue: WorkQueue;
  sync(key: Key, signal: AbortSignal): Promise<void>;
  /** Concurrent workers (kube-controller-manager's --concurrent-*-syncs). Default 1. */
  readonly workers?: number;
}

export interface RunControllerOptions {
  log: Logger;
  /** Overrides the controller's own worker count. */
  workers?: number;
  /** Called after each sync (metrics, tests). */
  onSynced?(key: Key, ms: number, err?: unknown): void;
}

/**
 * THE worker loop, once for every controller: wait for the caches, start N workers, forget
 * on success, requeue with backoff on error (a 409 Conflict quietly), shut the queue down
 * when `signal` aborts and resolve when the workers have drained.
 */
export async function runController(controller: Controller, signal: AbortSignal, opts: RunControllerOptions): Promise<void> {
  const log = opts.log.child({ controller: controller.name });
  const { queue } = controller;
  const stop = () => { void queue.shutDown(); };
  signal.addEventListener('abort', stop, { once: true });
  try {
    try {
      await Promise.all(controller.informers.map((i) => i.waitForSync(signal)));
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    log.info('caches synced, starting workers');
    const n = Math.max(1, opts.workers ?? controller.workers ?? 1);
    await Promise.all(Array.from({ length: n }, () => worker()));
  } finally {
    signal.removeEventListener('abort', stop);
    await queue.shutDown();
    log.info('stopped');
  }

  async function worker(): Promise<void> {
    for (;;) {
      const key = await queue.get(signal);
      if (key === undefined) return;
      const started = performance.now();
      let failure: unknown;
      try {
        await controller.sync(key, signal);
        queue.forget(key);
      } catch (err) {
        failure = err;
        if (signal.aborted && isAbort(err, signal)) {
          // shutting down: drop the key quietly
        } else if (isConflict(err)) {
          log.debug('conflict, requeuing', { key });
          queue.addRateLimited(key);
        } else {
          log.warn('sync failed, requeuing', { key, err, retries: queue.numRequeues(key) });
          queue.addRateLimited(key);
        }
      } finally {
        queue.done(key);
        opts.onSynced?.(key, performance.now() - started, failure);
      }
    }
  }
}
