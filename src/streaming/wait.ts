import { sleep } from '../base/async.js';

/** Waits for `promise`, or `ms` at most; true when the promise settled in time. */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  try {
    return await Promise.race([
      promise.then(() => true, () => true),
      sleep(ms, timer.signal).then(() => false),
    ]);
  } finally {
    timer.abort();
  }
}
