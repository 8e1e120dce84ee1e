/**
 * End to end, the walkthroughs in examples/ as their READMEs type them (issue 6), with the real
 * kubectl 1.33 and 1.27 against one whole k8ts node in a test host. The images are the
 * examples' own (examples/build-images.sh: static Go binaries packed by `k8ts image build
 * --output`), pushed to a local registry that the node reaches as a docker.io mirror, so that
 * `imagePullPolicy: Always` and `:latest` pull as they would from Docker Hub.
 *
 * One cluster for every walkthrough (start-up is the expensive part); each walkthrough runs in
 * its own namespace per kubectl version and deletes it at the end (the LoadBalancer and NodePort
 * ports are the node's, so runs go one after another).
 *
 * - 00-hello-world: the seed's manifest, EXTERNAL-IP, /api/hello through the LoadBalancer;
 *   `kubectl set env … VERSION=v2` and `kubectl rollout undo` under continuous traffic (one new
 *   connection per request, from the machine to the EXTERNAL-IP) with every request counted and
 *   no failure allowed.
 * - 01-dinosaur-service: Deployment of 3, `kubectl expose … --type=LoadBalancer --port 8084`,
 *   EXTERNAL-IP within seconds, /dinosaurs there.
 * - 03-go-ok: `kubectl run`, `create deployment`, get deployments/pods/rs, `expose … NodePort`,
 *   port-forward, a secret and a configmap from files, pod.yml with labels, service.yml on
 *   NodePort 31000.
 * - 04-order-service: 3 replicas behind a ClusterIP, rolled 1.1 → 1.2 one pod at a time (never
 *   fewer than 3 available) and back with `rollout undo`, a killed pod replaced.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile as execFileCb } from 'node:child_process';
import { promisify } from 'node:util';
import { cleanupK8tsNode, startK8ts, type K8tsProcess } from '../fixtures/k8ts-process.js';
import { createTestNetwork, type TestHost, type TestNetwork } from '../fixtures/netns-host.js';
import { kubectlBinary, kubectlFor } from '../fixtures/kubectl.js';
import { startRegistry, writeMirrorRegistries, type LocalRegistry } from '../fixtures/registry.js';
import { exampleImages, examplesDir } from '../fixtures/example-images.js';
import { freePort } from '../fixtures/ports.js';
import { until } from '../fixtures/until.js';

const execFile = promisify(execFileCb);

const hasGo = (() => { try { return existsSync('/usr/bin/go') || !!process.env.PATH?.split(':').some((d) => existsSync(join(d, 'go'))); } catch { return false; } })();
const skip = process.getuid?.() !== 0 ? 'needs root'
  : !kubectlFor(33, '/dev/null') || !kubectlFor(27, '/dev/null') ? 'needs kubectl 1.33 and 1.27'
  : !existsSync('/usr/bin/docker-registry') || !existsSync('/usr/bin/skopeo') ? 'needs docker-registry and skopeo'
  : !hasGo ? 'needs go (apt-get install golang-go)'
  : false;

let net: TestNetwork | undefined;
let registry: LocalRegistry | undefined;
let k8ts: K8tsProcess | undefined;
let work: string | undefined;
let kubeconfig = '';

function host(): TestHost { return net!.hosts[0]!; }

type K = (args: string[], stdin?: string) => Promise<string>;

/** kubectl 1.`minor` in namespace `ns` (as `kubectl config set-context --current --namespace`). */
function kubectl(minor: number, ns: string): K {
  const kc = kubectlFor(minor, kubeconfig)!;
  return async (args, stdin) => {
    const r = await kc([`--namespace=${ns}`, ...args], stdin === undefined ? { timeoutMs: 180_000 } : { stdin, timeoutMs: 180_000 });
    assert.equal(r.code, 0, `kubectl 1.${minor} ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
}

async function withNamespace(minor: number, ns: string, body: (k: K) => Promise<void>): Promise<void> {
  const k = kubectl(minor, ns);
  await k(['create', 'namespace', ns]);
  try {
    await body(k);
  } finally {
    await kubectlFor(minor, kubeconfig)!(['delete', 'namespace', ns, '--wait=true', '--timeout=120s'], { timeoutMs: 150_000 });
  }
}

/** One GET on a new connection (Connection: close); resolves with status and body. */
function get(url: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

interface LoadReport {
  total: number;
  failures: { at: number; error: string }[];
  /** Response bodies (trimmed) and how many times each came. */
  bodies: Map<string, number>;
  /** Bodies in the order they arrived (runs collapsed): 'Hello world v1' → 'Hello world v2'. */
  sequence: string[];
  ms: number;
}

/**
 * Continuous traffic: `workers` loops of GETs, each on a new TCP connection, until stop() (or
 * `maxRequests`, or `maxMs`). Every request is counted; any error or non-200 is a failure.
 */
function startLoad(url: string, opts: { workers?: number; maxRequests?: number; maxMs?: number } = {}) {
  const started = Date.now();
  const report: LoadReport = { total: 0, failures: [], bodies: new Map(), sequence: [], ms: 0 };
  let stopped = false;
  const maxRequests = opts.maxRequests ?? 50_000;
  const maxMs = opts.maxMs ?? 240_000;
  const worker = async () => {
    while (!stopped && report.total < maxRequests && Date.now() - started < maxMs) {
      report.total++;
      try {
        const r = await get(url);
        const body = r.body.trim();
        if (r.status !== 200) report.failures.push({ at: Date.now() - started, error: `HTTP ${r.status}: ${body.slice(0, 100)}` });
        else {
          report.bodies.set(body, (report.bodies.get(body) ?? 0) + 1);
          if (report.sequence.at(-1) !== body) report.sequence.push(body);
        }
      } catch (err) {
        report.failures.push({ at: Date.now() - started, error: (err as Error).message });
      }
    }
  };
  const done = Promise.all(Array.from({ length: opts.workers ?? 4 }, worker));
  return {
    report,
    async stop(): Promise<LoadReport> {
      stopped = true;
      await done;
      report.ms = Date.now() - started;
      return report;
    },
  };
}

function describeLoad(r: LoadReport): string {
  const failures = r.failures.slice(0, 20).map((f) => `  +${f.at} ms: ${f.error}`).join('\n');
  return `${r.total} requests in ${r.ms} ms, ${r.failures.length} failed${failures ? `:\n${failures}` : ''}; answers: ${JSON.stringify([...r.bodies])}; sequence: ${r.sequence.join(' → ')}`;
}

/** Pods of a label selector that are not being deleted, with their image and env VERSION. */
async function livePods(k: K, selector: string): Promise<{ name: string; image: string; ready: boolean; terminating: boolean }[]> {
  const list = JSON.parse(await k(['get', 'pods', '-l', selector, '-o', 'json'])) as { items: {
    metadata: { name: string; deletionTimestamp?: string };
    spec: { containers: { image: string }[] };
    status: { conditions?: { type: string; status: string }[] };
  }[] };
  return list.items.map((p) => ({
    name: p.metadata.name,
    image: p.spec.containers[0]!.image,
    ready: !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    terminating: !!p.metadata.deletionTimestamp,
  }));
}

/** Seconds from now until the Service shows an EXTERNAL-IP; returns [ip, seconds]. */
async function externalIp(k: K, svc: string): Promise<[string, number]> {
  const t0 = Date.now();
  const ip = await until(`an EXTERNAL-IP for ${svc}`, async () =>
    (await k(['get', 'svc', svc, '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).trim() || undefined, 30_000);
  return [ip, (Date.now() - t0) / 1000];
}

const loads: string[] = [];

before(async () => {
  if (skip) return;
  const images = await exampleImages();
  net = await createTestNetwork(1);
  registry = await startRegistry({ host: net.gatewayIp });
  for (const img of images) await registry.push(img.archive, img.repository, img.tag);
  work = await mkdtemp(join(tmpdir(), 'k8ts-walkthroughs-'));
  const dataDir = join(work, 'data');
  await writeMirrorRegistries(dataDir, registry.url);
  k8ts = await startK8ts([], { host: host(), dataDir });
  kubeconfig = k8ts.kubeconfig;
  const k = kubectl(33, 'default');
  await until('node Ready', async () =>
    (await k(['get', 'nodes', '-o', 'jsonpath={.items[0].status.conditions[?(@.type=="Ready")].status}'])) === 'True');
});

after(async () => {
  if (loads.length) console.error(loads.join('\n'));
  if (k8ts) {
    await k8ts.stop().catch(() => undefined);
    const out = await cleanupK8tsNode(k8ts.dataDir, net?.hosts[0]);
    if (process.env.K8TS_TEST_LOG) console.error(k8ts.output(), out);
  }
  await registry?.stop();
  await net?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

const example = (...p: string[]) => join(examplesDir, ...p);

async function helloWorld(minor: number): Promise<void> {
  await withNamespace(minor, `hello-${minor}`, async (k) => {
    // kubectl apply -f helloworld-go-v1.yaml
    const applied = await k(['apply', '-f', example('00-hello-world', 'helloworld-go-v1.yaml')]);
    assert.match(applied, /^service\/helloworld-v1 created$/m);
    assert.match(applied, /^deployment\.apps\/helloworld-v1 created$/m);
    // kubectl get svc helloworld-v1 -o wide: a real EXTERNAL-IP (the node's address) within seconds.
    const [ip, seconds] = await externalIp(k, 'helloworld-v1');
    assert.equal(ip, host().ip);
    assert.ok(seconds < 10, `EXTERNAL-IP after ${seconds} s`);
    assert.match(await k(['get', 'svc', 'helloworld-v1', '-o', 'wide']),
      new RegExp(`^helloworld-v1\\s+LoadBalancer\\s+10\\.43\\.\\d+\\.\\d+\\s+${ip.replace(/\./g, '\\.')}\\s+80:3\\d{4}/TCP\\s+\\S+\\s+app=helloworld-v1$`, 'm'));
    await k(['rollout', 'status', 'deployment/helloworld-v1', '--timeout=90s']);
    const url = `http://${ip}/api/hello`;
    const first = await until('Hello world v1 at the EXTERNAL-IP', async () => { const r = await get(url); return r.status === 200 ? r.body : undefined; });
    assert.equal(first, 'Hello world v1\n');
    assert.match(await k(['logs', 'deployment/helloworld-v1']), /Hello world received a request\./);

    // The rolling update under continuous traffic: v1 → v2, no request lost.
    const rollUnderLoad = async (what: string, command: string[], from: string, to: string, revision: string) => {
      const oldPods = (await livePods(k, 'app=helloworld-v1')).map((p) => p.name);
      const load = startLoad(url);
      await until('traffic flowing', async () => load.report.total > 20, 10_000);
      await k(command);
      await k(['rollout', 'status', 'deployment/helloworld-v1', '--timeout=120s']);
      // Until the old pod is gone altogether (its graceful termination included), then a little more.
      await until('the old pod gone', async () => !(await livePods(k, 'app=helloworld-v1')).some((p) => oldPods.includes(p.name)), 90_000);
      await new Promise((r) => setTimeout(r, 1500));
      const report = await load.stop();
      loads.push(`kubectl 1.${minor} ${what}: ${describeLoad(report)}`);
      assert.equal(report.failures.length, 0, `${what} under load: ${describeLoad(report)}`);
      assert.ok(report.total >= 100, `only ${report.total} requests during ${what}`);
      assert.equal(report.sequence[0], from, describeLoad(report));
      assert.equal(report.sequence.at(-1), to, describeLoad(report));
      assert.match(await k(['rollout', 'history', 'deployment/helloworld-v1']), new RegExp(`^${revision}\\s`, 'm'));
    };
    // kubectl set env deployment/helloworld-v1 VERSION=v2
    await rollUnderLoad('set env VERSION=v2', ['set', 'env', 'deployment/helloworld-v1', 'VERSION=v2'], 'Hello world v1', 'Hello world v2', '2');
    assert.match(await k(['get', 'deployment', 'helloworld-v1', '-o', 'jsonpath={.spec.template.spec.containers[0].env}']), /"name":"VERSION","value":"v2"/);
    // kubectl rollout undo deployment/helloworld-v1
    await rollUnderLoad('rollout undo', ['rollout', 'undo', 'deployment/helloworld-v1'], 'Hello world v2', 'Hello world v1', '3');
    assert.equal((await get(url)).body, 'Hello world v1\n');
    // Or a new image: the v2 image says v2 by itself.
    await k(['set', 'image', 'deployment/helloworld-v1', 'helloworld-kubernetes=k8tsexamples/helloworld:v2']);
    await k(['rollout', 'status', 'deployment/helloworld-v1', '--timeout=120s']);
    await until('Hello world v2 from the v2 image', async () => (await get(url)).body === 'Hello world v2\n' || undefined);
    await k(['delete', '-f', example('00-hello-world', 'helloworld-go-v1.yaml')]);
  });
}

