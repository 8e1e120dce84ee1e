/**
 * slowStartBatch: runs `fn` `count` times in batches of 1, 2, 4, … so that a failing call
 * (quota, admission) fails fast instead of `count` times. Stops after the first batch with a
 * failure; returns how many calls succeeded and the first error.
 */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: (i: number) => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  let batch = Math.min(remaining, initialBatchSize);
  let index = 0;
  while (batch > 0) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn(index++)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes, error: failed.reason };
    remaining -= batch;
    batch = Math.min(remaining, 2 * batch);
  }
  return { successes };
}

/** Upstream's SlowStartInitialBatchSize. */
export const slowStartInitialBatchSize = 1;
