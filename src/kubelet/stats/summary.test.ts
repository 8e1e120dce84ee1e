import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStats, PodSandboxStats } from '../cri/types.js';
import { buildSummary, CpuRateCache, type SummaryInput } from './summary.js';
import type { NodeSample } from './node-sample.js';

const t0 = Date.parse('2025-01-01T00:00:00Z');
const ns = (ms: number) => ms * 1e6;

function nodeSample(time: number, cpu: number): NodeSample {
  return {
    time, bootTime: t0 - 3_600_000, cpuUsageCoreNanoSeconds: cpu,
    memory: { usageBytes: 800, workingSetBytes: 600, rssBytes: 300, pageFaults: 5, majorPageFaults: 1, capacityBytes: 1000 },
    interfaces: [{ name: 'eth0', rxBytes: 10, rxErrors: 0, txBytes: 20, txErrors: 0 }, { name: 'cni0', rxBytes: 1, rxErrors: 0, txBytes: 2, txErrors: 0 }],
    defaultInterface: 'eth0',
    fs: { capacityBytes: 100, availableBytes: 40, usedBytes: 60, inodes: 10, inodesFree: 4, inodesUsed: 6 },
    rlimit: { maxpid: 4194304, curproc: 321 },
  };
}

const cStats = (id: string, time: number, cpu: number, ws: number): ContainerStats => ({
  attributes: { id, metadata: { name: 'x' } },
  cpu: { timestamp: ns(time), usageCoreNanoSeconds: { value: cpu }, usageNanoCores: { value: 0 } },
  memory: { timestamp: ns(time), workingSetBytes: { value: ws }, usageBytes: { value: ws + 10 }, rssBytes: { value: 7 }, availableBytes: { value: 0 }, pageFaults: { value: 3 }, majorPageFaults: { value: 0 } },
  writableLayer: { timestamp: ns(time), fsId: { mountpoint: '/x' }, usedBytes: { value: 4096 }, inodesUsed: { value: 3 } },
});

function input(time: number, cpu: number, opts: { sandboxStats?: boolean } = {}): SummaryInput {
  const sandboxStats: PodSandboxStats[] = [{
    attributes: { id: 'sb2' },
    linux: {
      cpu: { timestamp: ns(time), usageCoreNanoSeconds: { value: cpu * 3 } },
      memory: { timestamp: ns(time), workingSetBytes: { value: 5000 }, usageBytes: { value: 6000 }, rssBytes: { value: 100 }, availableBytes: { value: 60000 } },
      network: { timestamp: ns(time), defaultInterface: { name: 'eth0', rxBytes: { value: 1110 }, rxErrors: { value: 0 }, txBytes: { value: 472 }, txErrors: { value: 0 } }, interfaces: [] },
      process: { timestamp: ns(time), processCount: { value: 2 } },
    },
  }];
  return {
    nodeName: 'n1',
    node: nodeSample(time, cpu * 10),
    imageFs: { time, capacityBytes: 1000, availableBytes: 500, usedBytes: 77, inodes: 100, inodesFree: 50, inodesUsed: 9 },
    sandboxes: [
      { id: 'sb1', state: 'SANDBOX_NOTREADY', createdAt: ns(t0 - 60_000), metadata: { name: 'web', namespace: 'default', uid: 'u1', attempt: 0 } },
      { id: 'sb2', state: 'SANDBOX_READY', createdAt: ns(t0 - 30_000), metadata: { name: 'web', namespace: 'default', uid: 'u1', attempt: 1 } },
      { id: 'sb3', state: 'SANDBOX_READY', createdAt: ns(t0 - 20_000), metadata: { name: 'api', namespace: 'default', uid: 'u2', attempt: 0 } },
    ],
    containers: [
      { id: 'c-old', podSandboxId: 'sb2', state: 'CONTAINER_EXITED', createdAt: ns(t0 - 29_000), metadata: { name: 'app', attempt: 0 } },
      { id: 'c1', podSandboxId: 'sb2', state: 'CONTAINER_RUNNING', createdAt: ns(t0 - 10_000), metadata: { name: 'app', attempt: 1 } },
      { id: 'c2', podSandboxId: 'sb2', state: 'CONTAINER_RUNNING', createdAt: ns(t0 - 28_000), metadata: { name: 'sidecar', attempt: 0 } },
      { id: 'c3', podSandboxId: 'sb3', state: 'CONTAINER_RUNNING', createdAt: ns(t0 - 19_000), metadata: { name: 'main', attempt: 0 } },
    ],
    sandboxStats: opts.sandboxStats === false ? undefined : sandboxStats,
    containerStats: [cStats('c-old', time, 1, 1), cStats('c1', time, cpu, 1000), cStats('c2', time, cpu * 2, 2000), cStats('c3', time, cpu, 300)],
  };
}