test('00-hello-world with kubectl 1.33: LoadBalancer, /api/hello, set env VERSION=v2 and rollout undo under load with no failed request', { skip }, () => helloWorld(33));
test('00-hello-world with kubectl 1.27', { skip }, () => helloWorld(27));

const dinosaurs = [
  { Name: 'Coelophysis', Pronunciation: 'seel-OH-fie-sis', LengthInMeters: 2, Diet: 'carnivorous' },
  { Name: 'Triceratops', Pronunciation: 'tri-SERRA-tops', LengthInMeters: 9, Diet: 'herbivorous' },
  { Name: 'Tyrannosaurus', Pronunciation: 'tie-RAN-oh-sore-us', LengthInMeters: 12, Diet: 'carnivorous' },
  { Name: 'Diplodocus', Pronunciation: 'DIP-low DOCK-us', LengthInMeters: 26, Diet: 'herbivorous' },
  { Name: 'Panoplosaurus', Pronunciation: 'pan-op-loh-sore-us', LengthInMeters: 7, Diet: 'herbivorous' },
];

async function dinosaurService(minor: number): Promise<void> {
  await withNamespace(minor, `dino-${minor}`, async (k) => {
    assert.match(await k(['apply', '-f', example('01-dinosaur-service', 'dinosaur-deployment.yaml')]), /^deployment\.apps\/dinosaur-deployment created$/m);
    // kubectl get deployments: eventually 3/3.
    await until('dinosaur-deployment 3/3', async () => /^dinosaur-deployment\s+3\/3\s+3\s+3\s/m.test(await k(['get', 'deployments'])));
    // kubectl expose deployment dinosaur-deployment --type=LoadBalancer --port 8084
    assert.match(await k(['expose', 'deployment', 'dinosaur-deployment', '--type=LoadBalancer', '--port', '8084']), /^service\/dinosaur-deployment exposed$/m);
    const [ip, seconds] = await externalIp(k, 'dinosaur-deployment');
    assert.equal(ip, host().ip);
    assert.ok(seconds < 10, `EXTERNAL-IP after ${seconds} s`);
    assert.match(await k(['get', 'svc']),
      new RegExp(`^dinosaur-deployment\\s+LoadBalancer\\s+10\\.43\\.\\d+\\.\\d+\\s+${ip.replace(/\./g, '\\.')}\\s+8084:3\\d{4}/TCP\\s`, 'm'));
    // GET http://<EXTERNAL-IP>:8084/dinosaurs, as Postman would.
    const res = await until('/dinosaurs at the EXTERNAL-IP', async () => { const r = await get(`http://${ip}:8084/dinosaurs`); return r.status === 200 ? r : undefined; }, 30_000);
    assert.deepEqual(JSON.parse(res.body), dinosaurs);
    assert.ok(res.body.includes('{"Name":"Diplodocus","Pronunciation":"DIP-low DOCK-us","LengthInMeters":26,"Diet":"herbivorous"}'));
    await k(['delete', 'service', 'dinosaur-deployment']);
    await k(['delete', '-f', example('01-dinosaur-service', 'dinosaur-deployment.yaml')]);
  });
}

