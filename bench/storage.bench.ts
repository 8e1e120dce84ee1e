/**
 * Store-level latency and throughput of both backends (SQLite file with the default
 * synchronous=FULL, once per SQLite driver this Node can run, and a real etcd started for the run), watch delivery latency, and the memory
 * of a watch cache holding 10,000 pod-sized objects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd } from '../test/fixtures/etcd.js';
import { openEtcdStore } from '../src/storage/etcd/index.js';
import { openSqliteStore, sqliteDriverNames, sqliteDriverUnavailable } from '../src/storage/sqlite/index.js';
import type { KeyValue, Store } from '../src/storage/store.js';
import { WatchCache } from '../src/storage/watchcache/index.js';
import { percentile, type Bench, type BenchRow } from './types.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A pod as the apiserver would store it (2.7 KiB of JSON). */
export function podJson(i: number): Uint8Array {
  const name = `bench-pod-${i}`;
  return enc.encode(JSON.stringify({
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'default', uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      creationTimestamp: '2025-01-01T00:00:00Z', labels: { app: 'bench', 'pod-template-hash': '5d8f7c9b6d', index: String(i % 100) },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'bench-5d8f7c9b6d', uid: '11111111-2222-4333-8444-555555555555', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containers: [{
        name: 'app', image: 'registry.local/bench/app:1.0', ports: [{ containerPort: 8080, protocol: 'TCP' }],
        env: [{ name: 'MODE', value: 'bench' }, { name: 'INDEX', value: String(i) }],
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
        volumeMounts: [{ name: 'kube-api-access-abcde', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
        terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent',
      }],
      restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', serviceAccountName: 'default',
      nodeName: `node-${i % 10}`, schedulerName: 'default-scheduler', enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority', priority: 0,
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      volumes: [{ name: 'kube-api-access-abcde', projected: { defaultMode: 420, sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ] } }],
    },
    status: {
      phase: 'Running', hostIP: '10.0.0.1', podIP: `10.42.${(i >> 8) & 255}.${i & 255}`, startTime: '2025-01-01T00:00:01Z', qosClass: 'Burstable',
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:02Z' })),
      containerStatuses: [{ name: 'app', ready: true, restartCount: 0, started: true, image: 'registry.local/bench/app:1.0', imageID: 'sha256:' + 'ab'.repeat(32),
        containerID: 'containerd://' + 'cd'.repeat(32), state: { running: { startedAt: '2025-01-01T00:00:02Z' } }, lastState: {} }],
    },
  }));
}

const ms = (t0: number) => performance.now() - t0;

interface Budget { ops: number; maxMs: number }

async function timed(budget: Budget, op: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  const deadline = performance.now() + budget.maxMs;
  for (let i = 0; i < budget.ops && performance.now() < deadline; i++) {
    const t0 = performance.now();
    await op(i);
    out.push(ms(t0));
  }
  return out;
}

async function measureStore(label: string, store: Store, quick: boolean): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const lat = (metric: string, values: number[], goal?: { p50?: string; p99?: string }) => {
    rows.push({ name: `store ${metric} (${label})`, metric: 'p50', value: percentile(values, 50), unit: 'ms', goal: goal?.p50 ?? '' });
    rows.push({ name: `store ${metric} (${label})`, metric: 'p99', value: percentile(values, 99), unit: 'ms', goal: goal?.p99 ?? '' });
  };
  const budget: Budget = quick ? { ops: 200, maxMs: 1500 } : { ops: 2000, maxMs: 4000 };
  const prefix = `/registry/pods/bench-${Date.now().toString(36)}/`;
  const value = podJson(1);

  const creates = await timed(budget, (i) => store.create(`${prefix}p${i}`, value));
  lat('create', creates);
  const n = creates.length;
  lat('get', await timed(budget, (i) => store.get(`${prefix}p${i % n}`)));

  // List of 1,000 pods (or what was created), a typical "kubectl get pods" miss of the cache.
  const listPrefix = `${prefix}list/`;
  for (let i = 0; i < 1000; i++) await store.create(`${listPrefix}p${String(i).padStart(4, '0')}`, value);
  lat('list 1000 pods', await timed({ ops: quick ? 20 : 100, maxMs: budget.maxMs }, () => store.list(listPrefix)));

  // Throughput: 32 concurrent writers updating their own keys for a fixed time.
  const writers = 32;
  const keys = Array.from({ length: writers }, (_, w) => `${prefix}w${w}`);
  const revs = await Promise.all(keys.map(async (k) => (await store.create(k, value)).modRevision));
  let done = 0;
  const until = performance.now() + (quick ? 1000 : 3000);
  const t0 = performance.now();
  await Promise.all(keys.map(async (k, w) => {
    while (performance.now() < until) {
      revs[w] = (await store.update(k, value, revs[w]!)).modRevision;
      done++;
    }
  }));
  rows.push({ name: `store writes/s, 32 concurrent writers (${label})`, metric: 'throughput', value: done / (ms(t0) / 1000), unit: 'writes/s', goal: '' });

  // Watch delivery: from just before the write call to the event reaching a watcher of the prefix.
  const watchPrefix = `${prefix}watch/`;
  const sent = new Map<string, number>();
  const delays: number[] = [];
  const ac = new AbortController();
  const total = quick ? 100 : 500;
  const reader = (async () => {
    for await (const ev of store.watch(watchPrefix, await store.currentRevision(), ac.signal)) {
      const at = sent.get(ev.key);
      if (at !== undefined) delays.push(ms(at));
      if (delays.length >= total) break;
    }
  })();
  await new Promise((r) => setTimeout(r, 100));   // let the watch reach its live phase
  for (let i = 0; i < total; i++) {
    const key = `${watchPrefix}p${i}`;
    sent.set(key, performance.now());
    await store.create(key, value);
  }
  const guard = setTimeout(() => ac.abort(), 10_000);
  await reader;
  clearTimeout(guard);
  ac.abort();
  lat('watch delivery', delays);
  return rows;
}

