import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MachineInfo } from './machine-info.js';
import { goArch, meminfoBytes, osImageOf } from './machine-info.js';
import { buildNodeStatus, nodeLabels, nodeStatusChanged, notReadyMessage } from './node-status.js';

const machine: MachineInfo = {
  cpus: 2, memoryBytes: 4 * 2 ** 30, memoryAvailableBytes: 2 * 2 ** 30, fsBytes: 100 * 2 ** 30, fsAvailableBytes: 50 * 2 ** 30,
  hostname: 'vm', kernelVersion: '6.1.0-18-amd64', osImage: 'Debian GNU/Linux 12 (bookworm)', architecture: 'amd64',
  operatingSystem: 'linux', machineID: 'm1', systemUUID: 'm1', bootID: 'b1',
};
const runtime = { runtimeVersion: 'containerd://1.6.20~ds1', runtimeReady: true, networkReady: true };
const t0 = Date.parse('2025-01-01T00:00:00Z');

test('machine facts: GOARCH names, PRETTY_NAME, meminfo', () => {
  assert.equal(goArch('x64'), 'amd64');
  assert.equal(goArch('arm64'), 'arm64');
  assert.equal(osImageOf('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'), 'Debian GNU/Linux 12 (bookworm)');
  assert.equal(meminfoBytes('MemTotal:        4030036 kB\nMemAvailable:    1000 kB\n', 'MemTotal'), 4030036 * 1024);
});

test('labels: hostname, os, arch (and beta twins); control-plane role only inside the server', () => {
  assert.deepEqual(nodeLabels({ name: 'n1', ip: '10.0.0.1' }, machine), {
    'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': 'n1', 'kubernetes.io/os': 'linux',
  });
  assert.equal(nodeLabels({ name: 'n1', ip: '10.0.0.1', controlPlane: true }, machine)['node-role.kubernetes.io/control-plane'], 'true');
});

test('status: capacity and allocatable (minus hard eviction), addresses, nodeInfo, conditions as the kubelet words them', () => {
  const s = buildNodeStatus({ node: { name: 'n1', ip: '192.0.2.5' }, machine, runtime, now: t0 });
  assert.deepEqual(s.capacity, { cpu: '2', 'ephemeral-storage': `${100 * 2 ** 20}Ki`, 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: `${4 * 2 ** 20}Ki`, pods: '110' });
  assert.equal(s.allocatable?.memory, `${4 * 2 ** 20 - 100 * 1024}Ki`);
  assert.equal(s.allocatable?.['ephemeral-storage'], String(Math.floor(100 * 2 ** 30 * 0.9)));
  assert.deepEqual(s.addresses, [{ type: 'InternalIP', address: '192.0.2.5' }, { type: 'Hostname', address: 'n1' }]);
  assert.equal(s.nodeInfo?.containerRuntimeVersion, 'containerd://1.6.20~ds1');
  assert.equal(s.nodeInfo?.kubeletVersion, 'v1.33.1');
  assert.deepEqual(s.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
  assert.deepEqual(s.conditions?.map((c) => [c.type, c.status, c.reason, c.message]), [
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
  ]);
});

test('not ready: the runtime network condition, worded as the kubelet does; pressure from the machine', () => {
  const r = { ...runtime, networkReady: false, networkReason: 'NetworkPluginNotReady', networkMessage: 'Network plugin returns error: cni plugin not initialized' };
  assert.equal(notReadyMessage(r), 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized');
  const s = buildNodeStatus({ node: { name: 'n1', ip: '192.0.2.5' }, machine: { ...machine, memoryAvailableBytes: 50 * 2 ** 20, fsAvailableBytes: 2 ** 30 }, runtime: r, now: t0 });
  const by = (t: string) => s.conditions?.find((c) => c.type === t);
  assert.equal(by('Ready')?.reason, 'KubeletNotReady');
  assert.equal(by('MemoryPressure')?.status, 'True');
  assert.equal(by('DiskPressure')?.reason, 'KubeletHasDiskPressure');
});

test('heartbeats alone are no change; transition times carry over while a condition keeps its status', () => {
  const first = buildNodeStatus({ node: { name: 'n1', ip: '192.0.2.5' }, machine, runtime, now: t0 });
  const later = buildNodeStatus({ node: { name: 'n1', ip: '192.0.2.5' }, machine, runtime, previous: first, now: t0 + 60_000 });
  assert.equal(nodeStatusChanged(first, later), false);
  assert.equal(later.conditions?.[3]?.lastTransitionTime, first.conditions?.[3]?.lastTransitionTime);
  assert.notEqual(later.conditions?.[3]?.lastHeartbeatTime, first.conditions?.[3]?.lastHeartbeatTime);
  const down = buildNodeStatus({ node: { name: 'n1', ip: '192.0.2.5' }, machine, runtime: { ...runtime, runtimeReady: false }, previous: first, now: t0 + 70_000 });
  assert.equal(nodeStatusChanged(first, down), true);
  assert.equal(down.conditions?.[3]?.lastTransitionTime, '2025-01-01T00:01:10Z');
});
