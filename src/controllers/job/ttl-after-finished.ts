import { jobs, type JobObject } from '../../api/resources/index.js';
import { isNotFound } from '../../api/errors.js';
import type { Controller } from '../../client/run-controller.js';
import type { Key } from '../../client/work-queue.js';
import { keyOf, splitKey } from '../../client/object-key.js';
import type { ControllerDeps } from '../controller-deps.js';
import { isJobFinished } from './job-state.js';

/** When a finished Job with ttlSecondsAfterFinished expires (ms since epoch), else undefined. */
export function jobExpiresAt(job: JobObject): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl == null || job.metadata.deletionTimestamp || !isJobFinished(job)) return undefined;
  const done = job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  const at = done?.lastTransitionTime ? Date.parse(done.lastTransitionTime) : NaN;
  if (Number.isNaN(at)) return undefined;
  return at + ttl * 1000;
}

/**
 * The TTL-after-finished controller (pkg/controller/ttlafterfinished): deletes a finished Job
 * `ttlSecondsAfterFinished` after its Complete/Failed transition, foreground-cascading to its
 * pods with a uid precondition, after re-checking the TTL on a live read.
 */
export function ttlAfterFinishedController(deps: ControllerDeps): Controller {
  const { client, informers, queue, clock } = deps;
  const log = deps.log.child({ controller: 'ttl-after-finished' });
  const jobCache = informers.for(jobs);
  jobCache.onAdd((j) => { if (jobExpiresAt(j) !== undefined) queue.add(keyOf(j)); });
  jobCache.onUpdate((_old, j) => { if (jobExpiresAt(j) !== undefined) queue.add(keyOf(j)); });

  /** Requeues at expiry and returns false, or returns true when expired now. */
  function expired(key: Key, job: JobObject): boolean {
    const at = jobExpiresAt(job);
    if (at === undefined) return false;
    const left = at - clock.now();
    if (left > 0) { queue.addAfter(key, left); return false; }
    return true;
  }

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    const cached = jobCache.get(key);
    if (!cached || !expired(key, cached)) return;
    const { namespace, name } = splitKey(key);
    let fresh: JobObject;
    try {
      fresh = await client.get(jobs, namespace, name, { signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!expired(key, fresh)) return;
    log.debug('cleaning up Job', { key });
    try {
      await client.delete(jobs, namespace, name, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid ?? '' }, signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }

  return { name: 'ttl-after-finished', queue, informers: [jobCache], sync, workers: 5 };
}
