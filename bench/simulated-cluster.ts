/**
 * A control plane as users run one with simulated nodes: `k8ts server --disable-agent` and
 * `k8ts simulate --nodes N` as processes of their own, and an HTTPS client of this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodes, serviceAccounts } from '../src/api/resources/core/index.js';
import { restConfigFromKubeconfig } from '../src/client/kubeconfig.js';
import { restClient } from '../src/client/rest-client.js';
import { startK8ts, type K8tsProcess } from '../test/fixtures/k8ts-process.js';
import { until } from '../test/fixtures/until.js';
import { nodeFlags } from '../src/cli/node-flags.js';

const mainJs = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');

export interface SimulatedCluster {
  /** The current server process (a new one after `restartServer`). */
  server: K8tsProcess;
  simulator: ChildProcess;
  client: ReturnType<typeof restClient>;
  /** Stops the server (SIGTERM) and starts it again on the same data dir and port. */
  restartServer(): Promise<void>;
  /** Stops the simulator and the server and removes the data dir. */
  stop(): Promise<void>;
}

/**
 * Starts both processes and resolves once the default ServiceAccount exists (pods can be created)
 * and all `nodeCount` nodes are registered. `nodeArgs` go to the server's node (e.g. --cpu-prof).
 */
export async function startSimulatedCluster(nodeCount: number, opts: { namePrefix?: string; nodeArgs?: string[] } = {}): Promise<SimulatedCluster> {
  const start = (at?: { dataDir: string; port: number }) => startK8ts(['--disable-agent'], { nodeArgs: opts.nodeArgs ?? [], ...at });
  let server = await start();
  const client = restClient({ ...await restConfigFromKubeconfig(server.kubeconfig), timeoutMs: 60_000 });
  const simProf = process.env.BENCH_SIMULATOR_CPU_PROFILE_DIR;
  const simulator = spawn(process.execPath, [...nodeFlags, ...(simProf ? ['--cpu-prof', `--cpu-prof-dir=${simProf}`] : []), mainJs, 'simulate', '--kubeconfig', server.kubeconfig, '--nodes', String(nodeCount),
    ...(opts.namePrefix ? ['--name-prefix', opts.namePrefix] : []), '--log-level', 'warn'], { stdio: 'ignore' });
  const stop = async () => {
    client.close();
    if (simulator.exitCode === null && simulator.signalCode === null) {
      const exited = new Promise((r) => simulator.once('exit', r));
      simulator.kill('SIGTERM');
      await exited;
    }
    await server.stop();
    await server.cleanup();
  };
  try {
    await until('the default ServiceAccount', async () => {
      try { await client.get(serviceAccounts, 'default', 'default'); return true; } catch { return false; }
    }, 30_000);
    await until(`${nodeCount} nodes`, async () => (await client.list(nodes, {})).items.length >= nodeCount, 300_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    get server() { return server; },
    simulator, client, stop,
    async restartServer() {
      await server.stop();
      server = await start({ dataDir: server.dataDir, port: server.port });
    },
  };
}
