import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { hostname } from 'node:os';
import type { Logger } from '../base/log.js';
import type { Clock } from '../base/clock.js';
import { spawn, untilAborted } from '../base/async.js';
import { openStore } from '../storage/open-store.js';
import { compactor } from '../storage/compactor.js';
import { SharedFieldSets, WatchCache } from '../storage/watchcache/index.js';
import { freezeAsJson } from '../api/patch/json-value.js';
import { KeyExistsError, type Store } from '../storage/store.js';
import { type KubeObject } from '../api/types.js';
import { ObjectCodec } from '../apiserver/registry/codec.js';
import { secretsEncryption } from '../apiserver/encryption.js';
import { createApiServer, type ApiServer } from '../apiserver/api-server.js';
import { joinHandler } from '../apiserver/join.js';
import { formatJoinToken, issueClientCertificate, issueServingCertificate, loadOrCreatePki, parseJoinToken, writeAdminKubeconfig, type PkiStore } from '../apiserver/pki/index.js';
import { checkPrerequisites } from './prerequisites.js';
import { createAuthenticator } from '../apiserver/authn/index.js';
import { ipAt, parseCidr } from '../network/cidr.js';
import type { ServerConfig } from './commands/server-flags.js';
import { serverVersion } from './version.js';
import { controllerManager } from '../controllers/manager.js';
import { leaderElector } from '../client/leader-election.js';
import { scheduler } from '../scheduler/index.js';

/** The `iss` of service-account tokens, as upstream's default. */
export const serviceAccountIssuer = 'https://kubernetes.default.svc.cluster.local';

export interface RunningServer {
  api: ApiServer;
  /** Resolves when everything has stopped after `signal` aborted. */
  done: Promise<void>;
}

/**
 * `k8ts server`: datastore, PKI, watch cache, API server, then the control-plane components that
 * are clients of it. Everything stops in reverse order when `signal` aborts.
 */