test('one entry per pod from its newest ready sandbox, the newest container per name, upstream field names', () => {
  const s = buildSummary(input(t0, 1e9), new CpuRateCache());
  assert.equal(s.node.nodeName, 'n1');
  assert.equal(s.node.startTime, '2024-12-31T23:00:00Z');
  assert.deepEqual(s.node.memory, { time: '2025-01-01T00:00:00Z', availableBytes: 400, usageBytes: 800, workingSetBytes: 600, rssBytes: 300, pageFaults: 5, majorPageFaults: 1 });
  assert.deepEqual(s.node.cpu, { time: '2025-01-01T00:00:00Z', usageCoreNanoSeconds: 1e10 });
  assert.deepEqual(s.node.network, { time: '2025-01-01T00:00:00Z', name: 'eth0', rxBytes: 10, rxErrors: 0, txBytes: 20, txErrors: 0, interfaces: [
    { name: 'eth0', rxBytes: 10, rxErrors: 0, txBytes: 20, txErrors: 0 }, { name: 'cni0', rxBytes: 1, rxErrors: 0, txBytes: 2, txErrors: 0 }] });
  assert.deepEqual(s.node.fs, { time: '2025-01-01T00:00:00Z', capacityBytes: 100, availableBytes: 40, usedBytes: 60, inodes: 10, inodesFree: 4, inodesUsed: 6 });
  assert.equal(s.node.runtime?.imageFs?.usedBytes, 77);
  assert.deepEqual(s.node.rlimit, { time: '2025-01-01T00:00:00Z', maxpid: 4194304, curproc: 321 });
  assert.deepEqual(s.pods.map((p) => p.podRef), [{ name: 'api', namespace: 'default', uid: 'u2' }, { name: 'web', namespace: 'default', uid: 'u1' }]);
  const web = s.pods[1]!;
  assert.equal(web.startTime, '2024-12-31T23:59:30Z');
  assert.deepEqual(web.containers.map((c) => [c.name, c.startTime]), [['app', '2024-12-31T23:59:50Z'], ['sidecar', '2024-12-31T23:59:32Z']]);
  assert.deepEqual(web.containers[0]!.memory, { time: '2025-01-01T00:00:00Z', usageBytes: 1010, workingSetBytes: 1000, rssBytes: 7, pageFaults: 3, majorPageFaults: 0 });
  assert.deepEqual(web.containers[0]!.rootfs, { time: '2025-01-01T00:00:00Z', availableBytes: 500, capacityBytes: 1000, usedBytes: 4096, inodesFree: 50, inodes: 100, inodesUsed: 3 });
  // Pod usage is the sandbox cgroup's (pause included), not the containers' sum.
  assert.equal(web.cpu?.usageCoreNanoSeconds, 3e9);
  assert.deepEqual(web.memory, { time: '2025-01-01T00:00:00Z', availableBytes: 60000, usageBytes: 6000, workingSetBytes: 5000, rssBytes: 100, pageFaults: 0, majorPageFaults: 0 });
  assert.deepEqual(web.network, { time: '2025-01-01T00:00:00Z', name: 'eth0', rxBytes: 1110, rxErrors: 0, txBytes: 472, txErrors: 0, interfaces: [{ name: 'eth0', rxBytes: 1110, rxErrors: 0, txBytes: 472, txErrors: 0 }] });
  assert.deepEqual(web.process_stats, { process_count: 2 });
  assert.equal(web['ephemeral-storage']?.usedBytes, 8192);
  // The first sample has no rate yet.
  assert.equal(web.cpu?.usageNanoCores, undefined);
  assert.equal((s.node.cpu as { usageNanoCores?: number }).usageNanoCores, undefined);
});

test('usageNanoCores from the previous sample: node, pod and container', () => {
  const rates = new CpuRateCache();
  buildSummary(input(t0, 1e9), rates);
  // 2 s later each container used 0.5 core-seconds more → 250 millicores.
  const s = buildSummary(input(t0 + 2000, 1.5e9), rates);
  const web = s.pods[1]!;
  assert.equal(web.containers[0]!.cpu?.usageNanoCores, 250_000_000);
  assert.equal(web.containers[1]!.cpu?.usageNanoCores, 500_000_000);
  assert.equal(web.cpu?.usageNanoCores, 750_000_000);
  assert.equal(s.node.cpu?.usageNanoCores, 2_500_000_000);
  // A request within the minimum window keeps the last rate.
  const again = buildSummary(input(t0 + 2100, 1.6e9), rates);
  assert.equal(again.pods[1]!.containers[0]!.cpu?.usageNanoCores, 250_000_000);
});

test('cached samples of containers and pods that are gone are dropped', () => {
  const rates = new CpuRateCache();
  const first = input(t0, 1e9);
  buildSummary(first, rates);
  const before = rates.size;
  const next = input(t0 + 2000, 2e9);
  next.sandboxes = next.sandboxes.filter((s) => s.id !== 'sb3');
  buildSummary(next, rates);
  assert.equal(rates.size, before - 2);
});

test('without sandbox stats a pod sums its running containers', () => {
  const s = buildSummary(input(t0, 1e9, { sandboxStats: false }), new CpuRateCache());
  const web = s.pods[1]!;
  assert.equal(web.cpu?.usageCoreNanoSeconds, 3e9);
  assert.equal(web.memory?.workingSetBytes, 3000);
  assert.equal(web.network, undefined);
});

test('only_cpu_and_memory leaves out fs, network and the rest', () => {
  const s = buildSummary(input(t0, 1e9), new CpuRateCache(), { onlyCpuAndMemory: true });
  assert.deepEqual(Object.keys(s.node).sort(), ['cpu', 'memory', 'nodeName', 'startTime']);
  assert.deepEqual(Object.keys(s.pods[1]!).sort(), ['containers', 'cpu', 'memory', 'podRef', 'startTime']);
  assert.deepEqual(Object.keys(s.pods[1]!.containers[0]!).sort(), ['cpu', 'memory', 'name', 'startTime']);
});

test('a counter going backwards (a restarted cgroup) starts the window afresh', () => {
  const r = new CpuRateCache(0);
  assert.equal(r.rate('k', 100, 1e9), undefined);
  assert.equal(r.rate('k', 50, 2e9), undefined);
  assert.equal(r.rate('k', 1e9 + 50, 3e9), 1e9);
});
