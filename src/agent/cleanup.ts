/**
 * `k8ts cleanup --data-dir DIR`: stops and removes everything a node agent created, like
 * k3s-killall.sh — every sandbox and container (through the CRI while containerd answers), the
 * containerd this agent started (by its PID file) and the shims and container processes it left,
 * the mounts under the data dir, the network namespaces and veths of its pods, its CNI bridge,
 * its pod cgroups, and (through the networking hook) its iptables chains and routes.
 * Only what can be traced to this data dir is touched.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sleep, type Logger } from '../base/index.js';
import { containerdPaths } from '../kubelet/containerd/index.js';
import { createCriClient } from '../kubelet/cri/index.js';
import { readCniBridge } from '../kubelet/cni-conflist.js';
import { mountPointsUnder } from '../kubelet/volumes/index.js';
import { cgroupRootFile } from './agent.js';

const run = promisify(execFile);

export interface CleanupOptions {
  dataDir: string;
  log: Logger;
  /** cgroupfs parent of the agent's pods (default: what the agent recorded, else `/k8ts`). */
  cgroupRoot?: string;
  /** The CNI bridge; default: the one the agent's conflist names. */
  cniBridge?: string;
  /** The networking side's own cleanup (K8TS- iptables chains, routes, service sink). */
  networkCleanup?: () => Promise<void>;
}

export interface CleanupReport {
  containers: number;
  sandboxes: number;
  containerdStopped: boolean;
  processesKilled: number;
  unmounted: number;
  netns: number;
  links: number;
  cgroups: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function cmdline(pid: number): Promise<string[]> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean);
}

async function processes(): Promise<{ pid: number; ppid: number }[]> {
  const out: { pid: number; ppid: number }[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const m = /\) \S (\d+)/.exec(stat);
    if (m) out.push({ pid: Number(name), ppid: Number(m[1]) });
  }
  return out;
}

/** Kills a process and all its descendants (children first stopped, then everything killed). */
async function killTree(root: number): Promise<number> {
  const all = await processes();
  const tree: number[] = [];
  const walk = (pid: number) => { tree.push(pid); for (const p of all) if (p.ppid === pid) walk(p.pid); };
  walk(root);
  let n = 0;
  for (const pid of tree.reverse()) {
    try { process.kill(pid, 'SIGKILL'); n++; } catch { /* already gone */ }
  }
  return n;
}