export async function startServer(config: ServerConfig, deps: { log: Logger; clock: Clock }, signal: AbortSignal): Promise<RunningServer> {
  const { log, clock } = deps;
  const started = clock.now();
  if (!config.disableAgent) {
    // A node needs root, containerd, runc, CNI plugins and iptables: say exactly what is missing, before starting anything.
    const missing = checkPrerequisites(true).filter((r) => !r.ok && !r.optional);
    if (missing.length) {
      throw new Error(`this machine cannot run a k8ts node:\n${missing.map((m) => `  - ${m.name}: ${m.detail}\n    fix: ${m.fix}`).join('\n')}\n(run \`k8ts check\` for the full list, or start with --disable-agent for a control plane only)`);
    }
  }
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const token = config.token || await loadOrCreateToken(config.dataDir);

  log.info('opening datastore', { endpoint: config.datastoreEndpoint || join(config.dataDir, 'state.db') });
  const loadPki = (shared: Store | undefined) => loadOrCreatePki(config.dataDir, {
    token,
    sharedStore: shared && pkiStoreOf(shared),
    serving: {
      nodeAddresses: [config.advertiseAddress, config.nodeIp].filter(Boolean),
      hostname: hostname().toLowerCase(),
      serviceIp: ipAt(parseCidr(config.serviceCidr), 1),
      clusterDomain: config.clusterDomain,
      extraSans: config.tlsSans,
    },
    clock,
  });
  // The embedded store (its worker takes ~40 ms to start) opens while the PKI is loaded or made;
  // only with etcd does the PKI live in the store.
  const opening = openStore(config.datastoreEndpoint, config.dataDir);
  const [opened, loaded] = await Promise.allSettled([opening, config.datastoreEndpoint ? opening.then(loadPki) : loadPki(undefined)]);
  if (opened.status === 'rejected') throw opened.reason;
  const store = opened.value;
  // What has started so far, stopped in reverse order: at shutdown, or if startup fails halfway.
  const running: { name: string; stop: () => Promise<unknown> }[] = [{ name: 'datastore', stop: () => store.close() }];
  const addStop = (name: string, stop: () => Promise<unknown>) => { running.unshift({ name, stop }); };
  const stopAll = async () => {
    for (const s of running) {
      log.debug('stopping', { step: s.name });
      await s.stop();
    }
  };
  try {
    if (loaded.status === 'rejected') throw loaded.reason;
    const pki = loaded.value;
    // k3s keeps the full token (K10<CA hash>::server:<secret>) at server/token for agents to join with.
    const tokenFile = await writeJoinToken(config.dataDir, pki.ca.certPem, token);
    await writeAdminKubeconfig(config.kubeconfigPath, { port: config.port, caCertPem: pki.ca.certPem, admin: pki.admin });
    await chmod(config.kubeconfigPath, config.kubeconfigMode);

    // The API server's identity towards kubelets, as kube-apiserver's --kubelet-client-certificate.
    const kubeletClient = await issueClientCertificate(pki.ca, { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'] }, { now: clock.now() });
    // Secrets are encrypted at rest with a key derived from the cluster token (shared by HA servers).
    // The secret part only: servers given the bare or the K10 form of one token share the key.
    const codec = new ObjectCodec(secretsEncryption(parseJoinToken(token).secret));
    // Equal managedFields trees are one shared object in the cache (most of a pod's decoded size),
    // and cached objects are frozen (every reader shares them).
    const fieldSets = new SharedFieldSets();
    const seal = (o: KubeObject) => { fieldSets.share(o); freezeAsJson(o); };
    const cache = new WatchCache<KubeObject>({ store, prefix: '/registry/', decode: (kv) => codec.decode(kv), seal, log: log.child({ component: 'watchcache' }) });
    const cacheAbort = new AbortController();
    const cacheRun = spawn(cacheAbort.signal, log, 'watch-cache', (s) => cache.run(s));
    addStop('watch cache', async () => { cacheAbort.abort(); await cacheRun; });
    await cache.ready;

    const auth = createAuthenticator({
      caCertPem: pki.ca.certPem,
      // The cluster token is the admin's and the agents' join secret, as in k3s.
      staticTokens: [{ token, user: { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] } }],
      serviceAccounts: { publicKeysPem: [pki.serviceAccount.publicKeyPem], issuers: [serviceAccountIssuer] },
      clock,
    });
    const api = await createApiServer({
      bindAddress: config.bindAddress,
      port: config.port,
      advertiseAddress: config.advertiseAddress,
      serviceCidr: config.serviceCidr,
      nodePortRange: config.nodePortRange,
      defaultNotReadyTolerationSeconds: config.defaultNotReadyTolerationSeconds,
      defaultUnreachableTolerationSeconds: config.defaultUnreachableTolerationSeconds,
    }, {
      store, cache, codec, clock, log,
      tls: { cert: pki.serving.certPem, key: pki.serving.keyPem, ca: pki.ca.certPem },
      kubeletClientTls: { cert: kubeletClient.certPem, key: kubeletClient.keyPem, ca: pki.ca.certPem },
      tokenSigner: { privateKeyPem: pki.serviceAccount.privateKeyPem, issuer: serviceAccountIssuer },
      authenticate: (req) => auth.authenticate(req),
      authenticateToken: (t, audiences) => auth.authenticateToken(t, audiences),
      version: serverVersion(),
      join: joinHandler({
        ca: pki.ca, clock, authenticate: (req) => auth.authenticate(req),
        config: { clusterCidr: config.clusterCidr, serviceCidr: config.serviceCidr, clusterDns: config.clusterDns, clusterDomain: config.clusterDomain },
      }),
    });

    await api.listen();
    const apiAbort = new AbortController();
    const apiRun = spawn(apiAbort.signal, log, 'apiserver', (s) => api.run(s));
    addStop('apiserver', async () => { apiAbort.abort(); await apiRun; });
    // Controllers and the scheduler start on a bootstrapped cluster (kube-system exists for their Leases).
    await Promise.race([api.bootstrapped, new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))]);
    const compactAbort = new AbortController();
    const compactRun = spawn(compactAbort.signal, log, 'compactor', (s) => compactor({ store, clock, log: log.child({ component: 'compactor' }) }).run(s));
    addStop('compactor', async () => { compactAbort.abort(); await compactRun; });
    const controllersAbort = new AbortController();
    const controllersRun = config.disableControllerManager ? Promise.resolve() : spawn(controllersAbort.signal, log, 'controller-manager', (s) => controllerManager({
      client: api.client, clock, log,
      leaderElect: true,
      nodeMonitorGracePeriodMs: config.nodeMonitorGracePeriodMs,
      ...config.leaderElection,
      clusterCidr: config.clusterCidr,
      rootCaCert: pki.ca.certPem,
    }).run(s));
    const schedulerAbort = new AbortController();
    const schedulerRun = config.disableScheduler ? Promise.resolve() : spawn(schedulerAbort.signal, log, 'scheduler', async (s) => {
      const elector = leaderElector({
        client: api.client, clock, log: log.child({ component: 'scheduler' }),
        namespace: 'kube-system', name: 'kube-scheduler', identity: `${hostname()}_${randomUUID()}`,
        ...config.leaderElection,
      });
      // A scheduler that loses its lease stops scheduling and campaigns again.
      while (!s.aborted) await elector.run(s, { onStartedLeading: (ls) => scheduler({ client: api.client, clock, log }).run(ls) });
    });
    addStop('scheduler and controllers', async () => {
      schedulerAbort.abort();
      controllersAbort.abort();
      await Promise.all([schedulerRun, controllersRun]);
    });
    if (!config.disableAgent) {
      const serving = await issueServingCertificate(pki.ca, { nodeAddresses: [config.nodeIp], hostname: config.nodeName }, { now: clock.now() });
      // Loaded only for a server that runs a node (the CRI client's gRPC stack is ~1/3 of the import).
      const [{ startAgent }, { kubeletServerComponent, nodeNetworkComponent }] = await Promise.all([import('../agent/index.js'), import('../agent/node-components.js')]);
      const agent = startAgent({
        client: api.client, dataDir: config.dataDir, nodeName: config.nodeName, nodeIp: config.nodeIp,
        containerRuntimeEndpoint: config.containerRuntimeEndpoint || undefined, registriesFile: config.registries,
        clusterDns: config.clusterDns, clusterDomain: config.clusterDomain, log, clock, controlPlane: true,
        components: [
          kubeletServerComponent({ cert: serving.certPem, key: serving.keyPem, ca: pki.ca.certPem }),
          nodeNetworkComponent({ clusterCidr: config.clusterCidr, serviceCidr: config.serviceCidr }),
        ],
      });
      const agentAbort = new AbortController();
      const agentRun = spawn(agentAbort.signal, log, 'agent', (s) => agent.run(s));
      addStop('agent', async () => { agentAbort.abort(); await agentRun; });
    }
    await waitReady(api, signal);
    log.info('k8ts is up and running', { url: `https://127.0.0.1:${config.port}`, kubeconfig: config.kubeconfigPath, ms: clock.now() - started });
    log.info('to join another node, run on it', {
      command: `k8ts agent --server https://${config.advertiseAddress}:${config.port} --token <the contents of ${tokenFile}>`,
    });

    const done = (async () => {
      await untilAborted(signal);
      log.info('shutting down');
      await stopAll();
      log.info('stopped');
    })();
    return { api, done };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The server's own readiness: the registry answers a list through the in-process client. */
async function waitReady(api: ApiServer, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  await api.bootstrapped;
  await api.rest.list(api.index.lookup('', 'v1', 'namespaces')!, '', { limit: 1 });
}

/**
 * k3s keeps the cluster token at server/token; so do we, at `<data-dir>/token`. A generated token
 * is a random secret; the file is rewritten in the secure form once the CA is known.
 */
async function loadOrCreateToken(dataDir: string): Promise<string> {
  const path = join(dataDir, 'token');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(24).toString('hex');
  await writeFile(path, token + '\n', { mode: 0o600 });
  return token;
}

/**
 * Writes `<data-dir>/token` as `K10<sha256 of the CA PEM>::server:<secret>` (mode 0600), the
 * form `k8ts agent --token` pins the CA with; returns its path.
 */
async function writeJoinToken(dataDir: string, caCertPem: string, token: string): Promise<string> {
  const path = join(dataDir, 'token');
  const full = formatJoinToken(caCertPem, parseJoinToken(token).secret);
  const current = await readFile(path, 'utf8').catch(() => '');
  if (current.trim() !== full) await writeFile(path, full + '\n', { mode: 0o600 });
  await chmod(path, 0o600);
  return path;
}

/** The datastore seen as the PKI's shared secret store. */
function pkiStoreOf(store: Store): PkiStore {
  return {
    async get(key) { return (await store.get(key))?.value; },
    async create(key, value) {
      try { await store.create(key, value); return true; } catch (err) { if (err instanceof KeyExistsError) return false; throw err; }
    },
  };
}