test('01-dinosaur-service with kubectl 1.33: 3 replicas, expose --type=LoadBalancer --port 8084, EXTERNAL-IP within seconds, /dinosaurs there', { skip }, () => dinosaurService(33));
test('01-dinosaur-service with kubectl 1.27', { skip }, () => dinosaurService(27));

async function goOk(minor: number): Promise<void> {
  const ns = `go-ok-${minor}`;
  await withNamespace(minor, ns, async (k) => {
    const nodeIp = host().ip;
    // kubectl run go-ok --image=cjimti/go-ok: since kubectl 1.18, a bare Pod.
    assert.match(await k(['run', 'go-ok', '--image=cjimti/go-ok']), /^pod\/go-ok created$/m);
    await k(['wait', '--for=condition=Ready', 'pod/go-ok', '--timeout=90s']);
    assert.match(await k(['get', 'pods']), /^go-ok\s+1\/1\s+Running\s+0\s/m);
    await k(['delete', 'pod', 'go-ok']);
    // The Deployment the seed's kubectl 1.9 made: kubectl create deployment.
    assert.match(await k(['create', 'deployment', 'go-ok', '--image=cjimti/go-ok']), /^deployment\.apps\/go-ok created$/m);
    await k(['rollout', 'status', 'deployment/go-ok', '--timeout=90s']);
    assert.match(await k(['get', 'deployments']), /^go-ok\s+1\/1\s+1\s+1\s/m);
    assert.match(await k(['get', 'deployment', '-o', 'yaml']), /^ +- image: cjimti\/go-ok$/m);
    const pod = (await livePods(k, 'app=go-ok')).find((p) => !p.terminating)!;
    assert.match(pod.name, /^go-ok-[a-z0-9]{8,10}-[a-z0-9]{5}$/);
    assert.match(await k(['get', 'pods']), new RegExp(`^${pod.name}\\s+1/1\\s+Running\\s+0\\s`, 'm'));
    // The spec keeps the name as written; the status has what containerd reports (its repo tag).
    const podYaml = await k(['get', 'pod', pod.name, '-o', 'yaml']);
    assert.match(podYaml, /^ +- image: cjimti\/go-ok$/m);
    assert.match(podYaml, /^ +image: docker\.io\/cjimti\/go-ok:latest$/m);
    const rs = pod.name.replace(/-[a-z0-9]{5}$/, '');
    assert.match(await k(['get', 'rs']), new RegExp(`^${rs}\\s+1\\s+1\\s+1\\s`, 'm'));
    assert.match(await k(['get', 'rs', rs, '-o', 'yaml']), /^ +kind: Deployment\n +name: go-ok$/m);
    // kubectl expose deployments go-ok --port 8080 --type NodePort
    assert.match(await k(['expose', 'deployments', 'go-ok', '--port', '8080', '--type', 'NodePort']), /^service\/go-ok exposed$/m);
    const svcRow = /^go-ok\s+NodePort\s+10\.43\.\d+\.\d+\s+<none>\s+8080:(3\d{4})\/TCP\s/m.exec(await k(['get', 'services']));
    assert.ok(svcRow, 'go-ok NodePort row');
    const ok = await until('go-ok on the NodePort', async () => { const r = await get(`http://${nodeIp}:${svcRow[1]}/`); return r.status === 200 ? r.body : undefined; }, 30_000);
    assert.equal(JSON.parse(ok).message, 'ok');
    assert.equal(JSON.parse(ok).hostname, pod.name);
    // kubectl port-forward <pod> 10080:8080 (a free local port here instead of 10080).
    const local = await freePort();
    const pf = spawn(kubectlBinary(minor)!, [`--kubeconfig=${kubeconfig}`, `--namespace=${ns}`, 'port-forward', pod.name, `${local}:8080`], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let pfOut = '';
      pf.stdout!.on('data', (d: Buffer) => { pfOut += d.toString(); });
      await until('port-forward listening', async () => pfOut.includes(`Forwarding from 127.0.0.1:${local} -> 8080`), 20_000);
      const viaPf = await get(`http://127.0.0.1:${local}/port-forward`);
      assert.equal(JSON.parse(viaPf.body).path, '/port-forward');
    } finally {
      pf.kill('SIGTERM');
    }
    // Secrets & Config Maps, from files.
    const dir = await mkdtemp(join(work!, 'go-ok-'));
    await cp(example('03-go-ok'), dir, { recursive: true });
    await mkdir(join(dir, 'tls'), { recursive: true });
    await execFile('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=local.imti.cloud', '-days', '1',
      '-keyout', join(dir, 'tls', 'tls.key'), '-out', join(dir, 'tls', 'tls.crt')]);
    const kIn = (args: string[]) => execFile(kubectlBinary(minor)!, [`--kubeconfig=${kubeconfig}`, `--namespace=${ns}`, ...args], { cwd: dir }).then((r) => r.stdout);
    assert.match(await kIn(['create', 'secret', 'generic', 'tls-certs', '--from-file=tls']), /^secret\/tls-certs created$/m);
    const describedSecret = await kIn(['describe', 'secrets', 'tls-certs']);
    assert.match(describedSecret, /^Type:\s+Opaque$/m);
    assert.match(describedSecret, /^tls\.crt:\s+\d+ bytes$/m);
    assert.match(describedSecret, /^tls\.key:\s+\d+ bytes$/m);
    assert.match(await kIn(['create', 'configmap', 'nginx-proxy-conf', '--from-file', 'nginx/proxy.conf']), /^configmap\/nginx-proxy-conf created$/m);
    const proxyConf = await readFile(join(dir, 'nginx', 'proxy.conf'), 'utf8');
    const describedCm = await kIn(['describe', 'configmap', 'nginx-proxy-conf']);
    assert.match(describedCm, /^proxy\.conf:\n----\n/m);
    assert.ok(describedCm.includes(proxyConf.trim()), describedCm);
    // Declare a Pod: kubectl create -f ./pod.yml (imagePullPolicy: Always pulls it again).
    assert.match(await kIn(['create', '-f', './pod.yml']), /^pod\/go-ok created$/m);
    await k(['wait', '--for=condition=Ready', 'pod/go-ok', '--timeout=90s']);
    assert.match(await k(['get', 'pods', '-l', 'app=go-ok-app']), /^go-ok\s+1\/1\s+Running\s+0\s/m);
    assert.match(await k(['get', 'pods', '-l', 'app=go-ok-app,purpose=example']), /^go-ok\s+1\/1\s+Running\s+0\s/m);
    assert.match(await k(['label', 'pods', 'go-ok', 'owner=cjimti']), /^pod\/go-ok labeled$/m);
    assert.match(await k(['get', 'pods', '-l', 'owner=cjimti']), /^go-ok\s+1\/1\s+Running/m);
    assert.match(await kIn(['delete', '-f', 'pod.yml']), /^pod "go-ok" deleted/m);
    assert.match(await kIn(['create', '-f', './pod.yml']), /^pod\/go-ok created$/m);
    await k(['wait', '--for=condition=Ready', 'pod/go-ok', '--timeout=90s']);
    // Create a Service using a Selector: NodePort 31000 (the exposed go-ok Service goes first: one name).
    await k(['delete', 'service', 'go-ok']);
    assert.match(await kIn(['create', '-f', 'service.yml']), /^service\/go-ok created$/m);
    assert.match(await kIn(['get', '-f', 'service.yml']), /^go-ok\s+NodePort\s+10\.43\.\d+\.\d+\s+<none>\s+80:31000\/TCP\s/m);
    const viaNodePort = await until('pod.yml behind NodePort 31000', async () => { const r = await get(`http://${nodeIp}:31000/`); return r.status === 200 ? r.body : undefined; }, 30_000);
    assert.equal(JSON.parse(viaNodePort).hostname, 'go-ok');
    await kIn(['delete', '-f', 'service.yml', '-f', 'pod.yml']);
    await k(['delete', 'deployment', 'go-ok']);
  });
}

