/**
 * Controllers end to end, and the control plane's memory at scale.
 *
 * - Self-healing: a real in-process k8ts server (controller manager and scheduler as shipped,
 *   SQLite in a temp dir) and simulated nodes; a Deployment's pod is deleted (default grace
 *   period, as `kubectl delete pod` does) and the clock runs until a replacement pod of the
 *   Deployment is Running. p50/p99 over a series of deletions, one at a time.
 * - RSS at scale: `k8ts server --disable-agent` as its own process, `k8ts simulate` with 1,000
 *   nodes as another, and 10,000 pods created over HTTPS by this process; the server's highest RSS
 *   over 10 s, starting 10 s after every pod is Running (this process counts them from a watch).
 */
import { readFile } from 'node:fs/promises';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { deployments } from '../src/api/resources/apps/index.js';
import { namespaces, pods, serviceAccounts } from '../src/api/resources/core/index.js';
import type { Kube } from '../src/api/types.js';
import { silentLogger } from '../src/base/log.js';
import { systemClock } from '../src/base/clock.js';
import { createInformer } from '../src/client/informer.js';
import type { Client } from '../src/client/types.js';
import { simulate } from '../src/simulator/index.js';
import { startTestServer } from '../test/fixtures/server.js';
import { startSimulatedCluster } from './simulated-cluster.js';
import { type Bench, type BenchRow, percentile } from './types.js';
import { until } from '../test/fixtures/until.js';


const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));


function deployment(ns: string, name: string, replicas: number): Kube<Deployment> {
  return {
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'registry.local/bench/app:1.0', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
      },
    },
  };
}

const running = (p: Pod) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp;

/** Deletes one Running pod of the Deployment at a time and times its Running replacement. */
async function selfHealing(deletions: number): Promise<number[]> {
  const server = await startTestServer();
  const ac = new AbortController();
  const runs: Promise<void>[] = [];
  try {
    const client: Client = server.client;
    runs.push(simulate({ client, log: silentLogger, clock: systemClock }, { nodes: 3, namePrefix: 'heal-', cpu: '32', memory: '256Gi', pods: 110 }).run(ac.signal));
    const ns = 'bench-heal';
    await client.create(namespaces, { metadata: { name: ns } } as never);
    // The serviceaccount controller makes `default`; the admission plugin wants it before pods.
    await until('the default ServiceAccount', async () => {
      try { await client.get(serviceAccounts, ns, 'default'); return true; } catch { return false; }
    }, 30_000);
    const inf = createInformer(pods, { client });
    runs.push(inf.run(ac.signal));
    await inf.waitForSync(ac.signal);
    const replicas = 5;
    await client.create(deployments, deployment(ns, 'heal', replicas) as never);
    const ready = () => inf.list(ns).filter(running);
    await until(`${replicas} Running pods`, async () => ready().length === replicas, 60_000, 5);
    const times: number[] = [];
    for (let i = 0; i < deletions; i++) {
      const before = new Set(ready().map((p) => p.metadata!.uid));
      const victim = ready()[i % replicas]!;
      const t0 = performance.now();
      await client.delete(pods, ns, victim.metadata!.name!);
      await until('a Running replacement', async () => ready().some((p) => !before.has(p.metadata!.uid)), 30_000, 5);
      times.push(performance.now() - t0);
      // The old pod finishes terminating before the next round (the simulator deletes it).
      await until('the deleted pod gone', async () => inf.get(`${ns}/${victim.metadata!.name}`) === undefined, 30_000, 5);
    }
    return times;
  } finally {
    ac.abort();
    await Promise.all(runs);
    await server.stop();
  }
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** The server process's RSS holding `nodeCount` simulated nodes and `podCount` Running pods. */
async function rssAtScale(nodeCount: number, podCount: number): Promise<{ rss: number; createMs: number; afterRestart: number }> {
  const cluster = await startSimulatedCluster(nodeCount, { namePrefix: 'scale-' });
  const { client } = cluster;
  const watching = new AbortController();
  let watched: Promise<void> | undefined;
  try {
    const inf = createInformer(pods, { client });
    watched = inf.run(watching.signal);
    await inf.waitForSync(watching.signal);
    // Plain pods, as the scheduler bench makes them.
    const t0 = performance.now();
    let i = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (i < podCount) {
        const n = i++;
        await client.create(pods, { metadata: { name: `scale-${n}`, namespace: 'default', labels: { app: 'scale' } }, spec: { containers: [{ name: 'app', image: 'registry.local/bench/app:1.0', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } } as never);
      }
    }));
    const createMs = performance.now() - t0;
    // Counted from a watch (as `kubectl get pods -w` would), not by listing all 10,000 pods every
    // few milliseconds: the measurement must not be dominated by the bench's own polling.
    await until(`${podCount} Running pods`, async () => inf.list('default').filter(running).length >= podCount, 900_000);
    // Settle: informers caught up, garbage collected at its own pace. The highest reading of the
    // settle's last 10 s counts, not one lucky instant.
    const settledRss = async () => {
      await sleepMs(10_000);
      let highest = 0;
      for (let k = 0; k < 10; k++) {
        highest = Math.max(highest, await rssMiB(cluster.server.child.pid!));
        await sleepMs(1000);
      }
      return highest;
    };
    const rss = await settledRss();
    // A restart at that scale: every informer in the server lists everything again at once.
    await cluster.restartServer();
    await until('the restarted server lists the pods', async () => {
      try { return (await client.list(pods, { namespace: 'default', limit: 1 })).items.length > 0; } catch { return false; }
    }, 60_000);
    const afterRestart = await settledRss();
    return { rss, createMs, afterRestart };
  } finally {
    watching.abort();
    await watched;
    await cluster.stop();
  }
}

const bench: Bench = async ({ quick }) => {
  const rows: BenchRow[] = [];
  const times = await selfHealing(quick ? 5 : 20);
  rows.push({ name: `deleted Deployment pod → replacement Running (simulated nodes, ${times.length} deletions)`, metric: 'p50', value: percentile(times, 50), unit: 'ms', goal: '' });
  rows.push({ name: `deleted Deployment pod → replacement Running (simulated nodes, ${times.length} deletions)`, metric: 'p99', value: percentile(times, 99), unit: 'ms', goal: '< 1000 ms' });
  const nodeCount = quick ? 100 : 1000;
  const podCount = quick ? 1000 : 10_000;
  const scale = await rssAtScale(nodeCount, podCount);
  rows.push({ name: `server RSS with ${nodeCount} simulated nodes and ${podCount} Running pods (server process alone)`, metric: 'rss', value: scale.rss, unit: 'MiB', goal: '< 400 MiB' });
  rows.push({ name: `server RSS with ${nodeCount} simulated nodes and ${podCount} Running pods, after a server restart`, metric: 'rss', value: scale.afterRestart, unit: 'MiB', goal: '< 400 MiB' });
  rows.push({ name: `${podCount} pod creates over HTTPS, 32 clients, ${nodeCount} simulated nodes`, metric: 'rate', value: podCount / (scale.createMs / 1000), unit: 'pods/s', goal: '' });
  return rows;
};

export default bench;

if (process.argv[1]?.endsWith('controllers.bench.ts') || process.argv[1]?.endsWith('controllers.bench.js')) {
  const rows = await bench({ quick: process.argv.includes('--quick') });
  for (const r of rows) process.stdout.write(`${r.name} | ${r.metric} | ${r.value.toFixed(2)} ${r.unit}\n`);
}
