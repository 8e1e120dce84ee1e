/** Image pulls per imagePullPolicy through the CRI, with ErrImagePull → ImagePullBackOff. */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../base/index.js';
import { Backoff } from './backoff.js';
import { CriError, type CriClient } from './cri/client.js';
import { defaultPullPolicy } from './images/reference.js';
import type { WaitingReason } from './status.js';

export interface PulledImage { imageRef: string }

export interface ImagePuller {
  /** The image to run for `c`, or the waiting reason that holds the container back. */
  ensure(pod: Pod, c: Container, signal?: AbortSignal): Promise<PulledImage | WaitingReason>;
}

export function createImagePuller(cri: CriClient, clock: Clock, backoff = new Backoff(clock)): ImagePuller {
  const failedAt = new Map<string, number>();
  return {
    async ensure(pod, c, signal) {
      const image = c.image ?? '';
      const policy = c.imagePullPolicy ?? defaultPullPolicy(image);
      const present = (await cri.image.imageStatus({ image: { image } }, { signal })).image?.id;
      if (policy === 'Never') {
        return present ? { imageRef: present } : { reason: 'ErrImageNeverPull', message: `Container image "${image}" is not present with pull policy of Never` };
      }
      if (policy === 'IfNotPresent' && present) return { imageRef: present };
      const key = `${pod.metadata?.uid}/${image}`;
      const since = failedAt.get(key);
      if (since !== undefined && backoff.isInBackOffSince(key, since)) {
        return { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` };
      }
      try {
        const res = await cri.image.pullImage({ image: { image }, sandboxConfig: undefined }, { signal });
        failedAt.delete(key);
        backoff.reset(key);
        return { imageRef: res.imageRef || present || image };
      } catch (err) {
        if (signal?.aborted) throw err;
        backoff.next(key);
        failedAt.set(key, clock.now());
        const detail = err instanceof CriError ? err.details : (err as Error).message;
        return { reason: 'ErrImagePull', message: detail };
      }
    },
  };
}

export function isWaiting(r: PulledImage | WaitingReason): r is WaitingReason {
  return 'reason' in r;
}
