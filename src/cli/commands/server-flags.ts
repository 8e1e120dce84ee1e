import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Flag, FlagValues } from '../flags.js';
import { UsageError } from '../flags.js';
import { cidrsOverlap, parseCidr, ipAt } from '../../network/cidr.js';
import { parsePortRange } from '../../apiserver/admission/service-allocation.js';

export function defaultDataDir(): string {
  return process.getuid?.() === 0 ? '/var/lib/k8ts' : join(homedir(), '.k8ts');
}

/** `k8ts server` flags, with k3s's names. */
export const serverFlags: readonly Flag[] = [
  { name: 'data-dir', short: 'd', type: 'string', default: defaultDataDir(), env: 'K8TS_DATA_DIR', help: 'Folder to hold state' },
  { name: 'https-listen-port', type: 'int', default: 6443, category: 'listener', help: 'HTTPS listen port' },
  { name: 'bind-address', type: 'string', default: '0.0.0.0', category: 'listener', help: 'k8ts bind address' },
  { name: 'advertise-address', type: 'string', default: '', category: 'listener', help: 'IP address that the apiserver uses to advertise to members of the cluster (default: node-ip)' },
  { name: 'tls-san', type: 'strings', default: [], category: 'listener', help: 'Add additional hostnames or IPv4/IPv6 addresses as Subject Alternative Names on the server TLS cert' },
  { name: 'datastore-endpoint', type: 'string', default: '', env: 'K8TS_DATASTORE_ENDPOINT', category: 'db', help: 'Empty: embedded SQLite at <data-dir>/state.db; http(s)://host:port[,host:port]: etcd v3' },
  { name: 'token', short: 't', type: 'string', default: '', env: 'K8TS_TOKEN', category: 'cluster', help: 'Shared secret used to join a server or agent to a cluster (generated when empty)' },
  { name: 'cluster-cidr', type: 'string', default: '10.42.0.0/16', category: 'networking', help: 'IPv4 network CIDRs to use for pod IPs' },
  { name: 'service-cidr', type: 'string', default: '10.43.0.0/16', category: 'networking', help: 'IPv4 network CIDRs to use for service IPs' },
  { name: 'service-node-port-range', type: 'string', default: '30000-32767', category: 'networking', help: 'Port range to reserve for services with NodePort visibility' },
  { name: 'cluster-dns', type: 'string', default: '', category: 'networking', help: 'IPv4 Cluster IP for coredns service. Should be in your service-cidr range (default: 10.43.0.10)' },
  { name: 'cluster-domain', type: 'string', default: 'cluster.local', category: 'networking', help: 'Cluster Domain' },
  { name: 'write-kubeconfig', short: 'o', type: 'string', default: '', env: 'K8TS_KUBECONFIG_OUTPUT', category: 'client', help: 'Write kubeconfig for admin client to this file (default: <data-dir>/kubeconfig.yaml)' },
  { name: 'write-kubeconfig-mode', type: 'string', default: '0600', env: 'K8TS_KUBECONFIG_MODE', category: 'client', help: 'Write kubeconfig with this mode' },
  { name: 'disable-agent', type: 'bool', default: false, category: 'components', help: 'Do not run a local agent and register a local kubelet' },
  { name: 'disable-scheduler', type: 'bool', default: false, category: 'components', help: 'Disable the scheduler' },
  { name: 'disable-controller-manager', type: 'bool', default: false, category: 'components', help: 'Disable the controller manager' },
  { name: 'node-name', type: 'string', default: '', env: 'K8TS_NODE_NAME', category: 'agent/node', help: 'Node name' },
  { name: 'node-ip', short: 'i', type: 'string', default: '', category: 'agent/networking', help: 'IPv4 address to advertise for node' },
  { name: 'container-runtime-endpoint', type: 'string', default: '', category: 'agent/runtime', help: 'Disable the embedded containerd and use the CRI socket at the given path' },
  { name: 'registries', type: 'string', default: '', category: 'agent/runtime', help: 'Registry configuration file (default: <data-dir>/registries.yaml)' },
  { name: 'node-monitor-grace-period', type: 'duration', default: 40_000, category: 'controllers', help: 'Time a node may be unresponsive before it is marked unhealthy' },
  { name: 'leader-elect-lease-duration', type: 'duration', default: 15_000, category: 'controllers', help: 'How long a non-leader waits after the last renewal before taking the controller-manager and scheduler leases' },
  { name: 'leader-elect-renew-deadline', type: 'duration', default: 10_000, category: 'controllers', help: 'How long the leader keeps retrying to renew before it steps down (less than the lease duration)' },
  { name: 'leader-elect-retry-period', type: 'duration', default: 2_000, category: 'controllers', help: 'How often candidates try to acquire or renew leadership' },
  { name: 'default-not-ready-toleration-seconds', type: 'int', default: 300, category: 'controllers', help: 'Toleration seconds for notReady:NoExecute added to every pod without one' },
  { name: 'default-unreachable-toleration-seconds', type: 'int', default: 300, category: 'controllers', help: 'Toleration seconds for unreachable:NoExecute added to every pod without one' },
  { name: 'heap-growth-percent', type: 'int', default: 50, env: 'K8TS_HEAP_GROWTH_PERCENT', category: 'process', help: 'How far the JavaScript heap may grow past the live size before the next full GC (0: V8\'s own policy, which may grow it to 4x after a burst of writes)' },
  { name: 'log-level', type: 'string', default: 'info', env: 'K8TS_LOG_LEVEL', help: 'Log level: debug, info, warn, error' },
  { name: 'log-format', type: 'string', default: 'text', help: 'Log format: text or json' },
];

