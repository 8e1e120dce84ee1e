/**
 * End to end: a cluster of three nodes, each in its own test host (network namespace): `k8ts
 * server` (with its own agent) in host 0, and `k8ts agent --server … --token …` in hosts 1 and 2.
 * Driven by the real kubectl from the machine: every node Ready with its own pod CIDR, a
 * Deployment spread over the nodes, pod → pod and pod → Service across nodes (host-gw routes),
 * cluster DNS from a pod on an agent node, a NodePort on every node, logs/exec through the API
 * server to an agent's kubelet, and an agent killed with SIGKILL whose containers keep running and
 * are adopted, not restarted, when it comes back.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, copyFile, writeFile, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { cleanupK8tsNode, startK8ts, type K8tsProcess } from '../fixtures/k8ts-process.js';
import { createTestNetwork, type TestHost, type TestNetwork } from '../fixtures/netns-host.js';
import { kubectlFor, type Kubectl } from '../fixtures/kubectl.js';
import { until } from '../fixtures/until.js';

const run = promisify(execFile);
const mainJs = new URL('../../src/cli/main.js', import.meta.url).pathname;
const skip = process.getuid?.() !== 0 ? 'needs root' : !kubectlFor(33, '/dev/null') ? 'needs kubectl 1.33' : false;
const image = 'example.com/web:1';

/** `k8ts agent` as a child process inside a test host. */
interface AgentProcess {
  host: TestHost;
  nodeName: string;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL after 15 s; resolves on exit. */
  stop(): Promise<void>;
  /** SIGKILL now. */
  kill(): Promise<void>;
}

let net: TestNetwork | undefined;
let server: K8tsProcess | undefined;
/** Output of server runs before the current one. */
const earlierServerOutput: string[] = [];
const agents: AgentProcess[] = [];
/** Every agent process started, for the logs. */
const allAgents: AgentProcess[] = [];
const agentDataDirs: { dir: string; host: TestHost }[] = [];
let kubectl: Kubectl;
let work: string | undefined;
let joinToken = '';