test('03-go-ok with kubectl 1.33: run, deployment, rs, NodePort, port-forward, secret and configmap, pod.yml and service.yml on 31000', { skip }, () => goOk(33));
test('03-go-ok with kubectl 1.27', { skip }, () => goOk(27));

async function orderService(minor: number): Promise<void> {
  await withNamespace(minor, `orders-${minor}`, async (k) => {
    const file = example('04-order-service', 'order-service.yaml');
    const applied = await k(['apply', '-f', file]);
    assert.match(applied, /^deployment\.apps\/order-service created$/m);
    assert.match(applied, /^service\/order-service created$/m);
    await k(['rollout', 'status', 'deployment/order-service', '--timeout=90s']);
    assert.match(await k(['get', 'deployment', 'order-service']), /^order-service\s+3\/3\s+3\s+3\s/m);
    const clusterIp = (await k(['get', 'svc', 'order-service', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    // From the node: the stable address answers with the version it runs.
    const orders = async () => JSON.parse(await host().exec('curl', ['-sS', '--max-time', '5', `http://${clusterIp}:8080/orders`])) as { version: string; pod: string };
    assert.equal((await until('order-service:8080 answers', orders)).version, '1.1');

    // Rolling update 1.1 → 1.2 (and back), watched: never fewer than 3 ready pods, never more than 4.
    const roll = async (command: string[], to: string) => {
      let watching = true;
      const seen: string[] = [];
      const watch = (async () => {
        while (watching) {
          const pods = (await livePods(k, 'app=order-service')).filter((p) => !p.terminating);
          const ready = pods.filter((p) => p.ready).length;
          seen.push(`${pods.length} pods, ${ready} ready: ${pods.map((p) => p.image.replace('order-service:', '')).join(' ')}`);
          assert.ok(ready >= 3, `only ${ready} ready pods during the rollout:\n${seen.join('\n')}`);
          assert.ok(pods.length <= 4, `${pods.length} pods during the rollout:\n${seen.join('\n')}`);
        }
      })();
      try {
        await k(command);
        await k(['rollout', 'status', 'deployment/order-service', '--timeout=180s']);
      } finally {
        watching = false;
        await watch;
      }
      const pods = (await livePods(k, 'app=order-service')).filter((p) => !p.terminating);
      assert.deepEqual(pods.map((p) => p.image), [`order-service:${to}`, `order-service:${to}`, `order-service:${to}`]);
      await until(`every answer from ${to}`, async () => {
        for (let i = 0; i < 9; i++) if ((await orders()).version !== to) return false;
        return true;
      }, 30_000);
      return seen;
    };
    const steps = await roll(['set', 'image', 'deployment/order-service', 'order-service=order-service:1.2'], '1.2');
    assert.ok(steps.some((s) => /1\.1.*1\.2|1\.2.*1\.1/.test(s)), `never saw both versions at once:\n${steps.join('\n')}`);
    // kubectl rollout undo deployment/order-service: back to 1.1.
    await roll(['rollout', 'undo', 'deployment/order-service'], '1.1');
    const history = await k(['rollout', 'history', 'deployment/order-service']);
    assert.match(history, /^2\s/m);
    assert.match(history, /^3\s/m);
    // "If 1 crashes: ... Starts a new Pod immediately. 3 Pods running again within seconds."
    const before = (await livePods(k, 'app=order-service')).filter((p) => !p.terminating).map((p) => p.name);
    await k(['delete', 'pod', before[0]!, '--wait=false']);
    const healed = await until('3 ready pods again', async () => {
      const pods = (await livePods(k, 'app=order-service')).filter((p) => !p.terminating && p.ready);
      return pods.length === 3 && !pods.some((p) => p.name === before[0]) ? pods : undefined;
    }, 60_000);
    assert.equal(healed.filter((p) => before.includes(p.name)).length, 2);
    await k(['delete', '-f', file]);
  });
}

test('04-order-service with kubectl 1.33: 3 replicas, rolling update 1.1 → 1.2 one pod at a time, rollout undo, self-healing', { skip }, () => orderService(33));
test('04-order-service with kubectl 1.27', { skip }, () => orderService(27));
