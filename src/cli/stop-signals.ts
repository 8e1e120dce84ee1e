import type { Logger } from '../base/log.js';

/**
 * SIGTERM/SIGINT as the long-running commands handle them: the first aborts the returned
 * signal (a graceful stop), a second exits at once, and a stop still running after
 * `watchdogMs` exits with `watchdogCode` so a stuck shutdown never holds the node's ports and
 * files.
 */
export function stopOnSignals(log: Logger, opts: { watchdogMs: number; watchdogCode?: number }): AbortSignal {
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      log.warn('second signal: exiting now', { signal: sig });
      process.exit(1);
    }
    log.info('received signal, stopping', { signal: sig });
    stop.abort();
    setTimeout(() => {
      log.warn(`still stopping after ${opts.watchdogMs / 1000} s: exiting`);
      process.exit(opts.watchdogCode ?? 1);
    }, opts.watchdogMs).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return stop.signal;
}
