/**
 * End to end, the seed's nginx labs as a user types them (issues 4 and 5): one whole k8ts node in
 * a test host, pulling `image: nginx` and `busybox` through a docker.io mirror (registries.yaml)
 * from a local registry this test starts and fills with skopeo — offline stand-ins built from
 * Debian's nginx and busybox-static (test/fixtures/seed-images.ts).
 *
 * Lab 1 (a Pod, then its image changed in place) runs with kubectl 1.33 and 1.27; Lab 2 (a
 * Deployment: self-healing, scale, expose) with 1.33, then a busybox pod's view of the Service
 * (DNS, wget, environment), the other seed's NodePort 31000 Service, and a container over its
 * memory limit reported OOMKilled. One cluster for all of them: start-up is the expensive part.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupK8tsNode, startK8ts, type K8tsProcess } from '../fixtures/k8ts-process.js';
import { createTestNetwork, type TestHost, type TestNetwork } from '../fixtures/netns-host.js';
import { kubectlFor, type Kubectl } from '../fixtures/kubectl.js';
import { startRegistry, writeMirrorRegistries, type LocalRegistry } from '../fixtures/registry.js';
import { nginxPageMarker, seedImages, type SeedImages } from '../fixtures/seed-images.js';
import { until } from '../fixtures/until.js';

const skip = process.getuid?.() !== 0 ? 'needs root'
  : !kubectlFor(33, '/dev/null') || !kubectlFor(27, '/dev/null') ? 'needs kubectl 1.33 and 1.27'
  : !existsSync('/usr/bin/docker-registry') || !existsSync('/usr/bin/skopeo') ? 'needs docker-registry and skopeo'
  : false;

/** Lab 1's manifest, exactly as the seed writes it (trailing blanks and comments included). */
const nginxPodYaml = `apiVersion: v1                  #[1]
kind: Pod                       #[2]
metadata:                       #[3]
 name: nginx-pod                #[4]
 labels:                        #[5]
   app: nginx      
spec:                           #[6]
 containers:                    #[7]
   - name: web                  #[8]
     image: nginx               #[9]
     ports:                     #[10]
       - name: web              #[11]
         containerPort: 80      #[12]
         protocol: TCP          #[13]
`;

/**
 * Lab 2's nginx-deploy.yaml. The seed's copy lost its structural lines (metadata:, labels:,
 * spec:, selector:, matchLabels:, containers:, ports:) in extraction; they are restored here
 * around every line it kept, in its indentation and with its comments.
 */
const nginxDeployYaml = `apiVersion: apps/v1
kind: Deployment             #[1]
metadata:
 name: nginx-deployment
 labels:
   app: nginx     
spec:
 replicas: 3                 #[2]
 selector:
   matchLabels:
     app: nginx              #[3]
 template:                   #[4]
   metadata:
     labels:
       app: nginx            #[5]
   spec:
     containers:
     - name: web
       image: nginx
       ports:
       - name: web
         containerPort: 80
         protocol: "TCP"
`;

/**
 * The other seed's NodePort Service (its structural lines restored the same way; its
 * `//port exposed on the node` remark made a YAML comment, as `//` is not YAML).
 */
const goOkServiceYaml = `apiVersion: v1
kind: Service
metadata:
  name: "go-ok"
spec:
  selector:
    app: "go-ok"
    purpose: "example"
  ports:
    - protocol: "TCP"
      port: 80
      targetPort: 80
      nodePort: 31000 #port exposed on the node (cluster)
  type: NodePort
`;

/**
 * A pod the go-ok Service selects. The seed's `cjimti/go-ok:v1` image (serving on $PORT=80) is
 * stood in for by the nginx image pushed under that name; the labels are the Service's selector
 * (the seed's own pod says `app: go-ok-app`, which its Service would not select).
 */