/** Removes a cgroup subtree in every v1 controller (and the v2 root), deepest first. */
async function removeCgroupTree(cgroupRoot: string): Promise<number> {
  const base = '/sys/fs/cgroup';
  let removed = 0;
  const controllers = await readdir(base).catch(() => [] as string[]);
  for (const top of [...controllers.map((c) => join(base, c, cgroupRoot)), join(base, cgroupRoot)]) {
    const dirs: string[] = [];
    const walk = async (d: string): Promise<void> => {
      const entries = await readdir(d, { withFileTypes: true }).catch(() => undefined);
      if (!entries) return;
      dirs.push(d);
      for (const e of entries) if (e.isDirectory()) await walk(join(d, e.name));
    };
    await walk(top);
    for (const d of dirs.reverse()) {
      // Leftover processes would keep the group busy: kill them first.
      const procs = (await readFile(join(d, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
      for (const pid of procs) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
      if (procs.length) await sleep(100);
      if (await rmdir(d).then(() => true, () => false)) removed++;
    }
  }
  return removed;
}

/**
 * Names of the /run/netns entries holding the peers of the veths on `bridge`, as `ip` names them
 * (`link-netns NAME`, from the netns ids of the namespace we run in). Interface indexes are not
 * used: every network namespace numbers its links on its own, so another node's pod (in another
 * test host) can have an `eth0@ifN` whose N is also the index of one of our veths.
 */
export function peerNetnsNames(ipLinkOutput: string): string[] {
  const out = new Set<string>();
  for (const l of ipLinkOutput.split('\n')) {
    const ns = /\slink-netns (\S+)/.exec(l)?.[1];
    if (ns) out.add(ns);
  }
  return [...out];
}

async function podNetnsOnBridge(bridge: string): Promise<string[]> {
  const { stdout } = await run('ip', ['-o', 'link', 'show', 'master', bridge]).catch(() => ({ stdout: '' }));
  const existing = new Set(await readdir('/run/netns').catch(() => [] as string[]));
  return peerNetnsNames(stdout).filter((ns) => existing.has(ns));
}

export async function cleanupNode(o: CleanupOptions): Promise<CleanupReport> {
  const log = o.log.child({ component: 'cleanup' });
  const paths = containerdPaths(o.dataDir);
  const report: CleanupReport = { containers: 0, sandboxes: 0, containerdStopped: false, processesKilled: 0, unmounted: 0, netns: 0, links: 0, cgroups: 0 };
  const confBridge = o.cniBridge ?? await readCniBridge(paths.cniConfDir);

  // 1. Through the CRI, while our containerd answers.
  const pid = Number((await readFile(paths.pidFile, 'utf8').catch(() => '')).trim());
  const ours = Number.isInteger(pid) && pid > 1 && alive(pid) && (await cmdline(pid)).includes(paths.config);
  if (ours) {
    const cri = createCriClient(paths.socket, { timeoutMs: 30_000 });
    try {
      const { containers = [] } = await cri.runtime.listContainers({});
      for (const c of containers) {
        await cri.runtime.stopContainer({ containerId: c.id ?? '', timeout: 0 }).catch(() => undefined);
        await cri.runtime.removeContainer({ containerId: c.id ?? '' }).then(() => { report.containers++; }, () => undefined);
      }
      const { items = [] } = await cri.runtime.listPodSandbox({});
      for (const s of items) {
        await cri.runtime.stopPodSandbox({ podSandboxId: s.id ?? '' }).catch(() => undefined);
        await cri.runtime.removePodSandbox({ podSandboxId: s.id ?? '' }).then(() => { report.sandboxes++; }, () => undefined);
      }
    } catch (err) {
      log.warn('CRI cleanup failed; continuing with processes and mounts', { err });
    } finally {
      cri.close();
    }
    // 2. containerd itself.
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    report.containerdStopped = true;
    log.info('containerd stopped', { pid });
  }
  await rm(paths.pidFile, { force: true });

  // 3. Shims of our containerd (and what runs under them): their command line names our socket or state dir.
  for (const p of await processes()) {
    const args = await cmdline(p.pid);
    if (!args[0]?.includes('containerd-shim')) continue;
    if (args.some((a) => a === paths.socket || a.startsWith(paths.dir + '/') || a.startsWith(paths.state))) {
      report.processesKilled += await killTree(p.pid);
    }
  }

  // 4. Pod network namespaces on our bridge, then the bridge and its veths.
  if (confBridge) {
    for (const ns of await podNetnsOnBridge(confBridge)) {
      await run('ip', ['netns', 'delete', ns]).then(() => { report.netns++; }, (err: unknown) => log.warn('netns delete failed', { ns, err }));
    }
    const { stdout } = await run('ip', ['-o', 'link', 'show', 'master', confBridge]).catch(() => ({ stdout: '' }));
    for (const l of stdout.split('\n')) {
      const name = /^\d+: ([^@:]+)/.exec(l)?.[1];
      if (name) await run('ip', ['link', 'delete', name]).then(() => { report.links++; }, () => undefined);
    }
    await run('ip', ['link', 'delete', confBridge]).then(() => { report.links++; }, () => undefined);
  }

  // 5. Mounts under the data dir (rootfs overlays, shm, tmpfs volumes), deepest first.
  for (const m of await mountPointsUnder(o.dataDir)) {
    await run('umount', [m]).catch(() => run('umount', ['-l', m])).then(() => { report.unmounted++; }, (err: unknown) => log.warn('unmount failed', { mount: m, err }));
  }

  // 6. Pod cgroups.
  const recorded = (await readFile(cgroupRootFile(o.dataDir), 'utf8').catch(() => '')).trim();
  report.cgroups = await removeCgroupTree(o.cgroupRoot ?? (recorded || '/k8ts'));

  // 7. Networking: K8TS- chains, routes (owned by the networking side).
  if (o.networkCleanup) await o.networkCleanup();

  // 8. Runtime state that would confuse a fresh start: IP allocations and kubelet pod dirs.
  await rm(join(o.dataDir, 'agent', 'cni-ipam'), { recursive: true, force: true });
  await rm(join(o.dataDir, 'agent', 'kubelet', 'pods'), { recursive: true, force: true });
  log.info('node cleaned up', { ...report });
  return report;
}
