import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cgroupMemory, defaultRouteInterface, meminfoMemory, parseKeyValues, parseNetDev, procStatBootTime, procStatCpuNanoseconds } from './node-sample.js';

test('/proc/stat: busy CPU time in ns (idle and iowait excluded) and boot time', () => {
  const text = 'cpu  100 5 50 1000 20 3 2 1 0 0\ncpu0 50 2 25 500 10 1 1 0 0 0\nbtime 1735689600\n';
  assert.equal(procStatCpuNanoseconds(text), (100 + 5 + 50 + 3 + 2 + 1) * 1e7);
  assert.equal(procStatBootTime(text), 1735689600000);
});

test('cgroup v1 root memory: working set is usage minus inactive file', () => {
  const stat = parseKeyValues('cache 5\nrss 1\ntotal_rss 300\ntotal_inactive_file 200\ntotal_pgfault 9\ntotal_pgmajfault 2\n');
  assert.deepEqual(cgroupMemory(1000, stat, 4000), { usageBytes: 1000, workingSetBytes: 800, rssBytes: 300, pageFaults: 9, majorPageFaults: 2, capacityBytes: 4000 });
  assert.equal(cgroupMemory(100, stat, 4000).workingSetBytes, 0);
});

test('/proc/meminfo fallback', () => {
  const m = meminfoMemory('MemTotal:        4000 kB\nMemFree:         1000 kB\nInactive(file):   500 kB\nAnonPages:        700 kB\n');
  assert.deepEqual(m, { usageBytes: 3000 * 1024, workingSetBytes: 2500 * 1024, rssBytes: 700 * 1024, pageFaults: 0, majorPageFaults: 0, capacityBytes: 4000 * 1024 });
});

test('/proc/net/dev without loopback and veths; the default route interface', () => {
  const dev = 'Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n'
    + '    lo: 100 1 0 0 0 0 0 0 100 1 0 0 0 0 0 0\n  eth0: 5000 40 2 0 0 0 0 0 7000 50 3 0 0 0 0 0\nveth12ab: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0\n';
  assert.deepEqual(parseNetDev(dev), [{ name: 'eth0', rxBytes: 5000, rxErrors: 2, txBytes: 7000, txErrors: 3 }]);
  const route = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n'
    + 'cni0\t00002A0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\nens4\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n';
  assert.equal(defaultRouteInterface(route), 'ens4');
  assert.equal(defaultRouteInterface(route.split('\n').slice(0, 2).join('\n')), undefined);
});
