import { createLogger } from '../../base/log.js';
import { formatHelp, parseFlags, type Flag } from '../flags.js';
import { cleanupNode } from '../../agent/index.js';
import { cleanupNetwork, execFile } from '../../network/index.js';
import { cleanupProxyRules } from '../../proxy/index.js';
import { defaultDataDir } from './server-flags.js';

const flags: Flag[] = [
  { name: 'data-dir', short: 'd', type: 'string', default: defaultDataDir(), env: 'K8TS_DATA_DIR', help: 'Folder of the node to clean up' },
];

/**
 * `k8ts cleanup`: stops and removes everything a node created — containers and sandboxes, the
 * containerd it started, mounts, network namespaces, interfaces, iptables chains, routes and
 * cgroups — like k3s-killall.sh. The data dir's state (datastore, certificates) is kept.
 */
export const cleanupCommand = {
  name: 'cleanup',
  summary: 'Stop and remove every container, mount, interface, rule, route and cgroup a node made',
  async run(argv: string[]): Promise<number> {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(formatHelp('k8ts cleanup [--data-dir DIR]', flags));
      return 0;
    }
    const { values } = parseFlags(flags, argv, process.env);
    const log = createLogger({ level: 'info' });
    const report = await cleanupNode({
      dataDir: String(values['data-dir']), log,
      networkCleanup: async () => {
        const chains = await cleanupProxyRules(execFile);
        await cleanupNetwork(execFile);
        log.info('removed service rules and host routes', { chains });
      },
    });
    console.log(`removed ${report.containers} containers, ${report.sandboxes} pod sandboxes, ${report.netns} network namespaces, ${report.links} links, ${report.unmounted} mounts, ${report.cgroups} cgroups${report.containerdStopped ? '; stopped containerd' : ''}`);
    return 0;
  },
};
