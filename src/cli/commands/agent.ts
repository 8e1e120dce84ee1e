import { hostname } from 'node:os';
import { get as httpsGet } from 'node:https';
import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger, type Logger } from '../../base/log.js';
import { systemClock, type Clock } from '../../base/clock.js';
import { sleep, spawn } from '../../base/async.js';
import { isNotFound, isStatusError } from '../../api/errors.js';
import { nodes } from '../../api/resources/core/index.js';
import { formatHelp, parseFlags, UsageError, type Flag, type FlagValues } from '../flags.js';
import { stopOnSignals } from '../stop-signals.js';
import { defaultDataDir } from './server-flags.js';
import { detectNodeIp } from './server.js';
import { checkPrerequisites } from '../prerequisites.js';
import { restClient } from '../../client/rest-client.js';
import { caCertHash, parseJoinToken } from '../../apiserver/pki/index.js';
import { joinPaths, type JoinConfig } from '../../apiserver/join.js';
import { startAgent } from '../../agent/index.js';
import { kubeletServerComponent, nodeNetworkComponent } from '../../agent/node-components.js';

/** `k8ts agent` flags, with k3s's names. */
export const agentFlags: readonly Flag[] = [
  { name: 'server', short: 's', type: 'string', default: '', env: 'K8TS_URL', category: 'cluster', help: 'Server to connect to (https://host:port)' },
  { name: 'token', short: 't', type: 'string', default: '', env: 'K8TS_TOKEN', category: 'cluster', help: 'Token to use for authentication' },
  { name: 'token-file', type: 'string', default: '', env: 'K8TS_TOKEN_FILE', category: 'cluster', help: 'Token file to use for authentication' },
  { name: 'data-dir', short: 'd', type: 'string', default: defaultDataDir(), env: 'K8TS_DATA_DIR', help: 'Folder to hold state' },
  { name: 'node-name', type: 'string', default: '', env: 'K8TS_NODE_NAME', category: 'agent/node', help: 'Node name' },
  { name: 'node-ip', short: 'i', type: 'string', default: '', category: 'agent/networking', help: 'IPv4 address to advertise for node' },
  { name: 'container-runtime-endpoint', type: 'string', default: '', category: 'agent/runtime', help: 'Disable the embedded containerd and use the CRI socket at the given path' },
  { name: 'registries', type: 'string', default: '', category: 'agent/runtime', help: 'Registry configuration file (default: <data-dir>/registries.yaml)' },
  { name: 'log-level', type: 'string', default: 'info', env: 'K8TS_LOG_LEVEL', help: 'Log level: debug, info, warn, error' },
];

