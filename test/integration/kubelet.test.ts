/**
 * Integration: the kubelet against the in-process API server and a real containerd (temporary
 * data dir, CNI bridge on a test pod CIDR, the offline-built testapp image). Pods are bound by
 * hand (no scheduler here).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isNotFound } from '../../src/api/errors.js';
import { configMaps, events, nodes, pods, secrets, serviceAccounts, type PodObject } from '../../src/api/resources/core/index.js';
import { leases } from '../../src/api/resources/coordination/index.js';
import { createLogger, silentLogger, sleep, systemClock } from '../../src/base/index.js';
import { createCriClient, type CriClient } from '../../src/kubelet/cri/index.js';
import { kubelet } from '../../src/kubelet/kubelet.js';
import { startContainerd, type ContainerdFixture } from '../fixtures/containerd.js';
import { importTestAppImage, testAppImage } from '../fixtures/images.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { until } from '../fixtures/until.js';

const nodeName = 'kubelet-it';
const log = process.env.K8TS_TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger;
let fx: ContainerdFixture | undefined;
let server: TestServer | undefined;
let cri: CriClient;
let stopKubelet: (() => Promise<void>) | undefined;

function startKubelet(): () => Promise<void> {
  const ac = new AbortController();
  const k = kubelet({
    client: server!.client, cri, node: { name: nodeName, ip: '127.0.0.1', podCIDR: fx!.podCIDR }, dataDir: fx!.dataDir,
    clock: systemClock, log, cgroupRoot: fx!.cgroupRoot, relistMs: 500, nodeStatusUpdateMs: 1000, leaseRenewMs: 1000,
  });
  const running = k.run(ac.signal);
  return async () => { ac.abort(); await running; };
}


const getPod = (name: string) => server!.client.get(pods, 'default', name);

async function createPod(name: string, spec: Partial<NonNullable<Pod['spec']>>): Promise<PodObject> {
  return server!.client.create(pods, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    spec: { nodeName, automountServiceAccountToken: false, terminationGracePeriodSeconds: 5, containers: [], ...spec },
  } as PodObject);
}

async function exec(pod: PodObject, cmd: string[]): Promise<{ out: string; code: number }> {
  const id = pod.status?.containerStatuses?.[0]?.containerID?.replace('containerd://', '') ?? '';
  const r = await cri.runtime.execSync({ containerId: id, cmd, timeout: 10 });
  return { out: r.stdout?.toString() ?? '', code: r.exitCode ?? 0 };
}

before(async () => {
  fx = await startContainerd({ log });
  await importTestAppImage(fx.socket, join(fx.dataDir, 'testapp'));
  cri = createCriClient(fx.socket);
  server = await startTestServer();
  // Admission needs the namespace (seen by its cache) and the default ServiceAccount.
  await until('default service account', async () => {
    try {
      await server!.client.create(serviceAccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' } } as never);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    return true;
  }, 10_000);
  stopKubelet = startKubelet();
});

after(async () => {
  await stopKubelet?.().catch(() => undefined);
  cri?.close();
  await server?.stop().catch(() => undefined);
  await fx?.stop();
});

test('the node registers with labels, capacity, nodeInfo and a Ready condition; its Lease is renewed', async () => {
  const node = await until('node Ready', async () => {
    const n = await server!.client.get(nodes, '', nodeName);
    return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? n : undefined;
  });
  assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], nodeName);
  assert.equal(node.metadata.labels?.['kubernetes.io/os'], 'linux');
  assert.ok(node.metadata.labels?.['kubernetes.io/arch']);
  assert.equal(node.status?.capacity?.pods, '110');
  assert.match(node.status?.nodeInfo?.containerRuntimeVersion ?? '', /^containerd:\/\//);
  assert.equal(node.status?.nodeInfo?.kubeletVersion, 'v1.33.1');
  assert.equal(node.status?.daemonEndpoints?.kubeletEndpoint?.Port, 10250);
  assert.deepEqual(node.status?.addresses, [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: nodeName }]);
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.reason, 'KubeletReady');
  assert.equal(ready?.message, 'kubelet is posting ready status');
  assert.deepEqual(node.status?.conditions?.map((c) => c.type), ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready']);
  const lease = await server!.client.get(leases, 'kube-node-lease', nodeName);
  assert.equal(lease.spec?.holderIdentity, nodeName);
  assert.equal(lease.spec?.leaseDurationSeconds, 40);
  const renewed = await until('lease renewal', async () => {
    const l = await server!.client.get(leases, 'kube-node-lease', nodeName);
    return l.spec?.renewTime !== lease.spec?.renewTime ? l : undefined;
  }, 10_000);
  assert.ok(renewed);
});

test('a pod becomes Running with its status written; configMap volume and secret env reach the container; deletion removes it', async () => {
  await server!.client.create(configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'default' }, data: { 'greeting.txt': 'hello' } } as never);
  await server!.client.create(secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-secret', namespace: 'default' }, data: { password: Buffer.from('s3cret').toString('base64') } } as never);
  const created = await createPod('web', {
    containers: [{
      name: 'app', image: testAppImage, imagePullPolicy: 'Never',
      env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'password' } } }],
      volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }, { name: 'scratch', mountPath: '/scratch' }],
    }],
    volumes: [{ name: 'cfg', configMap: { name: 'app-config' } }, { name: 'scratch', emptyDir: {} }],
  });
  const pod = await until('pod Running', async () => {
    const p = await getPod('web');
    return p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready ? p : undefined;
  });
  assert.match(pod.status?.podIP ?? '', /^10\.42\./);
  assert.equal(pod.status?.hostIP, '127.0.0.1');
  assert.equal(pod.status?.containerStatuses?.[0]?.restartCount, 0);
  assert.deepEqual(pod.status?.conditions?.filter((c) => c.type !== 'PodReadyToStartContainers').map((c) => `${c.type}=${c.status}`).sort(),
    ['ContainersReady=True', 'Initialized=True', 'PodScheduled=True', 'Ready=True']);

  assert.equal((await exec(pod, ['/testapp', 'cat', '/etc/cfg/greeting.txt'])).out, 'hello');
  assert.match((await exec(pod, ['/testapp', 'env'])).out, /^PASSWORD=s3cret$/m);
  assert.equal((await exec(pod, ['/testapp', 'write', '/scratch/x', 'ok'])).code, 0);
  // A read-only configMap volume.
  assert.notEqual((await exec(pod, ['/testapp', 'write', '/etc/cfg/other', 'no'])).code, 0);

  // Live update of the configMap reaches the file.
  const cm = await server!.client.get(configMaps, 'default', 'app-config');
  await server!.client.update(configMaps, { ...cm, data: { 'greeting.txt': 'updated' } });
  await until('configMap update in the volume', async () => (await exec(pod, ['/testapp', 'cat', '/etc/cfg/greeting.txt'])).out === 'updated' || undefined, 20_000);

  // Graceful deletion: the kubelet stops the containers and removes the object.
  await server!.client.delete(pods, 'default', 'web');
  await until('pod gone from the API', async () => {
    try { await getPod('web'); return undefined; } catch (err) { return isNotFound(err) ? true : undefined; }
  });
  await until('sandbox removed', async () => {
    const { items = [] } = await cri.runtime.listPodSandbox({ filter: { labelSelector: { 'io.kubernetes.pod.uid': created.metadata.uid! } } });
    return items.length === 0 || undefined;
  });
});

test('a failing liveness probe restarts the container with an Unhealthy event; readiness gates Ready', async () => {
  await createPod('probed', {
    containers: [{
      name: 'app', image: testAppImage, imagePullPolicy: 'Never',
      livenessProbe: { exec: { command: ['/testapp', 'cat', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 2 },
    }, {
      name: 'gated', image: testAppImage, imagePullPolicy: 'Never',
      readinessProbe: { exec: { command: ['/testapp', 'cat', '/tmp/ready'] }, periodSeconds: 1 },
    }],
  });
  const restarted = await until('liveness restart', async () => {
    const p = await getPod('probed');
    return (p.status?.containerStatuses?.find((c) => c.name === 'app')?.restartCount ?? 0) >= 1 ? p : undefined;
  });
  assert.equal(restarted.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  const gated = restarted.status?.containerStatuses?.find((c) => c.name === 'gated');
  assert.equal(gated?.ready, false);
  assert.ok(gated?.state?.running);
  const evs = (await server!.client.list(events, { namespace: 'default' })).items.filter((e) => e.involvedObject?.name === 'probed');
  assert.ok(evs.some((e) => e.reason === 'Unhealthy' && /^Liveness probe failed: /.test(e.message ?? '')), JSON.stringify(evs.map((e) => [e.reason, e.message])));
  assert.ok(evs.some((e) => e.reason === 'Killing' && e.message === 'Container app failed liveness probe, will be restarted'));

  // Make the gated container ready from inside: Ready follows.
  const id = gated!.containerID!.replace('containerd://', '');
  await cri.runtime.execSync({ containerId: id, cmd: ['/testapp', 'write', '/tmp/ready', 'y'], timeout: 10 });
  await until('gated ready', async () => {
    const p = await getPod('probed');
    return p.status?.containerStatuses?.find((c) => c.name === 'gated')?.ready ? p : undefined;
  });
  await server!.client.delete(pods, 'default', 'probed', { gracePeriodSeconds: 0 });
});

test('a finished pod stays Succeeded; an agent restart adopts a running pod without restarting it', async () => {
  await createPod('job', { restartPolicy: 'Never', containers: [{ name: 'run', image: testAppImage, imagePullPolicy: 'Never', args: ['echo', 'done'] }] });
  await createPod('keep', { containers: [{ name: 'app', image: testAppImage, imagePullPolicy: 'Never' }] });
  const job = await until('job Succeeded', async () => {
    const p = await getPod('job');
    return p.status?.phase === 'Succeeded' ? p : undefined;
  });
  assert.equal(job.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  const before = await until('keep Running', async () => {
    const p = await getPod('keep');
    return p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready ? p : undefined;
  });
  await stopKubelet!();
  stopKubelet = startKubelet();
  // Let the new kubelet relist and sync a few times.
  await sleep(3000);
  const after = await getPod('keep');
  assert.equal(after.status?.phase, 'Running');
  assert.equal(after.status?.containerStatuses?.[0]?.containerID, before.status?.containerStatuses?.[0]?.containerID);
  assert.equal(after.status?.containerStatuses?.[0]?.restartCount, 0);
  assert.equal((await getPod('job')).status?.phase, 'Succeeded');
  // Still managed: deleting it works through the new kubelet.
  await server!.client.delete(pods, 'default', 'keep');
  await until('keep gone', async () => {
    try { await getPod('keep'); return undefined; } catch (err) { return isNotFound(err) ? true : undefined; }
  });
});