const goOkPodYaml = `apiVersion: v1
kind: Pod
metadata:
  name: go-ok
  labels:
    app: "go-ok"
    purpose: "example"
spec:
  containers:
    - name: go-ok
      image: cjimti/go-ok:v1
      imagePullPolicy: Always
      env:
        - name: PORT
          value: "80"
        - name: GIN_MODE
          value: "release"
      ports:
        - name: http
          containerPort: 80
`;

let net: TestNetwork | undefined;
let registry: LocalRegistry | undefined;
let k8ts: K8tsProcess | undefined;
let images: SeedImages;
let work: string | undefined;
let kubeconfig = '';

function host(): TestHost { return net!.hosts[0]!; }

function kubectl(minor: number): (args: string[], stdin?: string) => Promise<string> {
  const kc: Kubectl = kubectlFor(minor, kubeconfig)!;
  return async (args, stdin) => {
    const r = await kc(args, stdin === undefined ? {} : { stdin });
    assert.equal(r.code, 0, `kubectl 1.${minor} ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
}

/** GET from inside the node (its network namespace), with curl from the machine. */
async function nodeGet(url: string, headers = false): Promise<string> {
  return host().exec('curl', ['-sS', '--max-time', '5', ...(headers ? ['-D', '-'] : []), url]);
}

/** The X-Pod header (the answering pod's hostname) of one response. */
function podHeader(response: string): string | undefined {
  return /^x-pod:\s*(\S+)/im.exec(response)?.[1];
}

before(async () => {
  if (skip) return;
  images = await seedImages();
  net = await createTestNetwork(1);
  // On the test bridge's machine side: every test host reaches it, nothing else does.
  registry = await startRegistry({ host: net.gatewayIp });
  await registry.push(images.nginx.archive, images.nginx.repository, images.nginx.tag);
  await registry.push(images.nginx1201.archive, images.nginx1201.repository, images.nginx1201.tag);
  await registry.push(images.busybox.archive, images.busybox.repository, images.busybox.tag);
  await registry.push(images.nginx.archive, 'cjimti/go-ok', 'v1');
  work = await mkdtemp(join(tmpdir(), 'k8ts-seed-nginx-'));
  const dataDir = join(work, 'data');
  await writeMirrorRegistries(dataDir, registry.url);
  k8ts = await startK8ts([], { host: host(), dataDir });
  kubeconfig = k8ts.kubeconfig;
  const k = kubectl(33);
  await until('node Ready', async () =>
    (await k(['get', 'nodes', '-o', 'jsonpath={.items[0].status.conditions[?(@.type=="Ready")].status}'])) === 'True');
});

after(async () => {
  if (k8ts) {
    await k8ts.stop().catch(() => undefined);
    const out = await cleanupK8tsNode(k8ts.dataDir, net?.hosts[0]);
    if (process.env.K8TS_TEST_LOG) console.error(k8ts.output(), out);
  }
  await registry?.stop();
  await net?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

async function lab1(minor: number): Promise<void> {
  try {
    await lab1Steps(minor);
  } finally {
    await kubectlFor(minor, kubeconfig)!(['delete', 'pod', 'nginx-pod', '--ignore-not-found', '--wait=true', '--timeout=60s']);
  }
}

async function lab1Steps(minor: number): Promise<void> {
  const k = kubectl(minor);
  const file = join(work!, `nginx-pod-${minor}.yaml`);
  await writeFile(file, nginxPodYaml);
  assert.match(await k(['apply', '-f', file]), /^pod\/nginx-pod created$/m);
  // "kubectl get pod": nginx-pod 1/1 Running.
  await until('nginx-pod 1/1 Running', async () => /^nginx-pod\s+1\/1\s+Running\s+0\s/m.test(await k(['get', 'pod'])));
  // "kubectl describe pod/nginx-pod": the pod's IP and the container web, image nginx.
  const describe = await k(['describe', 'pod/nginx-pod']);
  const podIp = (await k(['get', 'pod', 'nginx-pod', '-o', 'jsonpath={.status.podIP}'])).trim();
  assert.match(podIp, /^10\.42\.\d+\.\d+$/);
  assert.match(describe, new RegExp(`^IP:\\s+${podIp.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(describe, /^Containers:\n {2}web:\n/m);
  assert.match(describe, /^ {4}Image:\s+nginx$/m);
  assert.match(describe, /^ {4}Port:\s+80\/TCP$/m);
  assert.match(describe, /^ {4}State:\s+Running$/m);
  // "curl <pod IP>" from the node: the welcome page of the latest tag.
  const page = await until('the welcome page at the pod IP', () => nodeGet(`http://${podIp}/`));
  assert.match(page, /<title>Welcome to nginx!<\/title>/);
  assert.ok(page.includes(nginxPageMarker('latest')), page);
  // nginx logs its access log to stdout, as the official image does.
  assert.match(await until('the access log line', async () => {
    const logs = await k(['logs', 'nginx-pod']);
    return /"GET \/ HTTP\/1\.1" 200 /.test(logs) ? logs : undefined;
  }), /"curl\//);

  const before = JSON.parse(await k(['get', 'pod', 'nginx-pod', '-o', 'json']));
  // Edit #[9] to nginx:1.20.1 and re-apply: a new container in the same pod.
  await writeFile(file, nginxPodYaml.replace('image: nginx     ', 'image: nginx:1.20.1'));
  assert.match(await k(['apply', '-f', file]), /^pod\/nginx-pod configured$/m);
  const pod = await until('the web container re-created with nginx:1.20.1', async () => {
    const p = JSON.parse(await k(['get', 'pod', 'nginx-pod', '-o', 'json']));
    const cs = p.status?.containerStatuses?.[0];
    return cs?.state?.running && /(^|\/)nginx:1\.20\.1$/.test(cs.image) && cs.ready ? p : undefined;
  });
  assert.equal(pod.metadata.uid, before.metadata.uid, 'the same pod');
  assert.equal(pod.status.startTime, before.status.startTime, 'the pod start time is unchanged');
  assert.equal(pod.status.podIP, podIp);
  assert.notEqual(pod.status.containerStatuses[0].containerID, before.status.containerStatuses[0].containerID, 'a new container');
  assert.equal(pod.status.containerStatuses[0].restartCount, 1);
  const page2 = await until('the 1.20.1 page', async () => {
    const p = await nodeGet(`http://${podIp}/`);
    return p.includes(nginxPageMarker('1.20.1')) ? p : undefined;
  });
  assert.match(page2, /Welcome to nginx!/);
  const events = await k(['get', 'events', '--field-selector', 'involvedObject.name=nginx-pod', '-o', 'jsonpath={range .items[*]}{.reason}{" "}{.message}{"\\n"}{end}']);
  assert.match(events, /^Killing .*web/m);
  assert.match(await k(['delete', 'pod', 'nginx-pod', '--wait=true', '--timeout=60s']), /^pod "nginx-pod" deleted$/m);
}

test('Lab 1 with kubectl 1.33: nginx-pod Running, its page at the pod IP, image changed in the same pod', { skip }, () => lab1(33));

test('Lab 1 with kubectl 1.27', { skip }, () => lab1(27));

let clusterIp = '';

test('Lab 2: a Deployment of 3 heals a deleted pod, scales to 10, and its ClusterIP Service reaches many pods', { skip }, async () => {
  const k = kubectl(33);
  const file = join(work!, 'nginx-deploy.yaml');
  await writeFile(file, nginxDeployYaml);
  assert.match(await k(['apply', '-f', file]), /^deployment\.apps\/nginx-deployment created$/m);
  // Pods of the deployment that run and are not being deleted.
  const runningPods = async (): Promise<string[]> => (JSON.parse(await k(['get', 'pod', '-l', 'app=nginx,pod-template-hash', '-o', 'json'])).items as
    { metadata: { name: string; deletionTimestamp?: string }; status: { phase?: string } }[])
    .filter((p) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp).map((p) => p.metadata.name);
  await k(['rollout', 'status', 'deployment/nginx-deployment', '--timeout=90s']);
  const three = await until('3 pods running', async () => { const p = await runningPods(); return p.length === 3 ? p : undefined; });
  assert.match(await k(['get', 'deploy']), /^nginx-deployment\s+3\/3\s+3\s+3\s/m);
  // Delete one: a new pod takes its place.
  const victim = three[0]!;
  await k(['delete', 'pod', victim]);
  const healed = await until('a replacement pod', async () => {
    const pods = await runningPods();
    return pods.length === 3 && !pods.includes(victim) ? pods : undefined;
  });
  assert.equal(healed.filter((p) => three.includes(p)).length, 2);
  // Scale to 10.
  assert.match(await k(['scale', 'deploy', '--replicas=10', 'nginx-deployment']), /deployment\.apps\/nginx-deployment scaled/);
  await k(['rollout', 'status', 'deployment/nginx-deployment', '--timeout=120s']);
  const ten = await until('10 pods running', async () => { const p = await runningPods(); return p.length === 10 ? p : undefined; });
  assert.match(await k(['get', 'deploy', 'nginx-deployment']), /^nginx-deployment\s+10\/10\s+10\s+10\s/m);
  // Expose: a ClusterIP Service on the container port.
  assert.match(await k(['expose', 'deployment', 'nginx-deployment', '--name=nginx-service']), /^service\/nginx-service exposed$/m);
  clusterIp = (await k(['get', 'svc', 'nginx-service', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  assert.match(clusterIp, /^10\.43\.\d+\.\d+$/);
  assert.match(await k(['get', 'svc', 'nginx-service']), new RegExp(`^nginx-service\\s+ClusterIP\\s+${clusterIp.replace(/\./g, '\\.')}\\s+<none>\\s+80/TCP\\s`, 'm'));
  await until('10 endpoints', async () =>
    (await k(['get', 'endpoints', 'nginx-service', '-o', 'jsonpath={.subsets[*].addresses[*].ip}'])).trim().split(/\s+/).length === 10);
  // From the node: 40 requests (a new connection each) to the ClusterIP.
  await until('the ClusterIP answers', () => nodeGet(`http://${clusterIp}/`));
  const script = `for i in $(seq 40); do curl -sS --max-time 5 -o /dev/null -D - http://${clusterIp}/ | grep -i '^x-pod:'; done`;
  const fromNode = new Set((await host().exec('sh', ['-c', script], { timeoutMs: 120_000 })).split('\n').map(podHeader).filter(Boolean));
  for (const name of fromNode) assert.ok(ten.includes(name!), `${name} is a pod of the deployment`);
  assert.ok(fromNode.size >= 5, `40 requests from the node reached only ${[...fromNode].join(', ')}`);
});

test('from a busybox pod: the Service by DNS, by name over HTTP, and in the environment', { skip }, async () => {
  assert.ok(clusterIp, 'needs the Lab 2 Service');
  const k = kubectl(33);
  await k(['run', 'client', '--image=busybox', '--restart=Never', '--', 'sleep', '3600']);
  await k(['wait', '--for=condition=Ready', 'pod/client', '--timeout=90s']);
  const exec = (cmd: string) => k(['exec', 'client', '--', 'sh', '-c', cmd]);
  const lookup = await until('nslookup answers', async () => {
    const out = await exec('nslookup nginx-service.default.svc.cluster.local 2>&1 || true');
    return out.includes(clusterIp) ? out : undefined;
  });
  assert.match(lookup, new RegExp(`Name:\\s+nginx-service\\.default\\.svc\\.cluster\\.local\\s+Address:\\s+${clusterIp.replace(/\./g, '\\.')}`));
  const page = await until('wget http://nginx-service/', () => exec('timeout 5 wget -qO- http://nginx-service/'));
  assert.match(page, /Welcome to nginx!/);
  const env = await exec('env');
  assert.match(env, new RegExp(`^NGINX_SERVICE_SERVICE_HOST=${clusterIp.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(env, /^NGINX_SERVICE_SERVICE_PORT=80$/m);
  // From the pod, too, the ClusterIP spreads over many pods.
  const headers = await exec(`for i in $(seq 40); do timeout 5 wget -S -qO /dev/null http://${clusterIp}/ 2>&1 | grep -i 'x-pod:'; done`);
  const fromPod = new Set(headers.split('\n').map((l) => podHeader(l.trim())).filter(Boolean));
  assert.ok(fromPod.size >= 5, `40 requests from a pod reached only ${[...fromPod].join(', ')}`);
  await k(['delete', 'pod', 'client', '--wait=false']);
});

test("the seed's NodePort Service answers on the node's InternalIP:31000", { skip }, async () => {
  const k = kubectl(33);
  await k(['apply', '-f', '-'], goOkPodYaml);
  assert.match(await k(['apply', '-f', '-'], goOkServiceYaml), /^service\/go-ok created$/m);
  await k(['wait', '--for=condition=Ready', 'pod/go-ok', '--timeout=90s']);
  assert.match(await k(['get', 'services', 'go-ok']), /^go-ok\s+NodePort\s+10\.43\.\d+\.\d+\s+<none>\s+80:31000\/TCP\s/m);
  const internalIp = (await k(['get', 'nodes', '-o', 'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}'])).trim();
  assert.equal(internalIp, host().ip);
  const goOkName = (await k(['get', 'pod', 'go-ok', '-o', 'jsonpath={.metadata.name}'])).trim();
  // From the node itself, and from outside it (the machine, across the test bridge).
  const inside = await until('NodePort from the node', () => nodeGet(`http://${internalIp}:31000/`, true));
  assert.equal(podHeader(inside), goOkName);
  const res = await until('NodePort from the machine', async () => {
    const r = await fetch(`http://${internalIp}:31000/`, { signal: AbortSignal.timeout(5000) });
    return r.ok ? r : undefined;
  });
  assert.equal(res.headers.get('x-pod'), goOkName);
  assert.match(await res.text(), /Welcome to nginx!/);
  await k(['delete', 'service', 'go-ok']);
  await k(['delete', 'pod', 'go-ok', '--wait=false']);
});

test('a container over its memory limit is reported OOMKilled', { skip }, async () => {
  const k = kubectl(33);
  // busybox dd fills a 64 MiB buffer inside a 16 MiB limit.
  await k(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata:
  name: oom
spec:
  restartPolicy: Never
  containers:
    - name: hog
      image: busybox
      command: ["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"]
      resources:
        limits:
          memory: 16Mi
`);
  const terminated = await until('the container terminated', async () => {
    const t = JSON.parse(await k(['get', 'pod', 'oom', '-o', 'json'])).status?.containerStatuses?.[0]?.state?.terminated;
    return t ?? undefined;
  });
  assert.equal(terminated.reason, 'OOMKilled', JSON.stringify(terminated));
  assert.equal(terminated.exitCode, 137);
  assert.match(await k(['get', 'pod', 'oom']), /^oom\s+0\/1\s+OOMKilled\s+0\s/m);
  await k(['delete', 'pod', 'oom', '--wait=false']);

  // Restarted (restartPolicy Always): the OOM kill is the last state, and describe says so.
  await k(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata:
  name: oom-again
spec:
  containers:
    - name: hog
      image: busybox
      command: ["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"]
      resources:
        limits:
          memory: 16Mi
`);
  const status = await until('the OOM kill as lastState', async () => {
    const cs = JSON.parse(await k(['get', 'pod', 'oom-again', '-o', 'json'])).status?.containerStatuses?.[0];
    return cs?.lastState?.terminated ? cs : undefined;
  });
  assert.equal(status.lastState.terminated.reason, 'OOMKilled', JSON.stringify(status));
  assert.ok(status.restartCount >= 1);
  assert.match(await k(['describe', 'pod', 'oom-again']), /Last State:\s+Terminated\n\s+Reason:\s+OOMKilled\n/);
  await k(['delete', 'pod', 'oom-again', '--wait=false']);
});
