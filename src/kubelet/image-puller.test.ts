import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../base/clock.js';
import { CriError, type CriClient } from './cri/client.js';
import { createImagePuller, isWaiting } from './image-puller.js';

const pod: Pod = { metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [] } };

/** A CRI image service: `present` images have an id; pulls take `pullMs` of fake time or fail. */
function fakeCri(clock: FakeClock, present: Set<string>, pull: { ms: number; fail?: string }) {
  return {
    image: {
      imageStatus: async ({ image }: { image: { image: string } }) => (present.has(image.image) ? { image: { id: `sha256:${image.image}`, size: 1234 } } : {}),
      pullImage: async ({ image }: { image: { image: string } }) => {
        clock.advance(pull.ms);
        if (pull.fail) throw new CriError('PullImage', 2, pull.fail);
        present.add(image.image);
        return { imageRef: `sha256:${image.image}` };
      },
    },
  } as unknown as CriClient;
}

function recorder() {
  const events: string[] = [];
  return { events, sink: (_p: Pod, type: string, reason: string, message: string) => { events.push(`${type} ${reason} ${message}`); } };
}

test('a pulled image: Pulling, then Pulled with the time as a Go duration truncated to ms and the size', async () => {
  const clock = new FakeClock(0);
  const { events, sink } = recorder();
  const got = await createImagePuller(fakeCri(clock, new Set(), { ms: 1234.9 }), clock).ensure(pod, { name: 'c', image: 'nginx' }, undefined, sink);
  assert.equal(isWaiting(got), false);
  assert.deepEqual(events, [
    'Normal Pulling Pulling image "nginx"',
    'Normal Pulled Successfully pulled image "nginx" in 1.234s (1.234s including waiting). Image size: 1234 bytes.',
  ]);
});

test('a present image with IfNotPresent: "already present on machine", no pull', async () => {
  const clock = new FakeClock(0);
  const { events, sink } = recorder();
  await createImagePuller(fakeCri(clock, new Set(['nginx:1.20.1']), { ms: 0, fail: 'must not pull' }), clock)
    .ensure(pod, { name: 'c', image: 'nginx:1.20.1' }, undefined, sink);
  assert.deepEqual(events, ['Normal Pulled Container image "nginx:1.20.1" already present on machine']);
});

test('a failed pull: Failed with the error, then ErrImagePull; the next try inside the back-off is ImagePullBackOff', async () => {
  const clock = new FakeClock(0);
  const { events, sink } = recorder();
  const puller = createImagePuller(fakeCri(clock, new Set(), { ms: 5, fail: 'not found' }), clock);
  const first = await puller.ensure(pod, { name: 'c', image: 'nope:1' }, undefined, sink);
  assert.ok(isWaiting(first) && first.reason === 'ErrImagePull');
  const second = await puller.ensure(pod, { name: 'c', image: 'nope:1' }, undefined, sink);
  assert.ok(isWaiting(second) && second.reason === 'ImagePullBackOff');
  assert.deepEqual(events, [
    'Normal Pulling Pulling image "nope:1"',
    'Warning Failed Failed to pull image "nope:1": not found',
    'Warning Failed Error: ErrImagePull',
    'Normal BackOff Back-off pulling image "nope:1"',
    'Warning Failed Error: ImagePullBackOff',
  ]);
});

test('Never and absent: ErrImageNeverPull', async () => {
  const clock = new FakeClock(0);
  const { events, sink } = recorder();
  const got = await createImagePuller(fakeCri(clock, new Set(), { ms: 0 }), clock).ensure(pod, { name: 'c', image: 'x:1', imagePullPolicy: 'Never' }, undefined, sink);
  assert.ok(isWaiting(got) && got.reason === 'ErrImageNeverPull');
  assert.deepEqual(events, ['Warning ErrImageNeverPull Container image "x:1" is not present with pull policy of Never', 'Warning Failed Error: ErrImageNeverPull']);
});
