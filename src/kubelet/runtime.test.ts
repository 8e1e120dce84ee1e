/**
 * Integration: the pod worker against a real containerd (temporary data dir, CNI bridge on a
 * test pod CIDR), with an image built offline from a static C program.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { silentLogger, sleep, systemClock } from '../base/index.js';
import { startContainerd, type ContainerdFixture } from '../../test/fixtures/containerd.js';
import { importTestAppImage, testAppImage } from '../../test/fixtures/images.js';
import { createCriClient, type CriClient } from './cri/index.js';
import { nodeRuntimeConfig, podLogDirectory } from './node-config.js';
import { createPodWorker, type PodWorker } from './pod-worker.js';
import type { PodStatus } from 'kubernetes-types/core/v1.js';

let fx: ContainerdFixture | undefined;
let cri: CriClient;
let worker: PodWorker;
let node: ReturnType<typeof nodeRuntimeConfig>;

function makePod(name: string, spec: Pod['spec']): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: randomUUID() }, spec, status: {} };
}

/** Syncs until `done(status)` (or fails after `ms`), feeding each status back as the API would. */
async function syncUntil(pod: Pod, done: (s: PodStatus) => boolean, ms = 20_000): Promise<PodStatus> {
  const deadline = Date.now() + ms;
  for (;;) {
    const { status } = await worker.sync(pod);
    (pod as { status?: PodStatus }).status = status;
    if (done(status)) return status;
    if (Date.now() > deadline) assert.fail(`pod ${pod.metadata?.name} did not converge: ${JSON.stringify(status, null, 1)}`);
    await sleep(100);
  }
}

before(async () => {
  fx = await startContainerd();
  await importTestAppImage(fx.socket, join(fx.dataDir, 'testapp'));
  cri = createCriClient(fx.socket);
  node = nodeRuntimeConfig(fx.dataDir, { nodeName: 'test-node', memoryCapacityBytes: 4 << 30, cgroupRoot: fx.cgroupRoot, hostIP: '127.0.0.1' });
  worker = createPodWorker({ cri, node, clock: systemClock, log: silentLogger });
});

after(async () => {
  cri?.close();
  await fx?.stop();
});

