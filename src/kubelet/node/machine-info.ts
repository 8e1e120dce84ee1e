/** Facts about the machine the kubelet reports in its Node: CPU, memory, disk, OS and identities. */
import { readFile, statfs } from 'node:fs/promises';
import { arch, cpus, hostname, release } from 'node:os';

export interface MachineInfo {
  cpus: number;
  memoryBytes: number;
  /** Memory the kernel says is available now (MemAvailable). */
  memoryAvailableBytes: number;
  /** Size and free space of the filesystem holding the data dir (nodefs). */
  fsBytes: number;
  fsAvailableBytes: number;
  hostname: string;
  kernelVersion: string;
  osImage: string;
  /** Go's GOARCH naming: amd64, arm64, … */
  architecture: string;
  operatingSystem: string;
  machineID: string;
  systemUUID: string;
  bootID: string;
}

/** Node's `process.arch` → Go's GOARCH, which Kubernetes labels use. */
export function goArch(nodeArch: string): string {
  switch (nodeArch) {
    case 'x64': return 'amd64';
    case 'ia32': return '386';
    case 'arm': return 'arm';
    case 'arm64': return 'arm64';
    case 'ppc64': return 'ppc64le';
    case 's390x': return 's390x';
    case 'riscv64': return 'riscv64';
    default: return nodeArch;
  }
}

/** `PRETTY_NAME` of an os-release file, as the kubelet's osImage. */
export function osImageOf(osRelease: string): string {
  const m = /^PRETTY_NAME=(.*)$/m.exec(osRelease);
  if (!m) return 'Linux';
  return m[1]!.trim().replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
}

/** A value of /proc/meminfo in bytes. */
export function meminfoBytes(meminfo: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(meminfo);
  return m ? Number(m[1]) * 1024 : 0;
}

async function readTrimmed(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return ''; // absent on this machine (containers, no DMI): reported empty, as the kubelet does
  }
}

/** Reads the machine facts; `fsPath` is the kubelet's data dir (its nodefs). */
export async function readMachineInfo(fsPath: string): Promise<MachineInfo> {
  const [meminfo, osRelease, machineID, productUUID, bootID, fs] = await Promise.all([
    readFile('/proc/meminfo', 'utf8'),
    readTrimmed('/etc/os-release').then((s) => s || readTrimmed('/usr/lib/os-release')),
    readTrimmed('/etc/machine-id'),
    readTrimmed('/sys/class/dmi/id/product_uuid'),
    readTrimmed('/proc/sys/kernel/random/boot_id'),
    statfs(fsPath),
  ]);
  return {
    cpus: cpus().length,
    memoryBytes: meminfoBytes(meminfo, 'MemTotal'),
    memoryAvailableBytes: meminfoBytes(meminfo, 'MemAvailable'),
    fsBytes: fs.blocks * fs.bsize,
    fsAvailableBytes: fs.bavail * fs.bsize,
    hostname: hostname().toLowerCase(),
    kernelVersion: release(),
    osImage: osImageOf(osRelease),
    architecture: goArch(arch()),
    operatingSystem: 'linux',
    machineID,
    // Without DMI the kubelet falls back to what cAdvisor reads; the machine id is the stable stand-in.
    systemUUID: productUUID || machineID,
    bootID,
  };
}
