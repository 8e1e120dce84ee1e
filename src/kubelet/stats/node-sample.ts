/**
 * The node's own usage, as the kubelet reports it for the root cgroup: CPU from the cgroup v1
 * root's `cpuacct.usage` (else /proc/stat), memory from the root's `memory.usage_in_bytes` and
 * `memory.stat` (else /proc/meminfo), network from /proc/net/dev, the node and image
 * filesystems by statfs, boot time and process counts from /proc. Parsers are pure and tested.
 */
import { readFile, statfs } from 'node:fs/promises';

export interface InterfaceSample { name: string; rxBytes: number; rxErrors: number; txBytes: number; txErrors: number }

export interface FsSample { capacityBytes: number; availableBytes: number; usedBytes: number; inodes: number; inodesFree: number; inodesUsed: number }

export interface NodeSample {
  /** ms since the epoch the sample was taken. */
  time: number;
  bootTime: number;
  cpuUsageCoreNanoSeconds?: number;
  memory?: { usageBytes: number; workingSetBytes: number; rssBytes: number; pageFaults: number; majorPageFaults: number; capacityBytes: number };
  /** Interfaces of the node's network namespace, loopback and veths excluded. */
  interfaces: InterfaceSample[];
  /** The interface of the default route (the kubelet's "eth0"). */
  defaultInterface?: string;
  fs?: FsSample;
  rlimit?: { maxpid: number; curproc: number };
}

/** `name value` lines (memory.stat, cpu.stat) as a map. */
export function parseKeyValues(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out.set(k, Number(v));
  }
  return out;
}

/** CPU time of every CPU from /proc/stat's `cpu` line, idle and iowait excluded, in nanoseconds (USER_HZ 100). */
export function procStatCpuNanoseconds(procStat: string, userHz = 100): number | undefined {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
  return Math.round(busy * (1e9 / userHz));
}

export function procStatBootTime(procStat: string): number | undefined {
  const m = /^btime (\d+)$/m.exec(procStat);
  return m ? Number(m[1]) * 1000 : undefined;
}

/** /proc/net/dev rows, loopback and veth/bridge-side interfaces excluded as cAdvisor does. */
export function parseNetDev(text: string): InterfaceSample[] {
  const out: InterfaceSample[] = [];
  for (const line of text.split('\n').slice(2)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const name = line.slice(0, i).trim();
    if (name === 'lo' || name.startsWith('veth') || name.startsWith('docker')) continue;
    const f = line.slice(i + 1).trim().split(/\s+/).map(Number);
    out.push({ name, rxBytes: f[0] ?? 0, rxErrors: f[2] ?? 0, txBytes: f[8] ?? 0, txErrors: f[10] ?? 0 });
  }
  return out;
}

/** The interface of the first default route in /proc/net/route. */
export function defaultRouteInterface(route: string): string | undefined {
  for (const line of route.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 2 && f[1] === '00000000' && f[7] === '00000000') return f[0];
  }
  return undefined;
}

/** Node memory from the cgroup v1 root (usage, memory.stat totals) and the machine's capacity. */
export function cgroupMemory(usageBytes: number, stat: Map<string, number>, capacityBytes: number): NonNullable<NodeSample['memory']> {
  const inactiveFile = stat.get('total_inactive_file') ?? stat.get('inactive_file') ?? 0;
  return {
    usageBytes,
    workingSetBytes: Math.max(0, usageBytes - inactiveFile),
    rssBytes: stat.get('total_rss') ?? stat.get('rss') ?? 0,
    pageFaults: stat.get('total_pgfault') ?? stat.get('pgfault') ?? 0,
    majorPageFaults: stat.get('total_pgmajfault') ?? stat.get('pgmajfault') ?? 0,
    capacityBytes,
  };
}

/** Node memory from /proc/meminfo when no cgroup root is readable. */
export function meminfoMemory(meminfo: string): NonNullable<NodeSample['memory']> {
  const kb = (field: string) => { const m = new RegExp(`^${field.replace(/[()]/g, '\\$&')}:\\s+(\\d+) kB$`, 'm').exec(meminfo); return m ? Number(m[1]) * 1024 : 0; };
  const total = kb('MemTotal');
  const usage = total - kb('MemFree');
  return { usageBytes: usage, workingSetBytes: Math.max(0, usage - kb('Inactive(file)')), rssBytes: kb('AnonPages'), pageFaults: 0, majorPageFaults: 0, capacityBytes: total };
}

export async function fsSample(path: string): Promise<FsSample | undefined> {
  try {
    const s = await statfs(path);
    return {
      capacityBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize, usedBytes: (s.blocks - s.bfree) * s.bsize,
      inodes: s.files, inodesFree: s.ffree, inodesUsed: s.files - s.ffree,
    };
  } catch {
    return undefined;
  }
}

const read = (path: string) => readFile(path, 'utf8').catch(() => undefined);

/** Reads the node's usage now; `fsPath` is the kubelet's root directory (nodefs). */
export async function readNodeSample(fsPath: string, cgroupRoot = '/sys/fs/cgroup'): Promise<NodeSample> {
  const [procStat, cpuacct, memUsage, memStat, meminfo, netDev, route, pidMax, loadavg, fs] = await Promise.all([
    read('/proc/stat'), read(`${cgroupRoot}/cpuacct/cpuacct.usage`), read(`${cgroupRoot}/memory/memory.usage_in_bytes`),
    read(`${cgroupRoot}/memory/memory.stat`), read('/proc/meminfo'), read('/proc/net/dev'), read('/proc/net/route'),
    read('/proc/sys/kernel/pid_max'), read('/proc/loadavg'), fsSample(fsPath),
  ]);
  const time = Date.now();
  const capacity = meminfo ? meminfoMemory(meminfo).capacityBytes : 0;
  let memory: NodeSample['memory'];
  if (memUsage && memStat && /^\d+\s*$/.test(memUsage)) memory = cgroupMemory(Number(memUsage), parseKeyValues(memStat), capacity);
  else if (meminfo) memory = meminfoMemory(meminfo);
  const cpu = cpuacct && /^\d+\s*$/.test(cpuacct) ? Number(cpuacct) : procStat ? procStatCpuNanoseconds(procStat) : undefined;
  const procs = /^\S+ \S+ \S+ \d+\/(\d+)/.exec(loadavg ?? '');
  return {
    time,
    bootTime: (procStat && procStatBootTime(procStat)) || time,
    cpuUsageCoreNanoSeconds: cpu,
    memory,
    interfaces: netDev ? parseNetDev(netDev) : [],
    defaultInterface: route ? defaultRouteInterface(route) : undefined,
    fs,
    rlimit: pidMax && procs ? { maxpid: Number(pidMax.trim()), curproc: Number(procs[1]) } : undefined,
  };
}