/** RSS and heap of a watch cache holding 10,000 decoded pods (SQLite). */
export async function measureCacheMemory(dir: string): Promise<BenchRow[]> {
  const store = openSqliteStore({ path: join(dir, 'cache.db'), synchronous: 'normal' });
  const count = 10_000;
  for (let i = 0; i < count; i++) await store.create(`/registry/pods/default/bench-pod-${i}`, podJson(i));
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const ac = new AbortController();
  const cache = new WatchCache<unknown>({ store, prefix: '/registry/', decode: (kv: KeyValue) => JSON.parse(dec.decode(kv.value)) as unknown });
  const t0 = performance.now();
  const running = cache.run(ac.signal);
  await cache.ready;
  const listMs = ms(t0);
  gc?.();
  const mem = process.memoryUsage();
  const rows: BenchRow[] = [
    { name: `watch cache: list 10k pods into memory (sqlite, ${store.driver})`, metric: 'time', value: listMs, unit: 'ms', goal: '' },
    { name: 'watch cache: 10k pods (2.7 KiB JSON each)', metric: 'heap growth', value: (mem.heapUsed - before.heapUsed) / 2 ** 20, unit: 'MiB', goal: '' },
    // The whole server must stay under 250 MiB RSS with 10k objects; this is the cache's share.
    { name: 'watch cache: 10k pods (2.7 KiB JSON each)', metric: 'RSS growth', value: (mem.rss - before.rss) / 2 ** 20, unit: 'MiB', goal: '' },
  ];
  const t1 = performance.now();
  let listed = 0;
  for (let i = 0; i < 20; i++) listed += cache.list('/registry/pods/default/', { limit: 500 }).items.length;
  rows.push({ name: 'watch cache: list 500 of 10k pods', metric: 'mean', value: ms(t1) / 20, unit: 'ms', goal: '' });
  if (listed !== 20 * 500) throw new Error('bench: cache list returned the wrong count');
  ac.abort();
  await running;
  await store.close();
  return rows;
}

const bench: Bench = async ({ quick }) => {
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-storage-'));
  try {
    // node:sqlite exists from Node 22.5; better-sqlite3 only where it neither aborts (Node 24)
    // nor was built for another Node.
    for (const driver of sqliteDriverNames.filter((d) => !sqliteDriverUnavailable(d))) {
      const sqlite = openSqliteStore({ path: join(dir, `state-${driver.replace(/\W/g, '-')}.db`), driver });
      try {
        rows.push(...(await measureStore(`sqlite, ${driver}`, sqlite, quick)));
      } finally {
        await sqlite.close();
      }
    }
    const etcd = await startEtcd();
    try {
      const store = openEtcdStore({ endpoints: etcd.endpoints });
      try {
        rows.push(...(await measureStore('etcd', store, quick)));
      } finally {
        await store.close();
      }
    } finally {
      await etcd.stop();
    }
    rows.push(...(await measureCacheMemory(dir)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
};

export default bench;
