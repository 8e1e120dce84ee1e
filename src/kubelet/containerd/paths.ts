import { join } from 'node:path';

/** Where the agent keeps everything containerd-related under its data dir (never the system's). */
export interface ContainerdPaths {
  dir: string;
  config: string;
  socket: string;
  root: string;
  state: string;
  log: string;
  pidFile: string;
  /** containerd's registry hosts directory (`<host>/hosts.toml`). */
  certsDir: string;
  cniConfDir: string;
  /** Where the kubelet keeps pod log directories. */
  podLogsDir: string;
}

export function containerdPaths(dataDir: string): ContainerdPaths {
  const agent = join(dataDir, 'agent');
  const dir = join(agent, 'containerd');
  return {
    dir,
    config: join(dir, 'config.toml'),
    socket: join(dir, 'containerd.sock'),
    root: join(dir, 'root'),
    state: join(dir, 'state'),
    log: join(dir, 'containerd.log'),
    pidFile: join(dir, 'containerd.pid'),
    certsDir: join(agent, 'etc', 'containerd', 'certs.d'),
    cniConfDir: join(agent, 'etc', 'cni', 'net.d'),
    podLogsDir: join(agent, 'pods'),
  };
}
