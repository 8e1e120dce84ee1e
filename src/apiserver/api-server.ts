import { createServer as createHttpsServer, type Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { hostname } from 'node:os';
import { builtinResources, namespaces, pods, podDisruptionBudgets, secrets, serviceAccounts, services } from '../api/resources/index.js';
import type { ResourceDefinition } from '../api/resource.js';
import { loadDefinitions } from '../api/openapi/definitions.js';
import type { Clock } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import { spawn, untilAborted } from '../base/async.js';
import type { Client } from '../client/types.js';
import type { Store } from '../storage/store.js';
import { AdmissionChain } from './registry/admission.js';
import { ResourceIndex } from './registry/resource-index.js';
import { RestStorage } from './registry/rest-storage.js';
import { objectValidator } from './registry/validation.js';
import { bindPod, evictPod } from './registry/pod-subresources.js';
import { requestToken, type TokenSigner } from './registry/token-request.js';
import type { ObjectCache } from './registry/object-cache.js';
import type { ObjectCodec } from './registry/codec.js';
import { namespaceLifecycle } from './admission/namespace-lifecycle.js';
import { serviceAccountAdmission } from './admission/service-account.js';
import { defaultTolerationSeconds } from './admission/default-tolerations.js';
import { serviceAllocation } from './admission/service-allocation.js';
import { apiHandler, type ApiHandlerDeps } from './http/api-handler.js';
import { type SubresourceHandler, resourceHandler } from './http/resource-handler.js';
import { readBody, parseJson } from './http/body.js';
import { sendJson } from './http/respond.js';
import { inProcessClient } from './in-process-client.js';
import { virtualHandlers } from './virtual.js';
import { cachedPolicy, clusterAuthorizer, rbacEscalationAdmission, requestAuthorizer, type Authorizer } from './authz/index.js';
import { bootstrapCluster } from './bootstrap.js';
import { crdController } from './crd/crd-controller.js';
import { fieldChecker } from './field-checks.js';
import { openApiService } from './openapi-service.js';
import { customSchemaOps, patcher, protobufDecoder } from './adapters.js';
import type { RequestContext, UserInfo } from './context.js';
import { ipAt, parseCidr } from '../network/cidr.js';
import { httpsKubeletDialer, podStreamingHandlers } from './proxy/index.js';

export interface ApiServerConfig {
  bindAddress: string;
  port: number;
  /** The address other nodes and pods use to reach this server. */
  advertiseAddress: string;
  serviceCidr: string;
  nodePortRange: string;
  defaultNotReadyTolerationSeconds: number;
  defaultUnreachableTolerationSeconds: number;
  /** Ends idle watches after this many seconds (upstream: 30–60 min). */
  watchTimeoutSeconds?: number;
}

export interface ApiServerTls {
  cert: string;
  key: string;
  ca: string;
}

export interface ApiServerDeps {
  store: Store;
  cache: ObjectCache;
  /** Stored bytes ⇄ objects (with encryption at rest); the watch cache decodes with the same. */
  codec: ObjectCodec;
  tls: ApiServerTls;
  /** Signs service-account tokens (TokenRequest). */
  tokenSigner: TokenSigner;
  /** The client certificate the API server presents to kubelets (logs, exec, port-forward). */
  kubeletClientTls: ApiServerTls;
  authenticate(req: IncomingMessage): Promise<UserInfo | undefined>;
  authenticateToken(token: string, audiences?: string[]): Promise<UserInfo | undefined>;
  clock: Clock;
  log: Logger;
  version: Record<string, string>;
  /** The agent join routes (/cacerts, /v1-k8ts/…), when this server accepts agents. */
  join?: ApiHandlerDeps['join'];
}

export interface ApiServer {
  /** https://<advertise>:<port> */
  url: string;
  /** The in-process client the control plane uses (admin identity). */
  client: Client;
  /** RBAC (after the system:masters shortcut), as every HTTP request is authorized. */
  authorizer: Authorizer;
  index: ResourceIndex;
  rest: RestStorage;
  /** Binds the HTTPS listener (fails on a port in use). */
  listen(): Promise<void>;
  /** Serves until `signal` aborts (listening first if `listen` was not called), then closes and drains. */
  run(signal: AbortSignal): Promise<void>;
  /**
   * Settles once `run` has tried the cluster bootstrap (system namespaces, the kubernetes
   * Service, default RBAC); until then /readyz reports `poststarthook/bootstrap-controller`.
   */
  bootstrapped: Promise<void>;
}

/**
 * Assembles the API server: registry, admission, handlers, discovery, OpenAPI, CRDs, bootstrap,
 * and the HTTPS listener. Storage and the watch cache are given (their lifecycle is the caller's).
 */
export async function createApiServer(config: ApiServerConfig, deps: ApiServerDeps): Promise<ApiServer> {
  const { store, cache, clock } = deps;
  const log = deps.log.child({ component: 'apiserver' });
  const index = new ResourceIndex(builtinResources);
  const defs = loadDefinitions();
  const ops = customSchemaOps();
  // RBAC evaluates the watch cache's Roles and bindings, kept in memory: no store read per request.
  const policy = cachedPolicy(cache, log.child({ component: 'rbac' }));
  const authorizer = clusterAuthorizer(policy);
  const admission = new AdmissionChain([
    namespaceLifecycle(cache, namespaces),
    serviceAccountAdmission(cache, pods, serviceAccounts),
    defaultTolerationSeconds(pods, { notReadySeconds: config.defaultNotReadyTolerationSeconds, unreachableSeconds: config.defaultUnreachableTolerationSeconds }),
    serviceAllocation(services, store, { serviceCidr: config.serviceCidr, nodePortRange: config.nodePortRange }),
    rbacEscalationAdmission(policy, authorizer),
  ]);
  const patch = patcher(defs);
  const rest = new RestStorage({ store, cache, codec: deps.codec, clock, admission, validator: objectValidator(patch.track) });

  const inProcessSubresources = {
    '/pods/binding': (_d: ResourceDefinition, ns: string, name: string, body: unknown, ctx: RequestContext) => bindPod(rest, pods, clock, ns, name, body, ctx),
    '/pods/eviction': (_d: ResourceDefinition, ns: string, name: string, body: unknown, ctx: RequestContext) => evictPod(rest, pods, podDisruptionBudgets, clock, ns, name, body, ctx),
    '/serviceaccounts/token': (_d: ResourceDefinition, ns: string, name: string, body: unknown, ctx: RequestContext) =>
      requestToken(rest, { serviceAccounts, pods, secrets }, deps.tokenSigner, clock, ns, name, body, ctx),
  };
  const client = inProcessClient({ rest, patch: patch.apply, subresources: inProcessSubresources, resolve: (d) => index.lookup(d.group, d.version, d.plural) ?? d });

  const httpSubresources: Record<string, SubresourceHandler> = {};
  for (const [key, fn] of Object.entries(inProcessSubresources)) {
    httpSubresources[key] = async (req, res, def, info, ctx) => {
      if (info.verb !== 'create') {
        res.writeHead(405);
        res.end();
        return;
      }
      const body = parseJson((await readBody(req)).toString('utf8') || '{}');
      const status = await fn(def, info.namespace, info.name, body, ctx);
      sendJson(res, 201, status);
    };
  }

  const streaming = podStreamingHandlers({ client, kubeletDialer: httpsKubeletDialer(deps.kubeletClientTls), log: log.child({ component: 'kubelet-proxy' }) });

  const resources = resourceHandler({
    index, rest, clock, log,
    patch: patch.apply,
    checkFields: fieldChecker(defs, ops),
    protobuf: protobufDecoder(),
    subresources: { ...httpSubresources, ...streaming.subresources },
    upgrades: streaming.upgrades,
    virtual: virtualHandlers(authorizer, deps.authenticateToken),
    defaultWatchTimeoutSeconds: config.watchTimeoutSeconds,
  });
  const url = `https://${formatHost(config.advertiseAddress)}:${config.port}`;
  const openapi = openApiService(index, defs);
  let bootstrapDone = false;
  let resolveBootstrapped!: () => void;
  const bootstrapped = new Promise<void>((resolve) => { resolveBootstrapped = resolve; });
  const handler = apiHandler({
    index, log,
    authenticate: deps.authenticate,
    authorize: requestAuthorizer(authorizer),
    resources,
    openapi,
    version: deps.version,
    join: deps.join,
    serverAddress: `${config.advertiseAddress}:${config.port}`,
    healthChecks: [
      { name: 'etcd', check: async () => { await store.currentRevision(); } },
      { name: 'informer-sync', check: () => { if (cache.revision() < 0) throw new Error('cache not synced'); } },
      { name: 'poststarthook/bootstrap-controller', check: () => { if (!bootstrapDone) throw new Error('not finished'); } },
    ],
  });

  let server: Server | undefined;

  /** Binds the listener; a port in use fails here, before anyone is told the server is up. */
  async function listen(): Promise<void> {
    const srv = createHttpsServer({
      cert: deps.tls.cert, key: deps.tls.key, ca: deps.tls.ca,
      requestCert: true, rejectUnauthorized: false,
      keepAlive: true, keepAliveTimeout: 90_000,
    }, (req, res) => { void handler.handle(req, res); });
    srv.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => { void handler.upgrade(req, socket, head); });
    srv.headersTimeout = 60_000;
    srv.requestTimeout = 0; // watches and log streams are long-lived
    await new Promise<void>((resolve, reject) => {
      srv.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE'
        ? new Error(`cannot listen on ${config.bindAddress}:${config.port}: the port is in use (another k8ts or kube-apiserver?); choose another with --https-listen-port`, { cause: err })
        : new Error(`cannot listen on ${config.bindAddress}:${config.port}`, { cause: err })));
      srv.listen(config.port, config.bindAddress, () => resolve());
    });
    server = srv;
  }

  async function run(signal: AbortSignal): Promise<void> {
    if (!server) await listen();
    const srv = server!;
    const background: Promise<void>[] = [];
    background.push(spawn(signal, log, 'rbac-policy', (s) => policy.run(s)));
    const crds = crdController({ client, index, ops, clock, log: log.child({ component: 'crd' }) });
    background.push(spawn(signal, log, 'crd-controller', (s) => crds.run(s)));
    try {
      await bootstrapCluster(client, {
        kubernetesServiceIp: ipAt(parseCidr(config.serviceCidr), 1),
        advertiseAddress: config.advertiseAddress,
        port: config.port,
        caCert: deps.tls.ca,
      }, log);
    } catch (err) {
      if (!signal.aborted) log.error('cluster bootstrap failed', { err });
    } finally {
      bootstrapDone = true;
      resolveBootstrapped();
    }
    await untilAborted(signal);
    await new Promise<void>((resolve) => {
      srv.close(() => resolve());
      srv.closeAllConnections();
    });
    await Promise.all(background);
  }

  return { url, client, authorizer, index, rest, listen, run, bootstrapped };
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function defaultHostname(): string {
  return hostname().toLowerCase();
}

