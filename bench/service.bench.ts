/**
 * Services on a whole node (issue 5 goals), with the hello-world walkthrough's Go server as the
 * backend, inside a test host's network namespace: the time
 * from creating a Service (what `kubectl expose` sends) to the first answer on its ClusterIP
 * from the node, and requests/s through the ClusterIP against straight to one pod IP (the
 * proxy's overhead), from a load generator in the node's namespace.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { services, pods, type PodObject, type ServiceObject } from '../src/api/resources/core/index.js';
import { deployments } from '../src/api/resources/apps/index.js';
import { exampleImages } from '../test/fixtures/example-images.js';
import type { TestHost } from '../test/fixtures/netns-host.js';
import { until } from '../test/fixtures/until.js';
import { withTestNode } from './test-node.js';
import { percentile, type Bench, type BenchRow } from './types.js';

const run = promisify(execFile);
const mainJs = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
/** The hello-world walkthrough's Go server (keep-alive, like real services), from examples/. */
const image = 'k8tsexamples/helloworld:v1';
const path = '/api/hello';
const answer = 'Hello world v1\n';
const ns = 'default';

/**
 * Requests/s for `seconds` with `conns` concurrent keep-alive clients to http://target/, run by
 * node inside the host's namespace (so the traffic never leaves it).
 */
async function load(host: TestHost, target: string, seconds: number, conns: number): Promise<number> {
  const script = `
    const http = require('node:http');
    const agent = new http.Agent({ keepAlive: true, maxSockets: ${conns} });
    const end = Date.now() + ${seconds * 1000};
    let ok = 0, failed = 0;
    const one = () => new Promise((resolve) => {
      const req = http.get({ host: '${target.split(':')[0]}', port: ${Number(target.split(':')[1] ?? 80)}, path: '${path}', agent }, (res) => {
        res.resume(); res.on('end', () => { if (res.statusCode === 200) ok++; else failed++; resolve(); });
      });
      req.on('error', () => { failed++; resolve(); });
    });
    const worker = async () => { while (Date.now() < end) await one(); };
    Promise.all(Array.from({ length: ${conns} }, worker)).then(() => { console.log(JSON.stringify({ ok, failed })); agent.destroy(); });
  `;
  const out = await host.exec(process.execPath, ['-e', script], { timeoutMs: (seconds + 30) * 1000 });
  const { ok } = JSON.parse(out) as { ok: number; failed: number };
  return ok / seconds;
}

const bench: Bench = async ({ quick }) => {
  if (process.getuid?.() !== 0) return [];
  return withTestNode(async ({ k8ts, host, client }) => {
    const built = (await exampleImages()).find((i) => i.name === image);
    if (!built) throw new Error(`${image} is not among the examples' images`);
    await run(process.execPath, [mainJs, 'image', 'import', '--data-dir', k8ts.dataDir, built.archive]);
    const labels = { app: 'bench-web' };
    await until('the deployment accepted', () => client.create(deployments, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bench-web', namespace: ns },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 8080 }] }] } } },
    } as never), 30_000, 200);
    const ready = await until('a ready pod', async () => {
      const list = (await client.list(pods, { namespace: ns, labelSelector: 'app=bench-web' })).items as PodObject[];
      const ok = list.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ok.length === 1 && ok;
    }, 60_000, 100);
    const rounds = quick ? 3 : 10;
    const exposeMs: number[] = [];
    let clusterIp = '';
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      const svc = await client.create(services, {
        apiVersion: 'v1', kind: 'Service', metadata: { name: `web-${i}`, namespace: ns },
        spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
      } as ServiceObject);
      clusterIp = svc.spec?.clusterIP ?? '';
      await until('the ClusterIP answers', async () => (await host.exec('timeout', ['2', 'busybox', 'wget', '-qO-', `http://${clusterIp}${path}`])) === answer, 30_000, 10);
      exposeMs.push(performance.now() - t0);
    }
    // Throughput: the one backend pod, straight and through the ClusterIP.
    const podIp = ready[0]!.status!.podIP!;
    const seconds = quick ? 3 : 8;
    const direct = await load(host, `${podIp}:8080`, seconds, 8);
    const viaService = await load(host, `${clusterIp}:80`, seconds, 8);
    const rows: BenchRow[] = [
      { name: 'service: create → first answer on the ClusterIP', metric: `p50 / p99 of ${rounds}`, value: percentile(exposeMs, 50), unit: `ms / ${percentile(exposeMs, 99).toFixed(0)} ms`, goal: '< 1 s' },
      { name: 'service: requests/s straight to a pod IP', metric: '8 keep-alive clients', value: Math.round(direct), unit: 'req/s' },
      { name: 'service: requests/s through the ClusterIP (same pod)', metric: '8 keep-alive clients', value: Math.round(viaService), unit: `req/s (${Math.round((100 * viaService) / direct)}% of direct)`, goal: '>= 90% of direct' },
    ];
    return rows;
  });
};
export default bench;
