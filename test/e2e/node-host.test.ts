/**
 * End to end: a whole `k8ts server` (agent included: containerd, CNI, proxy, DNS) inside a test
 * host's network namespace, driven by the real kubectl from the machine: the node turns Ready,
 * a Deployment of a locally built busybox image serves through its ClusterIP, by DNS name
 * from another pod, and on a NodePort of the node's address.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, copyFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cleanupK8tsNode, startK8ts, type K8tsProcess } from '../fixtures/k8ts-process.js';
import { createTestNetwork, type TestNetwork } from '../fixtures/netns-host.js';
import { kubectlFor, type Kubectl } from '../fixtures/kubectl.js';
import { until } from '../fixtures/until.js';

const run = promisify(execFile);
const mainJs = new URL('../../src/cli/main.js', import.meta.url).pathname;
const skip = process.getuid?.() !== 0 ? 'needs root' : !kubectlFor(33, '/dev/null') ? 'needs kubectl 1.33' : false;

let net: TestNetwork | undefined;
let k8ts: K8tsProcess | undefined;
let kubectl: Kubectl;
let work: string | undefined;

async function k(args: string[], stdin?: string): Promise<string> {
  const r = await kubectl(args, stdin === undefined ? {} : { stdin });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  if (skip) return;
  net = await createTestNetwork(1);
  k8ts = await startK8ts([], { host: net.hosts[0] });
  kubectl = kubectlFor(33, k8ts.kubeconfig)!;
  // A one-layer image of busybox's httpd, built and imported with `k8ts image build`.
  work = await mkdtemp(join(tmpdir(), 'k8ts-node-host-'));
  await mkdir(join(work, 'www'), { recursive: true });
  await copyFile('/bin/busybox', join(work, 'busybox'));
  await writeFile(join(work, 'www', 'index.html'), 'hello from k8ts\n');
  await run(process.execPath, [mainJs, 'image', 'build', '-t', 'example.com/web:1', '--entrypoint', '/busybox,httpd,-f,-p,8080,-h,/www',
    '--data-dir', k8ts.dataDir, work]);
}, );

after(async () => {
  if (k8ts) {
    await k8ts.stop().catch(() => undefined);
    const out = await cleanupK8tsNode(k8ts.dataDir, net?.hosts[0]);
    if (process.env.K8TS_TEST_LOG) console.error(k8ts.output(), out);
    await k8ts.cleanup();
  }
  await net?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

test('a whole node in a test host: Ready, a Deployment behind ClusterIP, DNS and NodePort', { skip }, async () => {
  const host = net!.hosts[0]!;
  await until('node Ready', async () => (await k(['get', 'nodes', '-o', 'jsonpath={.items[0].status.conditions[?(@.type=="Ready")].status}'])) === 'True');
  await k(['create', 'deployment', 'web', '--image=example.com/web:1', '--replicas=2', '--port=8080']);
  await k(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  await k(['expose', 'deployment', 'web', '--port=80', '--target-port=8080', '--type=NodePort']);
  const clusterIp = (await k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  const nodePort = (await k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}'])).trim();
  // From the node (its own namespace): ClusterIP and NodePort on the node's address.
  const viaClusterIp = await until('ClusterIP answers', () => host.exec('timeout', ['5', 'busybox', 'wget', '-qO-', `http://${clusterIp}/`]));
  assert.equal(viaClusterIp, 'hello from k8ts\n');
  const viaNodePort = await until('NodePort answers', () => host.exec('timeout', ['5', 'busybox', 'wget', '-qO-', `http://${host.ip}:${nodePort}/`]));
  assert.equal(viaNodePort, 'hello from k8ts\n');
  // From a pod: the service by its short DNS name.
  await k(['run', 'client', '--image=example.com/web:1', '--restart=Never', '--command', '--', '/busybox', 'sleep', '3600']);
  await k(['wait', '--for=condition=Ready', 'pod/client', '--timeout=60s']);
  const fromPod = await until('DNS name answers from a pod', async () => {
    const r = await kubectl(['exec', 'client', '--', '/busybox', 'timeout', '5', '/busybox', 'wget', '-qO-', 'http://web/']);
    return r.code === 0 ? r.stdout : undefined;
  });
  assert.equal(fromPod, 'hello from k8ts\n');
  const lo = await k(['exec', 'client', '--', '/busybox', 'ip', 'addr', 'show', 'lo']);
  assert.match(lo, /127\.0\.0\.1\/8/, 'the pod has its loopback');
  assert.match(lo, /[<,]UP[,>]/, 'loopback is up');
  const env = await k(['exec', 'client', '--', '/busybox', 'env']);
  assert.match(env, new RegExp(`^WEB_SERVICE_HOST=${clusterIp.replace(/\./g, '\\.')}$`, 'm'));
});

test('a NetworkPolicy denies ingress from another namespace while same-namespace traffic passes', { skip }, async () => {
  // Runs after the first test: the web Deployment and the client pod exist in default.
  await k(['create', 'namespace', 'other']);
  await k(['-n', 'other', 'run', 'client', '--image=example.com/web:1', '--restart=Never', '--command', '--', '/busybox', 'sleep', '3600']);
  await k(['-n', 'other', 'wait', '--for=condition=Ready', 'pod/client', '--timeout=60s']);
  const fetchFrom = async (ns: string) => (await kubectl(['-n', ns, 'exec', 'client', '--', '/busybox', 'timeout', '3', '/busybox', 'wget', '-qO-', 'http://web.default/'])).code === 0;
  await until('other namespace reaches web before any policy', () => fetchFrom('other'));
  await k(['apply', '-f', '-'], `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-same-namespace
  namespace: default
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector: {}
    ports:
    - port: 8080
`);
  await until('other namespace blocked', async () => !(await fetchFrom('other')));
  assert.equal(await fetchFrom('default'), true, 'same-namespace traffic passes');
  assert.equal(await fetchFrom('other'), false, 'still blocked');
  await k(['delete', 'networkpolicy', 'web-same-namespace']);
  await until('other namespace allowed again', () => fetchFrom('other'));
});