export interface AgentConfig {
  server: string;
  token: string;
  dataDir: string;
  nodeName: string;
  nodeIp: string;
  containerRuntimeEndpoint: string;
  registries: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** Flags → a validated agent config; the token comes from --token or --token-file. */
export async function agentConfig(v: FlagValues, detectedNodeIp: string, hostName: string): Promise<AgentConfig> {
  const server = String(v.server).replace(/\/+$/, '');
  if (!server) throw new UsageError('--server is required');
  let url: URL;
  try { url = new URL(server); } catch { throw new UsageError(`--server ${server} is not a URL`); }
  if (url.protocol !== 'https:') throw new UsageError(`--server ${server} must be an https:// URL`);
  let token = String(v.token).trim();
  const tokenFile = String(v['token-file']);
  if (!token && tokenFile) {
    try { token = (await readFile(tokenFile, 'utf8')).trim(); } catch (err) { throw new UsageError(`--token-file ${tokenFile}: ${(err as Error).message}`); }
  }
  if (!token) throw new UsageError('--token or --token-file is required');
  const level = String(v['log-level']);
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new UsageError(`--log-level ${level}: want debug, info, warn or error`);
  const dataDir = String(v['data-dir']);
  return {
    server: url.origin, token, dataDir,
    nodeName: String(v['node-name'] || hostName).toLowerCase(),
    nodeIp: String(v['node-ip'] || detectedNodeIp),
    containerRuntimeEndpoint: String(v['container-runtime-endpoint']),
    registries: String(v.registries || join(dataDir, 'registries.yaml')),
    logLevel: level as AgentConfig['logLevel'],
  };
}

export interface AgentDeps {
  log: Logger;
  clock: Clock;
  /** Run the node network (host guards, proxy, DNS, routes) in this namespace; default true. Tests turn it off. */
  hostNetwork?: boolean;
  /** CNI bridge name (default cni0); tests use their own. */
  cniBridge?: string;
  /** Check root, containerd, runc, CNI plugins and iptables first; default true. */
  checkPrerequisites?: boolean;
}

/**
 * `k8ts agent`: fetch and pin the cluster CA, take the cluster settings and a kubelet serving
 * certificate from the server, then run containerd, the kubelet and the node components until
 * `signal` aborts.
 */
export async function runAgent(config: AgentConfig, deps: AgentDeps, signal: AbortSignal): Promise<void> {
  const { log, clock } = deps;
  if (deps.checkPrerequisites !== false) {
    const missing = checkPrerequisites(true).filter((r) => !r.ok && !r.optional);
    if (missing.length) {
      throw new Error(`this machine cannot run a k8ts node:\n${missing.map((m) => `  - ${m.name}: ${m.detail}\n    fix: ${m.fix}`).join('\n')}\n(run \`k8ts check\` for the full list)`);
    }
  }
  const token = parseJoinToken(config.token);
  const ca = await untilJoined('fetch the cluster CA', () => fetchCaCerts(config.server, signal), log, signal);
  if (token.caHash) {
    const actual = caCertHash(ca);
    if (actual !== token.caHash) throw new Error(`the server's CA certificate (sha256 ${actual}) does not match the token's CA hash ${token.caHash}: wrong server or token`);
  } else {
    log.warn('the token does not pin the cluster CA (not of the K10<hash>::user:secret form); trusting the CA the server presents');
  }
  const client = restClient({ server: config.server, ca, token: token.secret, userAgent: `k8ts-agent/${config.nodeName}` });
  try {
    const cluster = await untilJoined('fetch the cluster config', () => client.raw<JoinConfig>('GET', joinPaths.config, undefined, signal), log, signal);
    const serving = await untilJoined('get a kubelet serving certificate',
      () => client.raw<{ cert: string; key: string }>('POST', joinPaths.servingKubeletCert, { nodeName: config.nodeName, addresses: [config.nodeIp] }, signal), log, signal);
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    log.info('joining the cluster', { server: config.server, node: config.nodeName, nodeIp: config.nodeIp, clusterCidr: cluster.clusterCidr });
    const agent = startAgent({
      client, dataDir: config.dataDir, nodeName: config.nodeName, nodeIp: config.nodeIp,
      containerRuntimeEndpoint: config.containerRuntimeEndpoint || undefined, registriesFile: config.registries,
      clusterDns: cluster.clusterDns, clusterDomain: cluster.clusterDomain, log, clock, controlPlane: false,
      ...(deps.cniBridge ? { cniBridge: deps.cniBridge } : {}),
      components: [
        kubeletServerComponent({ cert: serving.cert, key: serving.key, ca }),
        ...(deps.hostNetwork === false ? [] : [nodeNetworkComponent({ clusterCidr: cluster.clusterCidr, serviceCidr: cluster.serviceCidr })]),
      ],
    });
    // One line when the Node object exists (the kubelet registers it).
    const watchStop = new AbortController();
    const stopWatch = () => watchStop.abort();
    signal.addEventListener('abort', stopWatch, { once: true });
    const registered = spawn(watchStop.signal, log, 'registration-watch', async (s) => {
      while (!s.aborted) {
        try {
          await client.get(nodes, '', config.nodeName);
          log.info('node registered', { node: config.nodeName, server: config.server });
          return;
        } catch (err) {
          if (!isNotFound(err)) log.debug('node not readable yet', { err });
        }
        await sleep(1000, s).catch(() => undefined);
      }
    });
    try {
      await agent.run(signal);
    } finally {
      signal.removeEventListener('abort', stopWatch);
      watchStop.abort();
      await registered;
    }
  } finally {
    client.close();
  }
}

/** The server answered, and the answer means retrying cannot help. */
export class JoinRefused extends Error {
  override name = 'JoinRefused';
}

/**
 * A join step that a server not up yet (or restarting) fails: tried again with backoff (1 s
 * doubling to 15 s) until it works or `signal` aborts, as a k3s agent waits for its server.
 * An answer that says the token or the request is wrong (4xx other than 429) fails at once.
 */
export async function untilJoined<T>(what: string, step: () => Promise<T>, log: Logger, signal: AbortSignal, delays = { firstMs: 1000, maxMs: 15_000 }): Promise<T> {
  let delay = delays.firstMs;
  for (;;) {
    signal.throwIfAborted();
    try {
      return await step();
    } catch (err) {
      if (signal.aborted) throw err;
      if (err instanceof JoinRefused) throw err;
      if (isStatusError(err) && err.code >= 400 && err.code < 500 && err.code !== 429) {
        throw new Error(`cannot ${what}: ${err.message}${err.code === 401 ? ' (wrong token?)' : ''}`, { cause: err });
      }
      log.warn(`cannot ${what} yet; retrying`, { err: (err as Error).message, retryMs: delay });
      await sleep(delay, signal);
      delay = Math.min(delay * 2, delays.maxMs);
    }
  }
}

/**
 * GET /cacerts without verifying the server (the CA is what we are fetching); the caller pins
 * it with the token's hash, as k3s does.
 */
function fetchCaCerts(server: string, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(`${server}${joinPaths.cacerts}`, { rejectUnauthorized: false, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        const failure = `GET ${server}${joinPaths.cacerts}: HTTP ${code}: ${text.slice(0, 200)}`;
        if (code >= 400 && code < 500 && code !== 429) return reject(new JoinRefused(`${failure} (is ${server} a k8ts server?)`));
        if (code !== 200) return reject(new Error(failure));
        if (!text.includes('-----BEGIN CERTIFICATE-----')) return reject(new JoinRefused(`GET ${server}${joinPaths.cacerts}: not a PEM certificate (is ${server} a k8ts server?)`));
        resolve(text);
      });
    });
    req.on('error', (err) => reject(new Error(`cannot reach the server at ${server}: ${err.message}`, { cause: err })));
  });
}

/** `k8ts agent`: a node joining an existing cluster. */
export const agentCommand = {
  name: 'agent',
  summary: 'Run a k8ts node agent that joins the cluster of --server',
  async run(argv: string[]): Promise<number> {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(formatHelp('k8ts agent --server https://HOST:6443 --token TOKEN [flags]', agentFlags));
      return 0;
    }
    const { values } = parseFlags(agentFlags, argv, process.env);
    const config = await agentConfig(values, detectNodeIp(), hostname());
    const log = createLogger({ level: config.logLevel });
    await runAgent(config, { log, clock: systemClock }, stopOnSignals(log, { watchdogMs: 30_000 }));
    return 0;
  },
};
