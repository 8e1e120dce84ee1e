/**
 * Scheduler throughput end to end: a real in-process k8ts server (SQLite in a temp dir), 1,000
 * simulated nodes, the scheduler and the simulated kubelets on the in-process client; pods are
 * created as fast as the API takes them and the clock runs from the first create to the last
 * pod seen bound (and, separately, Running). Also the scheduler's heap (informers + cache).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { namespaces, pods, serviceAccounts } from '../src/api/resources/core/index.js';
import type { Kube } from '../src/api/types.js';
import { silentLogger, createLogger } from '../src/base/log.js';
import { systemClock } from '../src/base/clock.js';
import { createInformer } from '../src/client/informer.js';
import type { Client } from '../src/client/types.js';
import { defaultProfile, scheduler } from '../src/scheduler/index.js';
import { simulate } from '../src/simulator/index.js';
import { startTestServer } from '../test/fixtures/server.js';
import { FakeClient } from '../src/client/testing/fake-client.js';
import { nodes } from '../src/api/resources/core/index.js';
import { makeNode } from '../src/scheduler/testing/fixtures.js';
import { readFile } from 'node:fs/promises';
import { startSimulatedCluster } from './simulated-cluster.js';
import type { Bench, BenchRow } from './types.js';

const gc = () => (globalThis as { gc?: () => void }).gc?.();

/**
 * With BENCH_CPU_PROFILE=<file>, the end-to-end rounds alone are profiled (node:inspector) and
 * the .cpuprofile written there: startup and node registration stay out of the picture.
 * BENCH_HEAP_PROFILE=<file> writes a sampled allocation profile (.heapprofile) of the same.
 */
async function profiled<T>(fn: () => Promise<T>): Promise<T> {
  const file = process.env.BENCH_CPU_PROFILE;
  const heapFile = process.env.BENCH_HEAP_PROFILE;
  if (!file && !heapFile) return fn();
  const { Session } = await import('node:inspector/promises');
  const { writeFile } = await import('node:fs/promises');
  const session = new Session();
  session.connect();
  if (file) {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  if (heapFile) {
    // Where the allocations (garbage included) come from: the scavenger's work.
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 65536, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  }
  try {
    return await fn();
  } finally {
    if (file) {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(file, JSON.stringify(profile));
    }
    if (heapFile) {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      await writeFile(heapFile, JSON.stringify(profile));
    }
    session.disconnect();
  }
}

function benchPod(ns: string, i: number, schedulerName?: string): Kube<Pod> {
  return {
    metadata: { name: `bench-${i}`, namespace: ns, labels: { app: 'bench' } },
    spec: {
      ...(schedulerName ? { schedulerName } : {}),
      containers: [{ name: 'app', image: 'registry.local/bench/app:1.0', resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
    },
  };
}

async function createAll(client: Client, ns: string, n: number, schedulerName?: string, concurrency = 64): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (i < n) await client.create(pods, benchPod(ns, i++, schedulerName) as never, { readOnlyResult: true });
  }));
}

async function makeNamespace(client: Client, ns: string): Promise<void> {
  await client.create(namespaces, { metadata: { name: ns } } as never);
  // The admission plugin wants the default account: made here unless the serviceaccount controller was first.
  await client.create(serviceAccounts, { metadata: { name: 'default', namespace: ns } } as never).catch((err: unknown) => {
    if ((err as { code?: number }).code !== 409) throw err;
  });
}

/**
 * Scheduling throughput alone (as scheduler_perf measures it): `n` pods exist before a second
 * scheduler (its own profile name) starts; from its start (informer lists included) to the
 * last binding it wrote. Simulated kubelets keep running meanwhile.
 */
