/**
 * Issue 3's acceptance with the real kubectl 1.33 against `k8ts server --disable-agent` plus
 * `k8ts simulate` nodes (real processes): the Deployment lab (self-healing, scale, rolling update,
 * history, undo), a node whose heartbeats stop, Jobs, DaemonSets, StatefulSets, an unschedulable
 * pod that schedules when a node appears, and namespace deletion.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startK8ts, type K8tsProcess } from '../fixtures/k8ts-process.js';
import { kubectlFor, type Kubectl } from '../fixtures/kubectl.js';
import { until } from '../fixtures/until.js';

const mainJs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
let server: K8tsProcess;
let k: Kubectl;
let work: string;
const sims: ChildProcess[] = [];

function simulate(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [mainJs, 'simulate', '--kubeconfig', server.kubeconfig, '--heartbeat-interval', '1s', ...args], { stdio: 'ignore' });
  sims.push(child);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function ok(r: { code: number; stdout: string; stderr: string }, what: string): string {
  assert.equal(r.code, 0, `${what} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

async function json<T = { items: { metadata: { name: string }; spec?: { nodeName?: string }; status?: { phase?: string } }[] }>(args: string[]): Promise<T> {
  return JSON.parse(ok(await k([...args, '-o', 'json']), args.join(' '))) as T;
}

before(async () => {
  server = await startK8ts(['--disable-agent', '--node-monitor-grace-period', '5s',
    '--default-not-ready-toleration-seconds', '3', '--default-unreachable-toleration-seconds', '3']);
  const found = kubectlFor(33, server.kubeconfig);
  if (!found) throw new Error('kubectl 1.33 is not installed beside kubectl');
  k = found;
  work = await mkdtemp(join(tmpdir(), 'k8ts-e2e-ctl-'));
  simulate(['--nodes', '3', '--name-prefix', 'node-']);
  await until('3 Ready nodes', async () => (await json(['get', 'nodes'])).items.length === 3);
});

after(async () => {
  for (const s of sims) await stop(s);
  await server?.stop();
  await server?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

test('the Deployment lab: 3 replicas heal, scale to 10 over the nodes, roll out, roll back', async () => {
  const f = join(work, 'nginx-deploy.yaml');
  await writeFile(f, `apiVersion: apps/v1
kind: Deployment
metadata: {name: nginx-deployment, labels: {app: nginx}}
spec:
  replicas: 3
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec: {containers: [{name: nginx, image: nginx, ports: [{containerPort: 80}]}]}
`);
  ok(await k(['apply', '-f', f]), 'apply');
  ok(await k(['rollout', 'status', 'deployment/nginx-deployment', '--timeout=30s']), 'rollout status');
  const ready = () => json(['get', 'pods', '-l', 'app=nginx', '--field-selector', 'status.phase=Running']);
  assert.equal((await ready()).items.length, 3);
  const victim = (await ready()).items[0]!.metadata.name;
  ok(await k(['delete', 'pod', victim]), 'delete pod');
  await until('a replacement pod', async () => {
    const pods = (await ready()).items;
    return pods.length === 3 && !pods.some((p) => p.metadata.name === victim);
  });
  ok(await k(['scale', 'deploy', '--replicas=10', 'nginx-deployment']), 'scale');
  await until('10 running pods', async () => (await ready()).items.length === 10);
  const perNode = new Map<string, number>();
  for (const p of (await ready()).items) perNode.set(p.spec!.nodeName!, (perNode.get(p.spec!.nodeName!) ?? 0) + 1);
  assert.equal(perNode.size, 3, `pods spread over ${[...perNode.keys()].join(', ')}`);

  ok(await k(['set', 'image', 'deployment/nginx-deployment', 'nginx=nginx:1.26']), 'set image');
  const status = ok(await k(['rollout', 'status', 'deployment/nginx-deployment', '--timeout=60s']), 'rollout status');
  assert.match(status, /successfully rolled out/);
  const history = ok(await k(['rollout', 'history', 'deployment/nginx-deployment']), 'history');
  assert.match(history, /^1\s+<none>$/m);
  assert.match(history, /^2\s+<none>$/m);
  const before = await json<{ items: { metadata: { name: string }; spec: { replicas: number } }[] }>(['get', 'rs', '-l', 'app=nginx']);
  assert.equal(before.items.length, 2);
  ok(await k(['rollout', 'undo', 'deployment/nginx-deployment']), 'undo');
  ok(await k(['rollout', 'status', 'deployment/nginx-deployment', '--timeout=60s']), 'rollout status after undo');
  const d = await json<{ metadata: { generation: number }; spec: { template: { spec: { containers: { image: string }[] } } }; status: { observedGeneration: number } }>(['get', 'deploy', 'nginx-deployment']);
  assert.equal(d.spec.template.spec.containers[0]!.image, 'nginx');
  assert.equal(d.status.observedGeneration, d.metadata.generation);
  const sets = await json<{ items: { metadata: { name: string }; spec: { replicas: number } }[] }>(['get', 'rs', '-l', 'app=nginx']);
  assert.deepEqual(sets.items.map((r) => r.metadata.name).sort(), before.items.map((r) => r.metadata.name).sort(), 'undo reuses the old ReplicaSet');
  assert.deepEqual(sets.items.map((r) => r.spec.replicas).sort((a, b) => a - b), [0, 10]);
  const events = ok(await k(['get', 'events']), 'events');
  assert.match(events, /ScalingReplicaSet\s+deployment\/nginx-deployment\s+Scaled up replica set nginx-deployment-\w+ from 0 to 3/);
});

test('Jobs complete, DaemonSets run one pod per node, StatefulSets start web-0, web-1, … in order', async () => {
  ok(await k(['create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi']), 'create job');
  ok(await k(['wait', '--for=condition=complete', 'job/once', '--timeout=30s']), 'wait job');
  const f = join(work, 'ds-sts.yaml');
  await writeFile(f, `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: a, image: busybox}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 3
  selector: {matchLabels: {app: sts}}
  template:
    metadata: {labels: {app: sts}}
    spec: {containers: [{name: a, image: nginx}]}
`);
  ok(await k(['apply', '-f', f]), 'apply');
  ok(await k(['rollout', 'status', 'ds/agent', '--timeout=30s']), 'ds rollout');
  const ds = await json(['get', 'pods', '-l', 'app=agent']);
  assert.equal(new Set(ds.items.map((p) => p.spec!.nodeName)).size, 3);
  ok(await k(['rollout', 'status', 'sts/web', '--timeout=30s']), 'sts rollout');
  const sts = await json<{ items: { metadata: { name: string; creationTimestamp: string } }[] }>(['get', 'pods', '-l', 'app=sts']);
  assert.deepEqual(sts.items.map((p) => p.metadata.name).sort(), ['web-0', 'web-1', 'web-2']);
});

test('a pod that fits nowhere waits with FailedScheduling and runs when a node that fits appears', async () => {
  const f = join(work, 'big.yaml');
  await writeFile(f, 'apiVersion: v1\nkind: Pod\nmetadata: {name: big}\nspec: {containers: [{name: a, image: nginx, resources: {requests: {cpu: "100"}}}]}\n');
  ok(await k(['apply', '-f', f]), 'apply');
  await until('FailedScheduling', async () => /FailedScheduling.*Insufficient cpu/.test(ok(await k(['get', 'events', '--field-selector', 'involvedObject.name=big']), 'events')));
  assert.equal((await json<{ status: { phase: string } }>(['get', 'pod', 'big'])).status.phase, 'Pending');
  simulate(['--nodes', '1', '--name-prefix', 'huge-', '--cpu', '256']);
  await until('big scheduled on huge-0', async () => (await json<{ spec: { nodeName?: string } }>(['get', 'pod', 'big'])).spec.nodeName === 'huge-0');
});

test('a node whose heartbeats stop turns NotReady, is tainted, and its pods are replaced elsewhere', async () => {
  const doomed = simulate(['--nodes', '1', '--name-prefix', 'doomed-']);
  await until('doomed-0 Ready', async () => (await json(['get', 'nodes'])).items.some((n) => n.metadata.name === 'doomed-0'));
  ok(await k(['create', 'deploy', 'spread', '--image=nginx', '--replicas=8']), 'create');
  await until('a spread pod on doomed-0', async () => (await json(['get', 'pods', '-l', 'app=spread'])).items.some((p) => p.spec?.nodeName === 'doomed-0'));
  await stop(doomed);
  await until('doomed-0 NotReady with the unreachable taint', async () => {
    const n = await json<{ spec: { taints?: { key: string; effect: string }[] }; status: { conditions: { type: string; status: string }[] } }>(['get', 'node', 'doomed-0']);
    return n.status.conditions.some((c) => c.type === 'Ready' && c.status !== 'True')
      && (n.spec.taints ?? []).some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute');
  });
  await until('8 spread pods running on healthy nodes', async () => {
    const pods = (await json(['get', 'pods', '-l', 'app=spread', '--field-selector', 'status.phase=Running'])).items
      .filter((p) => !(p as { metadata: { deletionTimestamp?: string } }).metadata.deletionTimestamp);
    return pods.length === 8 && pods.every((p) => p.spec!.nodeName !== 'doomed-0');
  }, 45_000);
});

test('deleting a namespace deletes everything in it, then the namespace', async () => {
  ok(await k(['create', 'namespace', 'doomed-ns']), 'create ns');
  ok(await k(['-n', 'doomed-ns', 'create', 'deploy', 'x', '--image=nginx', '--replicas=2']), 'deploy');
  ok(await k(['-n', 'doomed-ns', 'create', 'configmap', 'c']), 'cm');
  ok(await k(['delete', 'namespace', 'doomed-ns', '--timeout=60s']), 'delete ns');
  const r = await k(['get', 'namespace', 'doomed-ns']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /namespaces "doomed-ns" not found/);
});
