/** Image pulls per imagePullPolicy through the CRI, with ErrImagePull → ImagePullBackOff. */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../base/index.js';
import { Backoff } from './backoff.js';
import { CriError, type CriClient } from './cri/client.js';
import { defaultPullPolicy } from './images/reference.js';
import type { WaitingReason } from './status.js';
import { formatDuration } from '../api/protobuf/go-json.js';

export interface PulledImage { imageRef: string }

/** Records an Event about the pod, as the kubelet's recorder does. */
export type PodEventSink = (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string) => void;

export interface ImagePuller {
  /**
   * The image to run for `c`, or the waiting reason that holds the container back; the
   * kubelet's image events (Pulling, Pulled, Failed, BackOff, ErrImageNeverPull) go to `event`.
   */
  ensure(pod: Pod, c: Container, signal?: AbortSignal, event?: PodEventSink): Promise<PulledImage | WaitingReason>;
}


export function createImagePuller(cri: CriClient, clock: Clock, backoff = new Backoff(clock)): ImagePuller {
  const failedAt = new Map<string, number>();
  return {
    async ensure(pod, c, signal, event = () => undefined) {
      const image = c.image ?? '';
      const policy = c.imagePullPolicy ?? defaultPullPolicy(image);
      const present = (await cri.image.imageStatus({ image: { image } }, { signal })).image?.id;
      if (policy === 'Never' || (policy === 'IfNotPresent' && present)) {
        if (present) {
          event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
          return { imageRef: present };
        }
        const message = `Container image "${image}" is not present with pull policy of Never`;
        event(pod, 'Warning', 'ErrImageNeverPull', message);
        event(pod, 'Warning', 'Failed', 'Error: ErrImageNeverPull');
        return { reason: 'ErrImageNeverPull', message };
      }
      const key = `${pod.metadata?.uid}/${image}`;
      const since = failedAt.get(key);
      if (since !== undefined && backoff.isInBackOffSince(key, since)) {
        event(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
        event(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff');
        return { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` };
      }
      event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
      const started = clock.now();
      try {
        const res = await cri.image.pullImage({ image: { image }, sandboxConfig: undefined }, { signal });
        failedAt.delete(key);
        backoff.reset(key);
        // As the kubelet: the pull time truncated to milliseconds, printed as a Go duration.
        const took = formatDuration(BigInt(Math.floor(clock.now() - started)) * 1_000_000n);
        const size = (await cri.image.imageStatus({ image: { image } }, { signal }).catch(() => undefined))?.image?.size;
        event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting)${size ? `. Image size: ${size} bytes.` : ''}`);
        return { imageRef: res.imageRef || present || image };
      } catch (err) {
        if (signal?.aborted) throw err;
        backoff.next(key);
        failedAt.set(key, clock.now());
        const detail = err instanceof CriError ? err.details : (err as Error).message;
        event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${detail}`);
        event(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
        return { reason: 'ErrImagePull', message: detail };
      }
    },
  };
}

export function isWaiting(r: PulledImage | WaitingReason): r is WaitingReason {
  return 'reason' in r;
}