async function preCreated(client: Client, ns: string, n: number): Promise<{ ms: number; firstToLastMs: number }> {
  const name = 'bench-scheduler';
  await makeNamespace(client, ns);
  await createAll(client, ns, n, name);
  let bound = 0;
  let first = 0;
  let last = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => { done = r; });
  const counting: Client = overriding(client, {
    async createSubresource<R>(...args: Parameters<Client['createSubresource']>): Promise<R> {
      const r = await client.createSubresource<R>(...args);
      const now = performance.now();
      if (!first) first = now;
      last = now;
      if (++bound === n) done();
      return r;
    },
  } as Partial<Client>);
  const ac = new AbortController();
  const t0 = performance.now();
  const s = scheduler({ client: counting, log: silentLogger, clock: systemClock }, { profile: { ...defaultProfile, schedulerName: name } });
  const running = s.run(ac.signal);
  const guard = setTimeout(() => done(), 300_000);
  await finished;
  clearTimeout(guard);
  ac.abort();
  await running;
  if (bound < n) throw new Error(`bench: only ${bound} of ${n} bound`);
  return { ms: last - t0, firstToLastMs: last - first };
}

/** `client` with some methods replaced (the others bound to it). */
function overriding(client: Client, over: Partial<Client>): Client {
  return new Proxy(client, {
    get(target, prop) {
      if (prop in over) return over[prop as keyof Client];
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Creates `n` pods and waits for every one to be bound and Running; returns the times. */
async function round(client: Client, ns: string, n: number): Promise<{ boundMs: number; runningMs: number; createMs: number; cpuMs: number }> {
  await makeNamespace(client, ns);
  const seen = createInformer(pods, { client });
  const bound = new Set<string>();
  const running = new Set<string>();
  let t0 = 0;
  let boundAt = 0;
  let runningAt = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => { done = r; });
  const check = (p: Pod) => {
    if (p.metadata?.namespace !== ns) return;
    if (p.spec?.nodeName) { bound.add(p.metadata.name!); if (bound.size === n && !boundAt) boundAt = performance.now(); }
    if (p.status?.phase === 'Running') { running.add(p.metadata.name!); if (running.size === n && !runningAt) { runningAt = performance.now(); done(); } }
  };
  seen.onAdd(check);
  seen.onUpdate((_o, p) => check(p));
  const ac = new AbortController();
  const watching = seen.run(ac.signal);
  await seen.waitForSync(ac.signal);
  t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await createAll(client, ns, n);
  const createMs = performance.now() - t0;
  const guard = setTimeout(() => done(), 300_000);
  await finished;
  const cpu = process.cpuUsage(cpu0);
  clearTimeout(guard);
  ac.abort();
  await watching;
  if (!runningAt) throw new Error(`bench: only ${bound.size} bound, ${running.size} running of ${n}`);
  return { boundMs: boundAt - t0, runningMs: runningAt - t0, createMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * The scheduling algorithm alone: 1,000 nodes and `n` pending pods in a FakeClient whose
 * binding and event writes return at once (pods stay unbound there, so no watch churn).
 */
async function algorithmOnly(n: number): Promise<number> {
  const fake = new FakeClient();
  fake.seed(nodes, ...Array.from({ length: 1000 }, (_, i) => makeNode(`n${i}`, { cpu: '32', memory: '256Gi', pods: '110' }) as never));
  fake.seed(pods, ...Array.from({ length: n }, (_, i) => ({ ...benchPod('default', i), apiVersion: 'v1', kind: 'Pod' }) as never));
  let bound = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => { done = r; });
  const client: Client = overriding(fake, {
    async createSubresource<R>(): Promise<R> { if (++bound === n) done(); return { kind: 'Status', status: 'Success' } as R; },
    async create<T>(_res: unknown, obj: T): Promise<T> { return obj; },
    async patch<T>(): Promise<T> { return {} as T; },
  } as Partial<Client>);
  const ac = new AbortController();
  const s = scheduler({ client, log: silentLogger, clock: systemClock });
  const running = s.run(ac.signal);
  while (s.cache.nodes.length < 1000) await new Promise((r) => setTimeout(r, 10));
  const t0 = performance.now();
  await finished;
  const ms = performance.now() - t0;
  ac.abort();
  await running;
  return n / (ms / 1000);
}

/** CPU seconds a process has used so far (user + system), from /proc. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * As users run it: `k8ts server --disable-agent` (API server, scheduler, controllers) and
 * `k8ts simulate` as processes of their own, pods created over HTTPS by this process (32 at a
 * time); from the first create to the last pod seen bound on a watch.
 */
async function asProcesses(nodeCount: number, n: number): Promise<{ boundMs: number; serverCpuMs: number; simCpuMs: number; clientCpuMs: number; idleCpuPct: number }> {
  const prof = process.env.BENCH_SERVER_CPU_PROFILE_DIR;
  const cluster = await startSimulatedCluster(nodeCount, { nodeArgs: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [] });
  const { client } = cluster;
  const [serverPid, simPid] = [cluster.server.child.pid!, cluster.simulator.pid!];
  const ac = new AbortController();
  try {
    await new Promise((r) => setTimeout(r, 2000)); // registration settles
    const seen = createInformer(pods, { client });
    const bound = new Set<string>();
    let boundAt = 0;
    let done: () => void = () => {};
    const finished = new Promise<void>((r) => { done = r; });
    const check = (p: Pod) => {
      if (p.spec?.nodeName) bound.add(p.metadata!.name!);
      if (bound.size === n && !boundAt) { boundAt = performance.now(); done(); }
    };
    seen.onAdd(check);
    seen.onUpdate((_o, p) => check(p));
    const watching = seen.run(ac.signal);
    await seen.waitForSync(ac.signal);
    // The server's CPU with nothing but 1,000 nodes' heartbeats, subtracted from the run's.
    const idle0 = [await cpuSeconds(serverPid), performance.now()] as const;
    await new Promise((r) => setTimeout(r, 5000));
    const idlePerMs = (await cpuSeconds(serverPid) - idle0[0]) * 1000 / (performance.now() - idle0[1]);
    const [s0, m0] = [await cpuSeconds(serverPid), await cpuSeconds(simPid)];
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await createAll(client, 'default', n, undefined, 32);
    const guard = setTimeout(() => done(), 300_000);
    await finished;
    clearTimeout(guard);
    const [s1, m1] = [await cpuSeconds(serverPid), await cpuSeconds(simPid)];
    const c1 = process.cpuUsage(c0);
    ac.abort();
    await watching;
    if (!boundAt) throw new Error(`bench: only ${bound.size} of ${n} bound`);
    return { boundMs: boundAt - t0, serverCpuMs: (s1 - s0) * 1000 - idlePerMs * (boundAt - t0), simCpuMs: (m1 - m0) * 1000, clientCpuMs: (c1.user + c1.system) / 1000, idleCpuPct: idlePerMs * 100 };
  } finally {
    ac.abort();
    await cluster.stop();
  }
}

async function run({ quick }: { quick: boolean }, only?: 'in-process'): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const algo = quick ? 2000 : 10_000;
  if (!only) rows.push({ name: `scheduler algorithm only: ${algo} pods, 1000 nodes, binding answered at once`, metric: 'scheduled/s', value: await algorithmOnly(algo), unit: 'pods/s', goal: '' });
  // The bench runs its own scheduler (it reads its cache): the server's would race it for every pod.
  const server = await startTestServer(['--disable-scheduler']);
  const ac = new AbortController();
  const runs: Promise<void>[] = [];
  try {
    const client = server.client;
    const nodeCount = 1000;
    const sim = simulate({ client, log: process.env.BENCH_LOG ? createLogger({ level: "info" }) : silentLogger, clock: systemClock }, { nodes: nodeCount, namePrefix: 'sim-', cpu: '32', memory: '256Gi', pods: 110, podCidrFromNode: false, concurrency: 128 });
    runs.push(sim.run(ac.signal));
    gc();
    const before = process.memoryUsage().heapUsed;
    const sched = scheduler({ client, log: process.env.BENCH_LOG ? createLogger({ level: "info" }) : silentLogger, clock: systemClock });
    runs.push(sched.run(ac.signal));
    const deadline = Date.now() + 120_000;
    while (sched.cache.nodes.length < nodeCount && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (sched.cache.nodes.length < nodeCount) throw new Error(`bench: the scheduler sees ${sched.cache.nodes.length} nodes`);

    const sizes = quick ? [1000] : [5000, 10_000];
    for (const [k, n] of sizes.entries()) {
      const r = await profiled(() => round(client, `bench-${k}`, n));
      rows.push({ name: `scheduler: ${n} pods on ${nodeCount} simulated nodes`, metric: 'bound/s (end to end)', value: n / (r.boundMs / 1000), unit: 'pods/s', goal: '>= 1000' });
      rows.push({ name: `scheduler: ${n} pods on ${nodeCount} simulated nodes`, metric: 'Running/s (simulated kubelets)', value: n / (r.runningMs / 1000), unit: 'pods/s', goal: '' });
      rows.push({ name: `scheduler: ${n} pods on ${nodeCount} simulated nodes`, metric: 'create/s (API)', value: n / (r.createMs / 1000), unit: 'pods/s', goal: '' });
      // CPU time per pod (create, bind, Running; the whole process) does not depend on the machine's other load.
      rows.push({ name: `scheduler: ${n} pods on ${nodeCount} simulated nodes`, metric: 'CPU per pod (whole process)', value: r.cpuMs / n, unit: 'ms', goal: '' });
    }
    if (only) return rows;
    gc();
    const heapAfter = process.memoryUsage().heapUsed;
    const schedulerPods = sched.cache.podCount();
    const pre = quick ? [1000] : [5000];
    for (const [k, n] of pre.entries()) {
      const r = await preCreated(client, `bench-pre-${k}`, n);
      const label = `scheduler: ${n} pre-created pods on ${nodeCount} simulated nodes`;
      rows.push({ name: label, metric: 'bound/s from scheduler start', value: n / (r.ms / 1000), unit: 'pods/s', goal: '>= 1000' });
      rows.push({ name: label, metric: 'bound/s first to last binding', value: n / (r.firstToLastMs / 1000), unit: 'pods/s', goal: '' });
    }
    rows.push({
      name: `whole process (server + simulator + scheduler) heap since the scheduler started, ${nodeCount} nodes, ${schedulerPods} pods`,
      metric: 'heap growth', value: (heapAfter - before) / 2 ** 20, unit: 'MiB', goal: '',
    });
  } finally {
    ac.abort();
    await Promise.all(runs);
    await server.stop();
  }
  const n = quick ? 2000 : 10_000;
  const p = await asProcesses(1000, n);
  const label = `as users run it: k8ts server + k8ts simulate (1,000 nodes) as processes, ${n} pods created over HTTPS`;
  rows.push({ name: label, metric: 'bound/s (end to end)', value: n / (p.boundMs / 1000), unit: 'pods/s', goal: '>= 1000' });
  rows.push({ name: label, metric: 'server CPU per pod (above its idle heartbeat load)', value: p.serverCpuMs / n, unit: 'ms', goal: '' });
  rows.push({ name: label, metric: 'server CPU idle with 1,000 heartbeating nodes', value: p.idleCpuPct, unit: '% of a core', goal: '' });
  rows.push({ name: label, metric: 'simulator CPU per pod', value: p.simCpuMs / n, unit: 'ms', goal: '' });
  rows.push({ name: label, metric: 'client CPU per pod (creates + a watch of all pods)', value: p.clientCpuMs / n, unit: 'ms', goal: '' });
  return rows;
}

const bench: Bench = (opts) => run(opts);
export default bench;

if (process.argv[1]?.endsWith('scheduler.bench.ts') || process.argv[1]?.endsWith('scheduler.bench.js')) {
  if (process.argv.includes('--processes')) {
    const n = process.argv.includes('--quick') ? 2000 : 10_000;
    const r = await asProcesses(1000, n);
    process.stdout.write(`as processes: ${n} pods ${(n / (r.boundMs / 1000)).toFixed(0)} bound/s; server ${(r.serverCpuMs / n).toFixed(2)} ms CPU/pod (over ${r.idleCpuPct.toFixed(1)}% idle); simulator ${(r.simCpuMs / n).toFixed(2)} ms CPU/pod; client ${(r.clientCpuMs / n).toFixed(2)} ms CPU/pod\n`);
    process.exit(0);
  }
  // --in-process: the end-to-end rounds in one process alone (what profiles and flags are tried on).
  const rows = await run({ quick: process.argv.includes('--quick') }, process.argv.includes('--in-process') ? 'in-process' : undefined);
  for (const r of rows) process.stdout.write(`${r.name} | ${r.metric} | ${r.value.toFixed(2)} ${r.unit}\n`);
}