test('a pod runs: init container, then the app; exec, logs, env, hostname and /etc/hosts work', async () => {
  const pod = makePod('web', {
    restartPolicy: 'Always',
    initContainers: [{ name: 'init', image: testAppImage, imagePullPolicy: 'Never', args: ['echo', 'init-done'] }],
    containers: [{
      name: 'app', image: testAppImage, imagePullPolicy: 'IfNotPresent',
      env: [{ name: 'GREETING', value: 'hello' }, { name: 'MSG', value: '$(GREETING) world' }, { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      resources: { limits: { memory: '64Mi', cpu: '500m' } },
    }],
  });
  const started = Date.now();
  const status = await syncUntil(pod, (s) => s.phase === 'Running' && s.containerStatuses?.[0]?.ready === true);
  const createToRunningMs = Date.now() - started;
  assert.ok(createToRunningMs < 20_000);
  assert.equal(status.qosClass, 'Burstable'); // the init container has no limits
  assert.match(status.podIP ?? '', /^10\.42\.\d+\.\d+$/);
  const app = status.containerStatuses![0]!;
  assert.equal(app.restartCount, 0);
  assert.match(app.containerID ?? '', /^containerd:\/\/[0-9a-f]{64}$/);
  assert.ok(app.state?.running?.startedAt);
  assert.equal(status.initContainerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  assert.deepEqual(status.conditions?.map((c) => `${c.type}=${c.status}`),
    ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);

  const id = app.containerID!.replace('containerd://', '');
  const echo = await cri.runtime.execSync({ containerId: id, cmd: ['/testapp', 'echo', 'hi', 'there'], timeout: 10 });
  assert.equal(echo.exitCode, 0);
  assert.equal(echo.stdout?.toString(), 'hi there\n');
  const env = (await cri.runtime.execSync({ containerId: id, cmd: ['/testapp', 'env'], timeout: 10 })).stdout?.toString() ?? '';
  assert.match(env, /^MSG=hello world$/m);
  assert.match(env, /^POD_NAME=web$/m);
  assert.equal((await cri.runtime.execSync({ containerId: id, cmd: ['/testapp', 'hostname'], timeout: 10 })).stdout?.toString(), 'web\n');
  const hosts = (await cri.runtime.execSync({ containerId: id, cmd: ['/testapp', 'cat', '/etc/hosts'], timeout: 10 })).stdout?.toString() ?? '';
  assert.match(hosts, new RegExp(`^${status.podIP!.replace(/\./g, '\\.')}\\tweb$`, 'm'));
  const failing = await cri.runtime.execSync({ containerId: id, cmd: ['/testapp', 'exit', '7'], timeout: 10 });
  assert.equal(failing.exitCode, 7);

  // The memory limit reached the cgroup.
  const cs = await cri.runtime.containerStatus({ containerId: id });
  assert.equal(cs.status?.resources?.linux?.memoryLimitInBytes, 64 * 1024 * 1024);

  const logDir = podLogDirectory(node, { namespace: 'default', name: 'web', uid: pod.metadata!.uid! });
  const appLog = await readFile(join(logDir, 'app', '0.log'), 'utf8');
  assert.match(appLog, /^\S+ stdout F testapp started$/m); // CRI log format
  assert.match(await readFile(join(logDir, 'init', '0.log'), 'utf8'), /stdout F init-done/);

  // A sync with nothing to do changes nothing.
  const again = await worker.sync(pod);
  assert.equal(again.status.containerStatuses?.[0]?.containerID, app.containerID);

  // Changing the image (spec hash) replaces the container in the same sandbox.
  pod.spec!.containers[0]!.args = ['serve'];
  const replaced = await syncUntil(pod, (s) => s.containerStatuses?.[0]?.containerID !== app.containerID && !!s.containerStatuses?.[0]?.state?.running);
  assert.equal(replaced.containerStatuses?.[0]?.restartCount, 1);
  assert.equal(replaced.podIP, status.podIP);

  await worker.terminate(pod, 5);
  const stopped = await worker.status(pod);
  assert.equal(stopped.containerStatuses?.[0]?.state?.terminated?.exitCode, 0); // SIGTERM handled
  await worker.remove(pod.metadata!.uid!);
  const { items = [] } = await cri.runtime.listPodSandbox({ filter: { labelSelector: { 'io.kubernetes.pod.uid': pod.metadata!.uid! } } });
  assert.equal(items.length, 0);
  assert.equal(existsSync(logDir), false);
  process.stderr.write(`# CRI create→running (init + app container, image present): ${createToRunningMs} ms\n`);
});

test('restartPolicy Never: a failing container ends the pod Failed with reason Error and its message', async () => {
  const pod = makePod('fails', {
    restartPolicy: 'Never',
    containers: [{ name: 'job', image: testAppImage, imagePullPolicy: 'Never', args: ['write', '/dev/termination-log', 'boom', '3'] }],
  });
  try {
    const status = await syncUntil(pod, (s) => s.phase === 'Failed');
    const t = status.containerStatuses?.[0]?.state?.terminated;
    assert.equal(t?.exitCode, 3);
    assert.equal(t?.reason, 'Error');
    assert.equal(t?.message, 'boom');
    assert.equal(status.conditions?.find((c) => c.type === 'Ready')?.reason, 'ContainersNotReady');
    // Nothing is restarted on the next syncs.
    const later = await worker.sync(pod);
    assert.equal(later.status.containerStatuses?.[0]?.restartCount, 0);
  } finally {
    await worker.remove(pod.metadata!.uid!);
  }
});

test('restartPolicy Always: a crashing container is restarted, then held in CrashLoopBackOff', async () => {
  const pod = makePod('crash', {
    restartPolicy: 'Always',
    containers: [{ name: 'c', image: testAppImage, imagePullPolicy: 'Never', args: ['exit', '1'] }],
  });
  try {
    const status = await syncUntil(pod, (s) => s.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff');
    const c = status.containerStatuses![0]!;
    assert.equal(c.restartCount, 1);
    assert.equal(c.lastState?.terminated?.exitCode, 1);
    assert.match(c.state!.waiting!.message!, /^back-off 10s restarting failed container=c pod=crash_default\(/);
    assert.equal(status.phase, 'Running');
  } finally {
    await worker.remove(pod.metadata!.uid!);
  }
});

test('a missing image with pull policy Never is reported ErrImageNeverPull; a failed pull ErrImagePull', async () => {
  const pod = makePod('noimage', {
    containers: [
      { name: 'a', image: 'k8ts.test/absent:1', imagePullPolicy: 'Never' },
      { name: 'b', image: '127.0.0.1:1/absent:1', imagePullPolicy: 'IfNotPresent' },
    ],
  });
  try {
    const status = await syncUntil(pod, (s) => s.containerStatuses?.every((c) => !!c.state?.waiting) ?? false);
    assert.equal(status.phase, 'Pending');
    assert.equal(status.containerStatuses?.[0]?.state?.waiting?.reason, 'ErrImageNeverPull');
    assert.equal(status.containerStatuses?.[1]?.state?.waiting?.reason, 'ErrImagePull');
    const next = await worker.sync(pod);
    assert.equal(next.status.containerStatuses?.[1]?.state?.waiting?.reason, 'ImagePullBackOff');
    assert.equal(next.status.containerStatuses?.[1]?.state?.waiting?.message, 'Back-off pulling image "127.0.0.1:1/absent:1"');
  } finally {
    await worker.remove(pod.metadata!.uid!);
  }
});
