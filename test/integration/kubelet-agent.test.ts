/**
 * Integration: the assembled agent (its own containerd under a temp data dir, pause image,
 * CNI bridge for a test pod CIDR, kubelet) against the in-process API server; then
 * `cleanupNode` removes everything it made.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { isAlreadyExists } from '../../src/api/errors.js';
import { nodes, pods, serviceAccounts, type PodObject } from '../../src/api/resources/core/index.js';
import { createLogger, silentLogger, systemClock } from '../../src/base/index.js';
import { cleanupNode, startAgent } from '../../src/agent/index.js';
import { containerdPaths } from '../../src/kubelet/containerd/index.js';
import { pauseImage } from '../../src/kubelet/images/index.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { until } from '../fixtures/until.js';

const log = process.env.K8TS_TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger;
let server: TestServer | undefined;
let dataDir: string | undefined;
const suffix = Math.random().toString(36).slice(2, 6);
const bridge = `k8tsa${suffix}`;
const nodeName = `agent-${suffix}`;

after(async () => {
  if (dataDir) await cleanupNode({ dataDir, log }).catch(() => undefined);
  await server?.stop().catch(() => undefined);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});


test('the agent runs a pod with its own containerd; stopping it leaves the pod running; cleanup removes everything', async () => {
  server = await startTestServer();
  dataDir = await mkdtemp(join(tmpdir(), 'k8ts-agent-'));
  await until('service account', async () => {
    try {
      await server!.client.create(serviceAccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' } } as never);
    } catch (err) { if (!isAlreadyExists(err)) throw err; }
    return true;
  });
  const stop = new AbortController();
  const agent = startAgent({
    client: server.client, dataDir, nodeName, nodeIp: '127.0.0.1', clusterDns: '10.43.0.10', clusterDomain: 'cluster.local',
    log, clock: systemClock, controlPlane: true, podCIDR: `10.42.${200 + Math.floor(Math.random() * 50)}.0/24`, cniBridge: bridge,
  });
  const running = agent.run(stop.signal);
  try {
    const node = await until('node Ready', async () => {
      const n = await server!.client.get(nodes, '', nodeName);
      return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? n : undefined;
    });
    assert.equal(node.metadata.labels?.['node-role.kubernetes.io/control-plane'], 'true');
    await server.client.create(pods, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pause-pod', namespace: 'default' },
      spec: { nodeName, automountServiceAccountToken: false, containers: [{ name: 'p', image: pauseImage, imagePullPolicy: 'Never', command: ['/pause'] }] },
    } as PodObject);
    const pod = await until('pod Running', async () => {
      const p = await server!.client.get(pods, 'default', 'pause-pod');
      return p.status?.phase === 'Running' ? p : undefined;
    });
    assert.match(pod.status?.podIP ?? '', /^10\.42\./);
  } finally {
    stop.abort();
    await running;
  }
  // The container survives the agent.
  const ps = execFileSync('ps', ['-eo', 'args']).toString();
  assert.match(ps, new RegExp(`containerd-shim.*${containerdPaths(dataDir).socket.replace(/[.]/g, '\\.')}`));

  const report = await cleanupNode({ dataDir, log });
  assert.ok(report.processesKilled >= 1, JSON.stringify(report));
  assert.doesNotMatch(execFileSync('ps', ['-eo', 'args']).toString(), new RegExp(dataDir));
  assert.equal((await readFile('/proc/self/mounts', 'utf8')).includes(dataDir), false);
  assert.equal(existsSync(`/sys/class/net/${bridge}`), false);
  assert.equal(existsSync(`/sys/fs/cgroup/memory/k8ts/${nodeName}`), false);
});
