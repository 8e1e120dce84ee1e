import { createLogger } from '../../base/log.js';
import { systemClock } from '../../base/clock.js';
import { formatHelp, parseFlags, UsageError, type Flag } from '../flags.js';
import { stopOnSignals } from '../stop-signals.js';
import { restClient } from '../../client/rest-client.js';
import { restConfigFromKubeconfig } from '../../client/kubeconfig.js';
import { simulate } from '../../simulator/index.js';

const flags: Flag[] = [
  { name: 'kubeconfig', type: 'string', default: '', env: 'KUBECONFIG', help: 'Kubeconfig of the cluster to join' },
  { name: 'nodes', type: 'int', default: 1, help: 'How many simulated nodes' },
  { name: 'name-prefix', type: 'string', default: 'sim-', help: 'Nodes are named <prefix><index>' },
  { name: 'cpu', type: 'string', default: '32', help: 'CPU capacity of each node' },
  { name: 'memory', type: 'string', default: '256Gi', help: 'Memory capacity of each node' },
  { name: 'pods', type: 'int', default: 110, help: 'Pod capacity of each node' },
  { name: 'heartbeat-interval', type: 'duration', default: 10_000, help: 'How often each node renews its Lease (the kubelet\'s 10s); shorten it with a short --node-monitor-grace-period' },
  { name: 'log-level', type: 'string', default: 'info', help: 'debug, info, warn or error' },
];

/** `k8ts simulate`: kwok-like nodes whose kubelets are played in-process (scale tests, benchmarks). */
export const simulateCommand = {
  name: 'simulate',
  summary: 'Register simulated nodes and play their kubelets (kwok-like)',
  async run(argv: string[]): Promise<number> {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(formatHelp('k8ts simulate --kubeconfig FILE --nodes N [flags]', flags));
      return 0;
    }
    const { values } = parseFlags(flags, argv, process.env);
    const kubeconfig = String(values.kubeconfig);
    if (!kubeconfig) throw new UsageError('--kubeconfig is required (or set KUBECONFIG)');
    const nodes = Number(values.nodes);
    if (!(nodes > 0)) throw new UsageError('--nodes must be at least 1');
    const log = createLogger({ level: String(values['log-level']) as 'info' });
    const client = restClient({ ...await restConfigFromKubeconfig(kubeconfig), userAgent: 'k8ts-simulate/v1.33' });
    // Stopping silences the nodes at once; requests still retrying against a server that is gone get 5 s.
    const stop = stopOnSignals(log, { watchdogMs: 5_000, watchdogCode: 0 });
    log.info('simulating nodes', { nodes, prefix: values['name-prefix'] });
    try {
      await simulate({ client, log, clock: systemClock }, {
        nodes, namePrefix: String(values['name-prefix']), cpu: String(values.cpu), memory: String(values.memory), pods: Number(values.pods),
        leaseRenewMs: Number(values['heartbeat-interval']),
      }).run(stop);
    } finally {
      client.close();
    }
    return 0;
  },
};