export interface ServerConfig {
  dataDir: string;
  port: number;
  bindAddress: string;
  advertiseAddress: string;
  tlsSans: string[];
  datastoreEndpoint: string;
  token: string;
  clusterCidr: string;
  serviceCidr: string;
  nodePortRange: string;
  clusterDns: string;
  clusterDomain: string;
  kubeconfigPath: string;
  kubeconfigMode: number;
  disableAgent: boolean;
  disableScheduler: boolean;
  disableControllerManager: boolean;
  nodeName: string;
  nodeIp: string;
  containerRuntimeEndpoint: string;
  registries: string;
  nodeMonitorGracePeriodMs: number;
  /** Leader election of the controller manager and the scheduler (kube's --leader-elect-* flags). */
  leaderElection: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
  defaultNotReadyTolerationSeconds: number;
  defaultUnreachableTolerationSeconds: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  logFormat: 'text' | 'json';
}

/**
 * Flags → one validated config, derived defaults filled in (cluster DNS = service CIDR + 10),
 * bad combinations rejected before anything starts.
 */
export function serverConfig(v: FlagValues, detectedNodeIp: string, hostName: string): ServerConfig {
  const dataDir = String(v['data-dir']);
  const serviceCidr = String(v['service-cidr']);
  const clusterCidr = String(v['cluster-cidr']);
  let svc, pods;
  try { svc = parseCidr(serviceCidr); } catch (err) { throw new UsageError(`--service-cidr: ${(err as Error).message}`); }
  try { pods = parseCidr(clusterCidr); } catch (err) { throw new UsageError(`--cluster-cidr: ${(err as Error).message}`); }
  if (cidrsOverlap(svc, pods)) throw new UsageError(`--service-cidr ${serviceCidr} overlaps --cluster-cidr ${clusterCidr}`);
  if (svc.prefix > 28) throw new UsageError(`--service-cidr ${serviceCidr} is too small`);
  if (pods.prefix > 24) throw new UsageError(`--cluster-cidr ${clusterCidr} must hold at least one /24 per node`);
  // The host's resolver lives in 10.255.0.0/16 on these machines: never claim it.
  for (const [flag, c] of [['--service-cidr', svc], ['--cluster-cidr', pods]] as const) {
    if (c.prefix < 12) throw new UsageError(`${flag} is wider than /12; k8ts refuses ranges that could cover the host's own networks`);
    if (cidrsOverlap(c, parseCidr('10.255.0.0/16'))) throw new UsageError(`${flag} overlaps 10.255.0.0/16, where the host's DNS resolver lives`);
  }
  const nodePortRange = String(v['service-node-port-range']);
  try { parsePortRange(nodePortRange); } catch (err) { throw new UsageError(`--service-node-port-range: ${(err as Error).message}`); }
  const port = Number(v['https-listen-port']);
  if (!(port > 0 && port < 65536)) throw new UsageError(`--https-listen-port ${port} is not a port`);
  const [lease, renew, retry] = [Number(v['leader-elect-lease-duration']), Number(v['leader-elect-renew-deadline']), Number(v['leader-elect-retry-period'])];
  if (!(lease > renew)) throw new UsageError('--leader-elect-lease-duration must be greater than --leader-elect-renew-deadline');
  if (!(renew > retry * 1.2)) throw new UsageError('--leader-elect-renew-deadline must be greater than 1.2 × --leader-elect-retry-period');
  const mode = parseInt(String(v['write-kubeconfig-mode']), 8);
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) throw new UsageError(`--write-kubeconfig-mode ${v['write-kubeconfig-mode']} is not an octal file mode`);
  const level = String(v['log-level']);
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new UsageError(`--log-level ${level}: want debug, info, warn or error`);
  const format = String(v['log-format']);
  if (format !== 'text' && format !== 'json') throw new UsageError(`--log-format ${format}: want text or json`);
  const endpoint = String(v['datastore-endpoint']);
  if (endpoint && !/^https?:\/\//.test(endpoint)) throw new UsageError(`--datastore-endpoint ${endpoint}: only etcd (http(s)://host:port[,…]) and the embedded SQLite (empty) are supported`);
  const nodeIp = String(v['node-ip'] || detectedNodeIp);
  const clusterDns = String(v['cluster-dns'] || ipAt(svc, 10));
  return {
    dataDir,
    port,
    bindAddress: String(v['bind-address']),
    advertiseAddress: String(v['advertise-address'] || nodeIp),
    tlsSans: (v['tls-san'] as string[] | undefined) ?? [],
    datastoreEndpoint: endpoint,
    token: String(v.token),
    clusterCidr,
    serviceCidr,
    nodePortRange,
    clusterDns,
    clusterDomain: String(v['cluster-domain']),
    kubeconfigPath: String(v['write-kubeconfig'] || join(dataDir, 'kubeconfig.yaml')),
    kubeconfigMode: mode,
    disableAgent: Boolean(v['disable-agent']),
    disableScheduler: Boolean(v['disable-scheduler']),
    disableControllerManager: Boolean(v['disable-controller-manager']),
    nodeName: String(v['node-name'] || hostName),
    nodeIp,
    containerRuntimeEndpoint: String(v['container-runtime-endpoint']),
    registries: String(v.registries || join(dataDir, 'registries.yaml')),
    nodeMonitorGracePeriodMs: Number(v['node-monitor-grace-period']),
    leaderElection: {
      leaseDurationMs: Number(v['leader-elect-lease-duration']),
      renewDeadlineMs: Number(v['leader-elect-renew-deadline']),
      retryPeriodMs: Number(v['leader-elect-retry-period']),
    },
    defaultNotReadyTolerationSeconds: Number(v['default-not-ready-toleration-seconds']),
    defaultUnreachableTolerationSeconds: Number(v['default-unreachable-toleration-seconds']),
    logLevel: level as ServerConfig['logLevel'],
    logFormat: format,
  };
}
