import { networkInterfaces, hostname } from 'node:os';
import { createLogger } from '../../base/log.js';
import { systemClock } from '../../base/clock.js';
import { formatHelp, parseFlags } from '../flags.js';
import { serverConfig, serverFlags } from './server-flags.js';
import { startServer } from '../run-server.js';
import { stopOnSignals } from '../stop-signals.js';
import { applyHeapGrowth } from '../heap-policy.js';

/** `k8ts server`: the control plane (and, unless --disable-agent, a node agent in-process). */
export const serverCommand = {
  name: 'server',
  summary: 'Run the k8ts control plane (API server, datastore, controllers, scheduler) and a node agent',
  async run(argv: string[]): Promise<number> {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(formatHelp('k8ts server [flags]', serverFlags));
      return 0;
    }
    const { values } = parseFlags(serverFlags, argv, process.env);
    // Before the server allocates anything much: the heap's growth policy (see heap-policy.ts).
    applyHeapGrowth(values['heap-growth-percent'] as number);
    const config = serverConfig(values, detectNodeIp(), hostname().toLowerCase());
    const log = createLogger({ level: config.logLevel, format: config.logFormat });
    const stop = stopOnSignals(log, { watchdogMs: 30_000 });
    let server;
    try {
      server = await startServer(config, { log, clock: systemClock }, stop);
    } catch (err) {
      // A signal while starting is a stop (what had started is stopped), not a failure.
      if (stop.aborted) { log.info('stopped while starting'); return 0; }
      throw err;
    }
    await server.done;
    return 0;
  },
};

/** The first non-internal IPv4 address, as k3s picks the node IP; loopback when there is none. */
export function detectNodeIp(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
