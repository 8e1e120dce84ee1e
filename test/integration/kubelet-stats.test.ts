/**
 * Integration: `/stats/summary` and `/metrics/resource` of a kubelet running a pod on a real
 * containerd, read the way users read them — the real kubectl through the API server's node
 * proxy (`get --raw /api/v1/nodes/NAME/proxy/…`; the node reports its kubelet's free loopback
 * port in daemonEndpoints, as a kubelet started with --port would). Needs root.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlreadyExists } from '../../src/api/errors.js';
import { pods, serviceAccounts, type PodObject } from '../../src/api/resources/core/index.js';
import { pkiPaths } from '../../src/apiserver/pki/cluster-pki.js';
import { issueServingCertificate } from '../../src/apiserver/pki/certificates.js';
import { createLogger, silentLogger, sleep, systemClock } from '../../src/base/index.js';
import { createCriClient, type CriClient } from '../../src/kubelet/cri/index.js';
import { kubelet } from '../../src/kubelet/kubelet.js';
import { createKubeletServer, criStreamingRuntime, type KubeletServer } from '../../src/kubelet/server/index.js';
import { createStatsProvider, type Summary } from '../../src/kubelet/stats/index.js';
import { startContainerd, type ContainerdFixture } from '../fixtures/containerd.js';
import { importTestAppImage, testAppImage } from '../fixtures/images.js';
import { kubectlFor, type Kubectl } from '../fixtures/kubectl.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { until } from '../fixtures/until.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : !kubectlFor(33, '/dev/null') ? 'needs kubectl 1.33' : false;
const nodeName = 'stats-it';
const log = process.env.K8TS_TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger;
let fx: ContainerdFixture | undefined;
let server: TestServer | undefined;
let cri: CriClient | undefined;
let kubeletServer: KubeletServer | undefined;
let port = 0;
let kubectl: Kubectl;
const stop = new AbortController();
let running: Promise<void> | undefined;


async function raw(path: string): Promise<string> {
  const r = await kubectl(['get', '--raw', `/api/v1/nodes/${nodeName}/proxy${path}`]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

before(async () => {
  if (skip) return;
  fx = await startContainerd({ log });
  await importTestAppImage(fx.socket, join(fx.dataDir, 'testapp'));
  cri = createCriClient(fx.socket);
  server = await startTestServer();
  kubectl = kubectlFor(33, server.kubeconfig)!;
  await until('default service account', async () => {
    try {
      await server!.client.create(serviceAccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' } } as never);
    } catch (err) { if (!isAlreadyExists(err)) throw err; }
    return true;
  });
  const paths = pkiPaths(server.dataDir);
  const ca = { certPem: await readFile(paths.caCert, 'utf8'), keyPem: await readFile(paths.caKey, 'utf8') };
  const serving = await issueServingCertificate(ca, { nodeAddresses: ['127.0.0.1'] }, { now: Date.now() });
  kubeletServer = createKubeletServer({
    runtime: criStreamingRuntime({ cri, log }), log,
    tls: { cert: serving.certPem, key: serving.keyPem, ca: ca.certPem },
    stats: createStatsProvider({ cri, nodeName, rootDir: fx.dataDir }),
  });
  port = await kubeletServer.listen(0, '127.0.0.1');
  const k = kubelet({
    client: server.client, cri, node: { name: nodeName, ip: '127.0.0.1', podCIDR: fx.podCIDR, kubeletPort: port }, dataDir: fx.dataDir,
    clock: systemClock, log, cgroupRoot: fx.cgroupRoot, relistMs: 500,
  });
  running = k.run(stop.signal);
  await k.ready(stop.signal);
});

after(async () => {
  stop.abort();
  await running?.catch(() => undefined);
  await kubeletServer?.close();
  cri?.close();
  await server?.stop().catch(() => undefined);
  await fx?.stop();
});

test('stats summary and resource metrics of a running pod, through the API server node proxy', { skip }, async () => {
  await server!.client.create(pods, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stats-pod', namespace: 'default' },
    spec: {
      nodeName, automountServiceAccountToken: false, terminationGracePeriodSeconds: 1,
      containers: [{ name: 'app', image: testAppImage, imagePullPolicy: 'Never', args: ['serve'], resources: { limits: { memory: '64Mi', cpu: '500m' } } }],
    },
  } as PodObject);
  const pod = await until('pod Running', async () => {
    const p = await server!.client.get(pods, 'default', 'stats-pod');
    return p.status?.phase === 'Running' ? p : undefined;
  });

  const first = JSON.parse(await raw('/stats/summary')) as Summary;
  assert.equal(first.node.nodeName, nodeName);
  assert.match(first.node.startTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok((first.node.cpu?.usageCoreNanoSeconds ?? 0) > 0);
  assert.ok((first.node.memory?.workingSetBytes ?? 0) > 0);
  assert.ok((first.node.memory?.availableBytes ?? 0) > 0);
  assert.ok((first.node.fs?.capacityBytes ?? 0) > 0);
  assert.ok((first.node.runtime?.imageFs?.capacityBytes ?? 0) > 0);
  const stats = first.pods.find((p) => p.podRef.name === 'stats-pod');
  assert.ok(stats, JSON.stringify(first.pods.map((p) => p.podRef)));
  assert.deepEqual(stats.podRef, { name: 'stats-pod', namespace: 'default', uid: pod.metadata.uid });
  assert.deepEqual(stats.containers.map((c) => c.name), ['app']);
  const app = stats.containers[0]!;
  assert.ok((app.cpu?.usageCoreNanoSeconds ?? 0) > 0);
  assert.ok((app.memory?.workingSetBytes ?? 0) > 0);
  // The container's limit makes an available figure.
  assert.ok((app.memory?.availableBytes ?? 0) > 0 && app.memory!.availableBytes! <= 64 * 2 ** 20);
  // The pod's cgroup holds the pause process too.
  assert.ok((stats.cpu?.usageCoreNanoSeconds ?? 0) >= app.cpu!.usageCoreNanoSeconds!);
  assert.ok((stats.memory?.workingSetBytes ?? 0) >= app.memory!.workingSetBytes!);
  assert.equal(stats.network?.name, 'eth0');
  assert.ok((stats.network?.rxBytes ?? -1) >= 0);
  assert.ok((stats.process_stats?.process_count ?? 0) >= 1);

  // A second sample a second later gives rates.
  await sleep(1100);
  const second = JSON.parse(await raw('/stats/summary?only_cpu_and_memory=true')) as Summary;
  assert.equal(second.node.fs, undefined);
  const again = second.pods.find((p) => p.podRef.name === 'stats-pod')!;
  assert.equal(typeof again.containers[0]!.cpu?.usageNanoCores, 'number');
  assert.equal(typeof again.cpu?.usageNanoCores, 'number');
  assert.ok((second.node.cpu?.usageNanoCores ?? 0) > 0);

  const metrics = await raw('/metrics/resource');
  const labels = 'container="app",namespace="default",pod="stats-pod"';
  assert.match(metrics, new RegExp(`^container_cpu_usage_seconds_total\\{${labels}\\} [0-9.e+-]+ \\d{13}$`, 'm'));
  assert.match(metrics, new RegExp(`^container_memory_working_set_bytes\\{${labels}\\} [0-9.e+-]+ \\d{13}$`, 'm'));
  assert.match(metrics, new RegExp(`^container_start_time_seconds\\{${labels}\\} [0-9.e+]+$`, 'm'));
  assert.match(metrics, /^pod_cpu_usage_seconds_total\{namespace="default",pod="stats-pod"\} [0-9.e+-]+ \d{13}$/m);
  assert.match(metrics, /^pod_memory_working_set_bytes\{namespace="default",pod="stats-pod"\} [0-9.e+-]+ \d{13}$/m);
  assert.match(metrics, /^node_cpu_usage_seconds_total [0-9.e+-]+ \d{13}$/m);
  assert.match(metrics, /^node_memory_working_set_bytes [0-9.e+-]+ \d{13}$/m);
  assert.match(metrics, /^resource_scrape_error 0$/m);

  // Unknown kubelet paths answer 404 through the proxy too.
  const missing = await kubectl(['get', '--raw', `/api/v1/nodes/${nodeName}:${port}/proxy/stats/nothing`]);
  assert.notEqual(missing.code, 0);
});