function startAgentProcess(host: TestHost, nodeName: string, dataDir: string, serverUrl: string, token: string | { file: string }): AgentProcess {
  const tokenArgs = typeof token === 'string' ? ['--token', token] : ['--token-file', token.file];
  const child = host.spawn(process.execPath, [mainJs, 'agent', '--server', serverUrl, ...tokenArgs,
    '--data-dir', dataDir, '--node-name', nodeName, '--node-ip', host.ip], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => { log += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    host, nodeName, dataDir, child,
    output: () => log,
    async stop() {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
  };
}

async function k(args: string[], stdin?: string): Promise<string> {
  const r = await kubectl(args, stdin === undefined ? {} : { stdin });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function buildImage(dataDir: string): Promise<void> {
  await run(process.execPath, [mainJs, 'image', 'build', '-t', image, '--entrypoint', '/busybox,httpd,-f,-p,8080,-h,/www',
    '--data-dir', dataDir, work!]);
}

/** wget from the machine's namespace (the test hosts' bridge is ours). */
async function wgetFromMachine(url: string): Promise<string> {
  return (await run('timeout', ['5', 'busybox', 'wget', '-qO-', url])).stdout;
}

/** wget from inside a pod. */
async function wgetFromPod(pod: string, url: string): Promise<string | undefined> {
  const r = await kubectl(['exec', pod, '--', '/busybox', 'timeout', '5', '/busybox', 'wget', '-qO-', url]);
  return r.code === 0 ? r.stdout : undefined;
}

interface PodInfo { name: string; node: string; ip: string; containerId: string; restarts: number }

async function pods(selector: string): Promise<PodInfo[]> {
  const list = JSON.parse(await k(['get', 'pods', '-l', selector, '-o', 'json'])) as {
    items: { metadata: { name: string }; spec: { nodeName?: string }; status: { podIP?: string; containerStatuses?: { containerID?: string; restartCount: number }[] } }[];
  };
  return list.items.map((p) => ({
    name: p.metadata.name, node: p.spec.nodeName ?? '', ip: p.status.podIP ?? '',
    containerId: p.status.containerStatuses?.[0]?.containerID ?? '', restarts: p.status.containerStatuses?.[0]?.restartCount ?? -1,
  }));
}

before(async () => {
  if (skip) return;
  net = await createTestNetwork(3);
  const [h0, h1, h2] = net.hosts as [TestHost, TestHost, TestHost];
  server = await startK8ts(['--node-name', 'node-0'], { host: h0 });
  kubectl = kubectlFor(33, server.kubeconfig)!;
  joinToken = (await readFile(join(server.dataDir, 'token'), 'utf8')).trim();
  const serverUrl = `https://${h0.ip}:6443`;
  for (const [i, host] of [[1, h1], [2, h2]] as const) {
    const dir = await mkdtemp(join(tmpdir(), `k8ts-agent${i}-`));
    agentDataDirs.push({ dir, host });
    // node-1 gets the token on the command line, node-2 from a file.
    let token: string | { file: string } = joinToken;
    if (i === 2) {
      token = { file: join(dir, 'join-token') };
      await writeFile(token.file, joinToken + '\n', { mode: 0o600 });
    }
    const a = startAgentProcess(host, `node-${i}`, dir, serverUrl, token);
    agents.push(a);
    allAgents.push(a);
  }
  // A one-layer image of busybox's httpd, built into every node's containerd (no shared registry).
  work = await mkdtemp(join(tmpdir(), 'k8ts-multi-node-'));
  await mkdir(join(work, 'www'), { recursive: true });
  await copyFile('/bin/busybox', join(work, 'busybox'));
  await writeFile(join(work, 'www', 'index.html'), 'hello from k8ts\n');
  await buildImage(server.dataDir);
  for (const a of agents) {
    await until(`${a.nodeName} registered`, async () => {
      if (a.child.exitCode !== null) assert.fail(`agent ${a.nodeName} exited with ${a.child.exitCode}:\n${a.output()}`);
      return /node registered/.test(a.output());
    }, 120_000);
    await buildImage(a.dataDir);
  }
});

after(async () => {
  for (const a of agents) await a.stop().catch(() => undefined);
  if (server) await server.stop().catch(() => undefined);
  const outputs: string[] = [];
  for (const { dir, host } of agentDataDirs) {
    outputs.push(await cleanupK8tsNode(dir, host));
    await rm(dir, { recursive: true, force: true });
  }
  if (server) {
    outputs.push(await cleanupK8tsNode(server.dataDir, net?.hosts[0]));
    if (process.env.K8TS_TEST_LOG) console.error(...earlierServerOutput, server.output(), ...allAgents.map((a) => `--- agent ${a.nodeName}\n${a.output()}`), ...outputs);
    await server.cleanup();
  }
  await net?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

test('three nodes: Ready with their own pod CIDRs, cross-node pod and Service traffic, DNS, NodePort, logs/exec, agent restart adopts containers', { skip, timeout: 600_000 }, async () => {
  const hosts = net!.hosts;
  const names = ['node-0', 'node-1', 'node-2'];

  // The token the server wrote pins the cluster CA, k3s style.
  assert.match(joinToken, /^K10[0-9a-f]{64}::server:.+$/);

  // A token for another CA, or with a wrong secret, is refused before the agent starts anything.
  const otherCa = joinToken.replace(/^K10([0-9a-f])/, (_m, c: string) => `K10${c === '0' ? '1' : '0'}`);
  const wrongSecret = joinToken.replace(/::server:.*$/, '::server:not-the-secret');
  for (const [token, want] of [[otherCa, /does not match the token's CA hash/], [wrongSecret, /Unauthorized \(wrong token\?\)/]] as const) {
    const dir = join(tmpdir(), `k8ts-refused-${Math.random().toString(36).slice(2)}`);
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = hosts[2]!.spawn(process.execPath, [mainJs, 'agent', '--server', `https://${hosts[0]!.ip}:6443`, '--token', token,
        '--data-dir', dir, '--node-name', 'intruder'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('exit', (code) => { clearTimeout(timer); resolve({ code, out }); });
    });
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, want);
    await assert.rejects(readFile(join(dir, 'agent', 'cgroup-root')), 'nothing started');
    await rm(dir, { recursive: true, force: true });
  }

  // Every node Ready, each with its own pod CIDR and its host's address as InternalIP.
  await until('three nodes Ready', async () => {
    const out = await k(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
    const ready = out.trim().split('\n').filter((l) => l.endsWith('=True')).map((l) => l.split('=')[0]);
    return names.every((n) => ready.includes(n));
  }, 120_000);
  const nodeList = JSON.parse(await k(['get', 'nodes', '-o', 'json'])) as {
    items: { metadata: { name: string }; spec: { podCIDR?: string }; status: { addresses: { type: string; address: string }[] } }[];
  };
  const cidrs = nodeList.items.map((n) => n.spec.podCIDR);
  assert.equal(cidrs.length, 3);
  assert.ok(cidrs.every((c) => c && /^10\.42\.\d+\.0\/24$/.test(c)), `pod CIDRs ${cidrs.join(', ')}`);
  assert.equal(new Set(cidrs).size, 3, `distinct pod CIDRs: ${cidrs.join(', ')}`);
  const wide = await k(['get', 'nodes', '-o', 'wide']);
  for (const [i, n] of names.entries()) {
    assert.match(wide, new RegExp(`^${n}\\s+Ready\\s.*\\s${hosts[i]!.ip.replace(/\./g, '\\.')}\\s`, 'm'), wide);
  }

  // Every host: routes to the peers' pod CIDRs via their addresses (host-gw), the service CIDR to
  // the local sink, the rest of the cluster CIDR unreachable.
  for (const [i, h] of hosts.entries()) {
    const name = names[i]!;
    const peers = nodeList.items.filter((n) => n.metadata.name !== name)
      .map((n) => ({ cidr: n.spec.podCIDR!, via: n.status.addresses.find((a) => a.type === 'InternalIP')!.address }));
    const routes = await until(`${name}'s host-gw routes`, async () => {
      const out = await h.exec('ip', ['route', 'show', 'proto', '147']);
      return peers.every((p) => out.includes(`${p.cidr} via ${p.via} dev eth0`)) ? out : undefined;
    });
    assert.match(routes, /^unreachable 10\.42\.0\.0\/16 /m, `${name}: ${routes}`);
    assert.match(routes, /^10\.43\.0\.0\/16 dev k8ts-svc0 /m, `${name}: ${routes}`);
    await assert.rejects(h.exec('ip', ['route', 'get', '10.42.250.1']), /unreachable|No route to host/i, `${name}: an unowned pod CIDR is unreachable`);
  }

  // A Deployment spread over the three nodes.
  const web = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: {
      replicas: 3, selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }],
          containers: [{ name: 'web', image, ports: [{ containerPort: 8080 }] }],
        },
      },
    },
  };
  await k(['apply', '-f', '-'], JSON.stringify(web));
  await k(['rollout', 'status', 'deployment/web', '--timeout=120s']);
  const webPods = await pods('app=web');
  assert.deepEqual(webPods.map((p) => p.node).sort(), names, `web pods on ${webPods.map((p) => p.node).join(', ')}`);
  const byNode = new Map(webPods.map((p) => [p.node, p]));
  for (const n of nodeList.items) {
    const prefix = n.spec.podCIDR!.replace(/0\/24$/, '');
    assert.ok(byNode.get(n.metadata.name)!.ip.startsWith(prefix), `${n.metadata.name}'s pod IP ${byNode.get(n.metadata.name)!.ip} in ${n.spec.podCIDR}`);
  }

  // A client pod on the agent node node-1.
  await k(['run', 'client', `--image=${image}`, '--restart=Never', '--overrides={"spec":{"nodeSelector":{"kubernetes.io/hostname":"node-1"}}}',
    '--command', '--', '/busybox', 'sleep', '3600']);
  await k(['wait', '--for=condition=Ready', 'pod/client', '--timeout=60s']);
  assert.equal((await k(['get', 'pod', 'client', '-o', 'jsonpath={.spec.nodeName}'])).trim(), 'node-1');

  // pod → pod across nodes, by pod IP (node-1 → node-0 and node-2).
  for (const n of ['node-0', 'node-2']) {
    const got = await until(`pod on node-1 reaches ${n}'s pod by IP`, () => wgetFromPod('client', `http://${byNode.get(n)!.ip}:8080/`));
    assert.equal(got, 'hello from k8ts\n');
  }

  // pod → Service whose only endpoint lives on another node (node-0), by ClusterIP and by DNS name.
  const far = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'far' },
    spec: {
      replicas: 1, selector: { matchLabels: { app: 'far' } },
      template: {
        metadata: { labels: { app: 'far' } },
        spec: { nodeSelector: { 'kubernetes.io/hostname': 'node-0' }, containers: [{ name: 'web', image, ports: [{ containerPort: 8080 }] }] },
      },
    },
  };
  await k(['apply', '-f', '-'], JSON.stringify(far));
  await k(['rollout', 'status', 'deployment/far', '--timeout=60s']);
  await k(['expose', 'deployment', 'far', '--port=80', '--target-port=8080']);
  const farIp = (await k(['get', 'svc', 'far', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  assert.equal(await until('ClusterIP with endpoints on node-0 answers a pod on node-1', () => wgetFromPod('client', `http://${farIp}/`)), 'hello from k8ts\n');
  assert.equal(await until('the Service by DNS name from node-1', () => wgetFromPod('client', 'http://far.default.svc.cluster.local/')), 'hello from k8ts\n');
  assert.equal(await until('the Service by short name from node-1', () => wgetFromPod('client', 'http://far/')), 'hello from k8ts\n');

  // A NodePort answers on every node's address, from the machine.
  await k(['expose', 'deployment', 'web', '--port=80', '--target-port=8080', '--type=NodePort']);
  const nodePort = (await k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}'])).trim();
  for (const h of hosts) {
    assert.equal(await until(`NodePort on ${h.ip}`, () => wgetFromMachine(`http://${h.ip}:${nodePort}/`)), 'hello from k8ts\n');
  }
  // The far Service (endpoint on node-0 only) by NodePort on an agent node: forwarded across nodes.
  await k(['patch', 'svc', 'far', '-p', '{"spec":{"type":"NodePort"}}']);
  const farNodePort = (await k(['get', 'svc', 'far', '-o', 'jsonpath={.spec.ports[0].nodePort}'])).trim();
  assert.equal(await until('far NodePort on node-2', () => wgetFromMachine(`http://${hosts[2]!.ip}:${farNodePort}/`)), 'hello from k8ts\n');

  // logs and exec through the API server to the agent's kubelet (its IP:10250, the serving cert the join issued).
  const onNode1 = byNode.get('node-1')!;
  assert.equal(await k(['exec', onNode1.name, '--', '/busybox', 'cat', '/www/index.html']), 'hello from k8ts\n');
  await k(['exec', 'client', '--', '/busybox', 'sh', '-c', 'echo marker-from-node-1']);
  await k(['run', 'talker', `--image=${image}`, '--restart=Never', '--overrides={"spec":{"nodeSelector":{"kubernetes.io/hostname":"node-2"}}}',
    '--command', '--', '/busybox', 'sh', '-c', 'echo said on node-2; sleep 3600']);
  await k(['wait', '--for=condition=Ready', 'pod/talker', '--timeout=60s']);
  assert.equal(await until('logs of a pod on node-2', async () => (await k(['logs', 'talker'])) || undefined), 'said on node-2\n');

  // SIGKILL the node-1 agent: its pods keep running and answering.
  const agent1 = agents[0]!;
  await agent1.kill();
  assert.equal(await until('node-1 pod answers from node-0 with its agent dead', () => wgetFromPod(byNode.get('node-0')!.name, `http://${onNode1.ip}:8080/`)), 'hello from k8ts\n');
  assert.equal(await hosts[1]!.exec('timeout', ['5', 'busybox', 'wget', '-qO-', `http://${onNode1.ip}:8080/`]), 'hello from k8ts\n');

  // Restart it: the same containers are adopted, nothing restarts.
  const restartedAt = Date.now();
  const restarted = startAgentProcess(hosts[1]!, 'node-1', agent1.dataDir, `https://${hosts[0]!.ip}:6443`, joinToken);
  agents[0] = restarted;
  allAgents.push(restarted);
  await until('restarted agent\'s kubelet running', async () => {
    if (restarted.child.exitCode !== null) assert.fail(`restarted agent exited with ${restarted.child.exitCode}:\n${restarted.output()}`);
    return /kubelet started/.test(restarted.output());
  });
  await leaseRenewedAfter('node-1', restartedAt);
  await everythingStillTheSame('after the node-1 agent restart');
  assert.doesNotMatch(restarted.output(), /container started|sandbox started/, 'the restarted agent started nothing');

  // SIGKILL the server (control plane and node-0's agent): every pod keeps running; cross-node traffic too.
  await server!.kill();
  earlierServerOutput.push(server!.output());
  assert.equal(await hosts[1]!.exec('timeout', ['5', 'busybox', 'wget', '-qO-', `http://${byNode.get('node-2')!.ip}:8080/`]), 'hello from k8ts\n');
  assert.equal(await hosts[2]!.exec('timeout', ['5', 'busybox', 'wget', '-qO-', `http://${byNode.get('node-0')!.ip}:8080/`]), 'hello from k8ts\n');
  const serverRestartedAt = Date.now();
  server = await startK8ts(['--node-name', 'node-0'], { host: hosts[0]!, dataDir: server!.dataDir });
  // The agents reconnect on their own; their Leases are renewed against the new server.
  for (const n of names) await leaseRenewedAfter(n, serverRestartedAt);
  await everythingStillTheSame('after the server restart');
  assert.equal(await until('pod on node-1 reaches the far Service after the server restart', () => wgetFromPod('client', 'http://far/')), 'hello from k8ts\n');

  /** Every pod on the same node, same IP, same container, no restart. */
  async function everythingStillTheSame(when: string): Promise<void> {
    // Give the kubelets a pod sync or two: a container they did not adopt would be restarted.
    await new Promise((r) => setTimeout(r, 5_000));
    const now = await pods('app=web');
    for (const before of webPods) {
      const p = now.find((x) => x.name === before.name);
      assert.ok(p, `${before.name} still exists ${when}`);
      assert.deepEqual(p, before, `${before.name} unchanged ${when}`);
    }
    assert.equal((await k(['get', 'pod', 'client', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'])).trim(), '0', `client not restarted ${when}`);
    assert.equal(await until(`pod on node-1 reaches node-0's pod ${when}`, () => wgetFromPod('client', `http://${byNode.get('node-0')!.ip}:8080/`)), 'hello from k8ts\n');
  }
});

/** Waits until node's Lease (the kubelet heartbeat) was renewed after `since` (ms). */
async function leaseRenewedAfter(node: string, since: number): Promise<void> {
  await until(`${node}'s Lease renewed`, async () => {
    const r = await kubectl(['get', 'lease', '-n', 'kube-node-lease', node, '-o', 'jsonpath={.spec.renewTime}']);
    return r.code === 0 && Date.parse(r.stdout.trim()) > since;
  }, 120_000);
  const ready = await k(['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
  assert.equal(ready.trim(), 'True', `${node} Ready`);
}
