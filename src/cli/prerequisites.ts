import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';

/** One thing a node needs, how to tell it is there, and what to do when it is not. */
export interface Prerequisite {
  name: string;
  /** Only agents (nodes) need it; `--disable-agent` servers do not. */
  forAgent: boolean;
  /** Optional: reported, never fatal. */
  optional?: boolean;
  check(): string | undefined;
  fix: string;
}

export interface PrerequisiteResult { name: string; ok: boolean; detail: string; fix: string; optional: boolean }

function which(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const p = `${dir}/${bin}`;
    try { accessSync(p, constants.X_OK); return p; } catch { /* not in this dir */ }
  }
  return undefined;
}

function version(bin: string, args: string[]): string {
  try { return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 }).split('\n')[0]!.trim(); } catch { return ''; }
}

const debianPackages = 'apt-get install -y containerd runc containernetworking-plugins iptables iproute2 gcc libc6-dev (or run scripts/install-deps.sh)';

export const prerequisites: readonly Prerequisite[] = [
  { name: 'node >= 20', forAgent: false, fix: 'install Node.js 20 or newer', check: () => (Number(process.versions.node.split('.')[0]) >= 20 ? undefined : `node ${process.versions.node}`) },
  { name: 'root', forAgent: true, fix: 'run k8ts server/agent as root (containers, cgroups and iptables need it), or use --disable-agent', check: () => (process.getuid?.() === 0 ? undefined : `running as uid ${process.getuid?.()}`) },
  { name: 'containerd', forAgent: true, fix: debianPackages, check: () => (which('containerd') ? undefined : 'containerd not found in PATH') },
  { name: 'runc', forAgent: true, fix: debianPackages, check: () => (which('runc') ? undefined : 'runc not found in PATH') },
  {
    name: 'CNI plugins (bridge, host-local, portmap, loopback)', forAgent: true, fix: debianPackages,
    check: () => {
      const missing = ['bridge', 'host-local', 'portmap', 'loopback'].filter((p) => !existsSync(`/usr/lib/cni/${p}`) && !existsSync(`/opt/cni/bin/${p}`));
      return missing.length ? `missing in /usr/lib/cni: ${missing.join(', ')}` : undefined;
    },
  },
  {
    name: 'iptables (nf_tables)', forAgent: true, fix: debianPackages,
    check: () => {
      if (!which('iptables-restore')) return 'iptables-restore not found in PATH';
      const v = version('iptables', ['--version']);
      return /nf_tables/.test(v) ? undefined : `iptables is "${v}"; k8ts writes nf_tables rules (update-alternatives --set iptables /usr/sbin/iptables-nft)`;
    },
  },
  { name: 'iproute2 (ip)', forAgent: true, fix: debianPackages, check: () => (which('ip') ? undefined : 'ip not found in PATH') },
  { name: 'gcc (builds the pause image)', forAgent: true, fix: debianPackages, check: () => (which('gcc') ? undefined : 'gcc not found in PATH') },
  {
    name: 'cgroups', forAgent: true, fix: 'mount the cgroup filesystems (cgroup v1 or v2) under /sys/fs/cgroup',
    check: () => (existsSync('/sys/fs/cgroup/cgroup.controllers') || existsSync('/sys/fs/cgroup/memory') ? undefined : 'no cgroup v1 memory controller or cgroup v2 hierarchy under /sys/fs/cgroup'),
  },
  {
    name: 'overlay filesystem', forAgent: true, fix: 'modprobe overlay',
    check: () => {
      try { return readFileSync('/proc/filesystems', 'utf8').includes('overlay') ? undefined : 'overlay not in /proc/filesystems'; } catch { return 'cannot read /proc/filesystems'; }
    },
  },
  { name: 'etcd (only for --datastore-endpoint tests)', forAgent: false, optional: true, fix: 'apt-get install -y etcd-server', check: () => (which('etcd') ? undefined : 'etcd not found in PATH') },
];

export function checkPrerequisites(forAgent: boolean): PrerequisiteResult[] {
  return prerequisites.filter((p) => forAgent || !p.forAgent).map((p) => {
    const problem = p.check();
    return { name: p.name, ok: problem === undefined, detail: problem ?? 'ok', fix: p.fix, optional: p.optional === true };
  });
}
