/**
 * API server over HTTPS, as a separate `k8ts server` process: create/get/list latency, watch
 * delivery, write throughput, start → /readyz, and server RSS idle and holding 10,000 objects;
 * on the embedded SQLite and on a real etcd.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { ConfigMap, Pod, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { configMaps, namespaces, pods, serviceAccounts } from '../src/api/resources/index.js';
import type { Kube } from '../src/api/types.js';
import { startK8ts, type K8tsProcess } from '../test/fixtures/k8ts-process.js';
import { startEtcd } from '../test/fixtures/etcd.js';
import { rawClient } from '../test/fixtures/raw-https.js';
import { restClient } from '../src/client/rest-client.js';
import { restConfigFromKubeconfig } from '../src/client/kubeconfig.js';
import { type Bench, type BenchRow, percentile } from './types.js';

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function clientFor(kubeconfig: string) {
  return restClient({ ...await restConfigFromKubeconfig(kubeconfig), timeoutMs: 5000 });
}

const cm = (name: string): Kube<ConfigMap> => ({ metadata: { name, namespace: 'default', labels: { bench: 'yes' } }, data: { key: 'v'.repeat(256) } });

async function latencies(server: K8tsProcess, label: string, n: number): Promise<BenchRow[]> {
  const c = await clientFor(server.kubeconfig);
  const rows: BenchRow[] = [];
  const time = async (fn: (i: number) => Promise<unknown>, count: number) => {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await fn(i);
      out.push(performance.now() - t);
    }
    return out;
  };
  // The server says it is up before its bootstrap has made the system namespaces: wait for `default`.
  for (const end = Date.now() + 30_000; ;) {
    try { await c.get(namespaces, '', 'default'); break; } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  for (let i = 0; i < 50; i++) await c.create(configMaps, cm(`warm-${label}-${i}`)); // JIT, TLS, caches
  const creates = await time((i) => c.create(configMaps, cm(`c-${label}-${i}`)), n);
  const gets = await time((i) => c.get(configMaps, 'default', `c-${label}-${i % n}`), n);
  const lists = await time(() => c.list(configMaps, { namespace: 'default', labelSelector: 'bench=yes', limit: 500 }), Math.max(20, Math.floor(n / 20)));
  rows.push(
    { name: `create (${label})`, metric: 'p50', value: percentile(creates, 50), unit: 'ms' },
    { name: `create (${label})`, metric: 'p99', value: percentile(creates, 99), unit: 'ms', goal: label === 'sqlite' ? '< 5 ms' : '' },
    { name: `get (${label})`, metric: 'p50', value: percentile(gets, 50), unit: 'ms' },
    { name: `get (${label})`, metric: 'p99', value: percentile(gets, 99), unit: 'ms', goal: label === 'sqlite' ? '< 2 ms' : '' },
    { name: `list 500 of ${n + 50} (${label})`, metric: 'p50', value: percentile(lists, 50), unit: 'ms' },
    { name: `list 500 of ${n + 50} (${label})`, metric: 'p99', value: percentile(lists, 99), unit: 'ms' },
  );

  // Watch delivery: time from a create's acknowledgement… to the event on an open watch.
  const list = await c.list(configMaps, { namespace: 'default', limit: 1 });
  const abort = new AbortController();
  const sent = new Map<string, number>();
  const delivery: number[] = [];
  const watching = (async () => {
    try {
      for await (const e of c.watch(configMaps, { namespace: 'default', resourceVersion: list.metadata.resourceVersion }, abort.signal)) {
        const t0 = sent.get(e.object.metadata.name ?? '');
        if (e.type === 'ADDED' && t0 !== undefined) delivery.push(performance.now() - t0);
      }
    } catch { /* aborted */ }
  })();
  const watchN = Math.min(n, 500);
  for (let i = 0; i < watchN; i++) {
    const name = `wt-${label}-${i}`;
    sent.set(name, performance.now());
    await c.create(configMaps, cm(name));
  }
  const deadline = Date.now() + 10_000;
  while (delivery.length < watchN && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  abort.abort();
  await watching;
  rows.push(
    { name: `watch delivery (${label})`, metric: 'p50', value: percentile(delivery, 50), unit: 'ms' },
    { name: `watch delivery (${label})`, metric: 'p99', value: percentile(delivery, 99), unit: 'ms', goal: label === 'sqlite' ? '< 10 ms' : '' },
  );

  // Throughput: 32 concurrent writers for a fixed count.
  const total = n * 2;
  let next = 0;
  const t = performance.now();
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < total) {
      const i = next++;
      await c.create(configMaps, cm(`tp-${label}-${i}`));
    }
  }));
  rows.push({ name: `create throughput, 32 clients (${label})`, metric: 'rate', value: total / ((performance.now() - t) / 1000), unit: 'writes/s' });
  c.close();
  return rows;
}

const bench: Bench = async ({ quick }) => {
  const rows: BenchRow[] = [];
  const n = quick ? 300 : 1000;

  // Start → /readyz, median of 3 cold starts on fresh data dirs.
  const starts: number[] = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    const t = performance.now();
    const s = await startK8ts(['--disable-agent']);
    const raw = await rawClient(s.kubeconfig);
    while ((await raw.send('GET', '/readyz')).status !== 200) await new Promise((r) => setTimeout(r, 5));
    starts.push(performance.now() - t);
    raw.close();
    await s.stop();
    await s.cleanup();
  }
  rows.push({ name: 'server start → /readyz (process spawn included)', metric: 'p50', value: percentile(starts, 50), unit: 'ms', goal: '< 500 ms' });

  const sqlite = await startK8ts(['--disable-agent']);
  try {
    await new Promise((r) => setTimeout(r, 1000));
    rows.push({ name: 'server RSS idle (sqlite)', metric: 'rss', value: await rssMiB(sqlite.child.pid!), unit: 'MiB', goal: '< 80 MiB' });
    rows.push(...await latencies(sqlite, 'sqlite', n));
    // 10,000 pods held.
    const c = await clientFor(sqlite.kubeconfig);
    await c.create(serviceAccounts, { metadata: { name: 'default', namespace: 'default' } } as Kube<ServiceAccount>).catch(() => undefined);
    const target = quick ? 2000 : 10_000;
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < target) {
        const i = next++;
        await c.create(pods, {
          metadata: { name: `p-${i}`, namespace: 'default', labels: { app: `a${i % 50}` } },
          spec: { containers: [{ name: 'c', image: 'nginx:1.25', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
        } as Kube<Pod>);
      }
    }));
    c.close();
    await new Promise((r) => setTimeout(r, 1000));
    rows.push({ name: `server RSS holding ${target} pods + ${3 * n + 600} configmaps (sqlite)`, metric: 'rss', value: await rssMiB(sqlite.child.pid!), unit: 'MiB', goal: '< 250 MiB' });
  } finally {
    await sqlite.stop();
    await sqlite.cleanup();
  }

  const etcd = await startEtcd();
  try {
    const server = await startK8ts(['--disable-agent', '--datastore-endpoint', etcd.endpoints]);
    try {
      rows.push(...await latencies(server, 'etcd', n));
    } finally {
      await server.stop();
      await server.cleanup();
    }
  } finally {
    await etcd.stop();
  }
  return rows;
};

export default bench;
