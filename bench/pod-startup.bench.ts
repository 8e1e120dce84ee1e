/**
 * Pod startup through the whole node agent: pods created through the (in-process) API server,
 * bound to the node, run by the kubelet on a real containerd (image present, CNI bridge network).
 * Measures create → Running and create → Ready (from the status the kubelet writes, seen by a
 * watch) for 1, 10 and 30 pods created at once, p50/p99 and the wall time of the batch; then the
 * process RSS (kubelet and API server share this process, so the RSS before the kubelet started
 * is reported too: the difference is the agent's share) and containerd's RSS.
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { isAlreadyExists, isNotFound } from '../src/api/errors.js';
import { pods, serviceAccounts, namespaces, type PodObject } from '../src/api/resources/core/index.js';
import { silentLogger, sleep, systemClock } from '../src/base/index.js';
import { createCriClient } from '../src/kubelet/cri/index.js';
import { kubelet } from '../src/kubelet/kubelet.js';
import { startContainerd } from '../test/fixtures/containerd.js';
import { importTestAppImage, testAppImage } from '../test/fixtures/images.js';
import { startTestServer } from '../test/fixtures/server.js';
import { percentile, type Bench, type BenchRow } from './types.js';

const nodeName = 'bench-node';
const ns = 'bench';

async function rssMiB(pid: number | undefined): Promise<number> {
  if (!pid) return NaN;
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function retry<T>(fn: () => Promise<T>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(100);
    }
  }
}

const bench: Bench = async ({ quick }) => {
  const fx = await startContainerd();
  const cri = createCriClient(fx.socket);
  const server = await startTestServer();
  const stop = new AbortController();
  let agent: Promise<void> | undefined;
  const rows: BenchRow[] = [];
  try {
    await importTestAppImage(fx.socket, join(fx.dataDir, 'testapp'));
    const client = server.client;
    await retry(async () => {
      try { await client.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } as never); } catch (err) { if (!isAlreadyExists(err)) throw err; }
      try { await client.create(serviceAccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } } as never); } catch (err) { if (!isAlreadyExists(err)) throw err; }
    });
    // The API server alone (warmed by the namespace writes), before any kubelet code runs.
    const rssBeforeAgent = process.memoryUsage().rss / 2 ** 20;
    const k = kubelet({
      client, cri, node: { name: nodeName, ip: '127.0.0.1', podCIDR: fx.podCIDR }, dataDir: fx.dataDir,
      clock: systemClock, log: silentLogger, cgroupRoot: fx.cgroupRoot,
    });
    agent = k.run(stop.signal);
    await k.ready(stop.signal);

    // Every status change the kubelet writes, timestamped as the watch delivers it.
    const running = new Map<string, number>();
    const ready = new Map<string, number>();
    const watching = (async () => {
      for await (const ev of client.watch(pods, { namespace: ns }, stop.signal)) {
        if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') continue;
        const p = ev.object;
        const name = p.metadata.name ?? '';
        if (p.status?.phase === 'Running' && !running.has(name)) running.set(name, performance.now());
        if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !ready.has(name)) ready.set(name, performance.now());
      }
    })().catch(() => undefined);

    const podOf = (name: string): PodObject => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns },
      spec: {
        nodeName, automountServiceAccountToken: false, terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'app', image: testAppImage, imagePullPolicy: 'IfNotPresent',
          readinessProbe: { exec: { command: ['/testapp', 'echo', 'ok'] }, periodSeconds: 1 },
        }],
      },
    } as PodObject);

    async function batch(names: string[]): Promise<{ toRunning: number[]; toReady: number[]; wall: number }> {
      const created = new Map<string, number>();
      const t0 = performance.now();
      await Promise.all(names.map(async (n) => {
        created.set(n, performance.now());
        await client.create(pods, podOf(n));
      }));
      const deadline = Date.now() + 60_000;
      while (!names.every((n) => ready.has(n))) {
        if (Date.now() > deadline) throw new Error(`pods not Ready after 60 s: ${names.filter((n) => !ready.has(n)).join(' ')}`);
        await sleep(10);
      }
      const wallRunning = Math.max(...names.map((n) => running.get(n)!)) - t0;
      return {
        toRunning: names.map((n) => running.get(n)! - created.get(n)!),
        toReady: names.map((n) => ready.get(n)! - created.get(n)!),
        wall: wallRunning,
      };
    }

    async function removeAll(names: string[]): Promise<void> {
      await Promise.all(names.map((n) => client.delete(pods, ns, n).catch(() => undefined)));
      const deadline = Date.now() + 60_000;
      for (const n of names) {
        for (;;) {
          try { await client.get(pods, ns, n); } catch (err) { if (isNotFound(err)) break; throw err; }
          if (Date.now() > deadline) throw new Error(`pod ${n} not deleted`);
          await sleep(50);
        }
      }
    }

    // A warm-up pod: first-use costs (image snapshot, CNI plugin load) are not counted.
    await batch(['warmup']);
    await removeAll(['warmup']);
    for (const n of quick ? [1, 10] : [1, 10, 30]) {
      const names = Array.from({ length: n }, (_, i) => `p${n}-${i}`);
      const r = await batch(names);
      const name = `pod startup through the agent, ${n} pod${n > 1 ? 's' : ''} at once (image present)`;
      rows.push({ name, metric: 'create → Running p50', value: percentile(r.toRunning, 50), unit: 'ms' });
      rows.push({ name, metric: 'create → Running p99', value: percentile(r.toRunning, 99), unit: 'ms', goal: n === 1 ? '< 1000 ms' : '' });
      rows.push({ name, metric: 'create → Ready p50', value: percentile(r.toReady, 50), unit: 'ms' });
      rows.push({ name, metric: 'create → Ready p99', value: percentile(r.toReady, 99), unit: 'ms' });
      rows.push({ name, metric: 'all Running', value: r.wall, unit: 'ms', goal: n === 30 ? '< 5000 ms' : '' });
      if (n === (quick ? 10 : 30)) {
        const rss = process.memoryUsage().rss / 2 ** 20;
        rows.push({ name: `agent + in-process API server with ${n} pods`, metric: 'RSS', value: rss, unit: 'MiB' });
        rows.push({ name: `agent share with ${n} pods (RSS minus the API server's before the kubelet started)`, metric: 'RSS', value: rss - rssBeforeAgent, unit: 'MiB', goal: '< 100 MiB' });
        rows.push({ name: `containerd with ${n} pods`, metric: 'RSS', value: await rssMiB(fx.containerdPid()), unit: 'MiB' });
      }
      await removeAll(names);
    }
    stop.abort();
    await watching;
  } finally {
    stop.abort();
    await agent?.catch(() => undefined);
    cri.close();
    await server.stop().catch(() => undefined);
    await fx.stop();
  }
  return rows;
};
export default bench;
