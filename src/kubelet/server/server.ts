/**
 * The kubelet's HTTPS server (port 10250): container logs, exec, attach and port-forward, with
 * the routes of the Kubernetes kubelet. TLS from the cluster CA; clients must present a
 * certificate signed by it (the API server's kubelet-client certificate), then `authorize`
 * decides. Streaming requests are upgraded here and terminated against the runtime.
 * `/stats/summary` (the Summary API) and `/metrics/resource` (Prometheus text) come from the
 * stats provider when one is given; other stats and metrics paths are not served.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../base/log.js';
import { remoteCommandOptionsFromQuery } from '../../streaming/remote-command.js';
import { isStreamingUpgrade, servePortForward, serveRemoteCommand } from '../../streaming/serve.js';
import { rejectUpgrade } from '../../streaming/spdy/upgrade.js';
import { renderResourceMetrics, resourceMetricsContentType, type StatsProvider } from '../stats/index.js';
import { StreamingError, type ContainerRef, type LogOptions, type PodRef, type StreamingRuntime } from './runtime.js';

export interface KubeletServerTls { cert: string; key: string; ca: string }

/** Who is calling: the verified client certificate's subject. */
export interface KubeletCaller { commonName: string; organizations: string[] }

export interface KubeletServerDeps {
  runtime: StreamingRuntime;
  /** Resource usage for `/stats/summary` and `/metrics/resource`; without it those paths are 404. */
  stats?: StatsProvider;
  tls: KubeletServerTls;
  log: Logger;
  /** Decides whether a verified caller may use this path; default: any certificate from the CA. */
  authorize?: (caller: KubeletCaller, req: IncomingMessage) => boolean | Promise<boolean>;
}

export interface KubeletServer {
  readonly server: Server;
  /** Listens and serves until `signal` aborts; resolves once closed. */
  run(signal: AbortSignal, port?: number, host?: string): Promise<void>;
  /** Starts listening; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

type Route =
  | { kind: 'healthz' }
  | { kind: 'logs'; ref: ContainerRef }
  | { kind: 'exec' | 'attach'; ref: ContainerRef }
  | { kind: 'portForward'; ref: PodRef }
  | { kind: 'statsSummary' | 'metricsResource' }
  | { kind: 'notServed' };

/** Matches a kubelet path; undefined for unknown paths. */
export function kubeletRoute(pathname: string): Route | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [head, ...rest] = parts;
  switch (head) {
    case 'healthz':
      return rest.length === 0 ? { kind: 'healthz' } : undefined;
    case 'containerLogs':
      return rest.length === 3 ? { kind: 'logs', ref: { namespace: rest[0]!, pod: rest[1]!, container: rest[2]! } } : undefined;
    case 'exec':
    case 'attach':
      if (rest.length === 3) return { kind: head, ref: { namespace: rest[0]!, pod: rest[1]!, container: rest[2]! } };
      if (rest.length === 4) return { kind: head, ref: { namespace: rest[0]!, pod: rest[1]!, uid: rest[2]!, container: rest[3]! } };
      return undefined;
    case 'portForward':
      if (rest.length === 2) return { kind: 'portForward', ref: { namespace: rest[0]!, pod: rest[1]! } };
      if (rest.length === 3) return { kind: 'portForward', ref: { namespace: rest[0]!, pod: rest[1]!, uid: rest[2]! } };
      return undefined;
    case 'stats':
      return rest.length === 1 && rest[0] === 'summary' ? { kind: 'statsSummary' } : { kind: 'notServed' };
    case 'metrics':
      return rest.length === 1 && rest[0] === 'resource' ? { kind: 'metricsResource' } : { kind: 'notServed' };
    default:
      return undefined;
  }
}

/** Parses the log query of `/containerLogs` (the API server's PodLogOptions, re-encoded). */
export function logOptionsFromQuery(query: URLSearchParams, now: Date): LogOptions {
  const bool = (name: string) => { const v = query.get(name); return v === 'true' || v === '1'; };
  const int = (name: string): number | undefined => {
    const v = query.get(name);
    if (v === null || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw new StreamingError(400, `invalid ${name}: ${v}`);
    return Number(v);
  };
  const opts: LogOptions = { follow: bool('follow'), previous: bool('previous'), timestamps: bool('timestamps'), stream: 'All' };
  const tail = int('tailLines');
  if (tail !== undefined && tail >= 0) opts.tailLines = tail;
  const limit = int('limitBytes');
  if (limit !== undefined && limit > 0) opts.limitBytes = limit;
  const sinceSeconds = int('sinceSeconds');
  const sinceTime = query.get('sinceTime');
  if (sinceTime) {
    const t = new Date(sinceTime);
    if (Number.isNaN(t.getTime())) throw new StreamingError(400, `invalid sinceTime: ${sinceTime}`);
    opts.since = t;
  } else if (sinceSeconds !== undefined && sinceSeconds > 0) {
    opts.since = new Date(now.getTime() - sinceSeconds * 1000);
  }
  const stream = query.get('stream');
  if (stream === 'Stdout' || stream === 'Stderr' || stream === 'All') opts.stream = stream;
  return opts;
}

export function createKubeletServer(deps: KubeletServerDeps): KubeletServer {
  const log = deps.log.child({ component: 'kubelet-server' });
  const server = createServer({
    cert: deps.tls.cert,
    key: deps.tls.key,
    ca: deps.tls.ca,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const sockets = new Set<Duplex>();
  server.on('connection', (s: Duplex) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });
  server.on('secureConnection', (s: Duplex) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });

  async function allowed(req: IncomingMessage): Promise<boolean> {
    const cert = (req.socket as TLSSocket).getPeerCertificate?.();
    if (!cert || !cert.subject) return false;
    const o = cert.subject.O;
    const caller: KubeletCaller = { commonName: String(cert.subject.CN ?? ''), organizations: Array.isArray(o) ? o : o ? [o] : [] };
    return deps.authorize ? deps.authorize(caller, req) : true;
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void handleRequest(req, res).catch((err: unknown) => {
      const code = err instanceof StreamingError ? err.code : 500;
      if (!(err instanceof StreamingError)) log.error('request failed', { path: req.url, err });
      if (!res.headersSent) {
        res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(err instanceof Error ? err.message : String(err));
      } else {
        res.destroy();
      }
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    void handleUpgrade(req, socket, head).catch((err: unknown) => {
      const code = err instanceof StreamingError ? err.code : 500;
      if (!(err instanceof StreamingError)) log.error('upgrade failed', { path: req.url, err });
      rejectUpgrade(socket, code, code === 404 ? 'Not Found' : code === 400 ? 'Bad Request' : 'Error', err instanceof Error ? err.message : String(err));
    });
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const route = kubeletRoute(url.pathname);
    if (!route) throw new StreamingError(404, '404 page not found');
    if (route.kind === 'healthz') { res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }); res.end('ok'); return; }
    if (!(await allowed(req))) throw new StreamingError(403, `Forbidden (user=${(req.socket as TLSSocket).getPeerCertificate?.()?.subject?.CN ?? ''}, verb=${req.method?.toLowerCase()}, resource=nodes, subresource=proxy)`);
    switch (route.kind) {
      case 'logs': {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new StreamingError(405, 'method not allowed');
        const write = await deps.runtime.logs(route.ref, logOptionsFromQuery(url.searchParams, new Date()));
        const abort = new AbortController();
        res.once('close', () => abort.abort());
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
        res.flushHeaders();
        try {
          await write(res, abort.signal);
        } catch (err) {
          if (!abort.signal.aborted) log.warn('log stream failed', { ...route.ref, err });
        }
        if (!res.writableEnded) res.end();
        return;
      }
      case 'exec':
      case 'attach':
      case 'portForward':
        throw new StreamingError(400, 'Upgrade request required');
      case 'statsSummary': {
        // POST is the deprecated form of the same request.
        if (req.method !== 'GET' && req.method !== 'POST') throw new StreamingError(405, 'method not allowed');
        if (!deps.stats) throw new StreamingError(404, `${url.pathname} is not served by this kubelet`);
        const onlyCpuAndMemory = url.searchParams.get('only_cpu_and_memory') === 'true';
        const abort = new AbortController();
        res.once('close', () => abort.abort());
        const summary = await deps.stats.summary({ onlyCpuAndMemory, signal: abort.signal })
          .catch((err: unknown) => { throw new StreamingError(500, `Internal Error: failed to get summary stats: ${err instanceof Error ? err.message : String(err)}`, { cause: err }); });
        const body = JSON.stringify(summary, null, 2);
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      case 'metricsResource': {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new StreamingError(405, 'method not allowed');
        if (!deps.stats) throw new StreamingError(404, `${url.pathname} is not served by this kubelet`);
        const abort = new AbortController();
        res.once('close', () => abort.abort());
        const summary = await deps.stats.summary({ onlyCpuAndMemory: true, signal: abort.signal }).catch((err: unknown) => {
          log.warn('resource metrics: gathering stats failed', { err });
          return undefined;
        });
        const body = renderResourceMetrics(summary);
        res.writeHead(200, { 'Content-Type': resourceMetricsContentType, 'Content-Length': Buffer.byteLength(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      case 'notServed':
        throw new StreamingError(404, `${url.pathname} is not served by this kubelet yet`);
    }
  }

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const route = kubeletRoute(url.pathname);
    if (!route || route.kind === 'healthz' || route.kind === 'logs' || route.kind === 'notServed' || route.kind === 'statsSummary' || route.kind === 'metricsResource') throw new StreamingError(404, '404 page not found');
    if (!isStreamingUpgrade(req)) throw new StreamingError(400, 'Upgrade request required');
    if (!(await allowed(req))) throw new StreamingError(403, 'Forbidden');
    switch (route.kind) {
      case 'exec': {
        const options = remoteCommandOptionsFromQuery(url.searchParams);
        const command = url.searchParams.getAll('command');
        if (command.length === 0) throw new StreamingError(400, 'you must specify at least one command for the container');
        const handler = await deps.runtime.exec(route.ref, command, options);
        await serveRemoteCommand(req, socket, head, options, handler);
        return;
      }
      case 'attach': {
        const options = remoteCommandOptionsFromQuery(url.searchParams);
        const handler = await deps.runtime.attach(route.ref, options);
        await serveRemoteCommand(req, socket, head, options, handler);
        return;
      }
      case 'portForward': {
        const handler = await deps.runtime.portForward(route.ref);
        await servePortForward(req, socket, head, url.searchParams, handler);
        return;
      }
    }
  }

  function listen(port: number, host?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const addr = server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  function close(): Promise<void> {
    return new Promise((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  }

  return {
    server,
    listen,
    close,
    async run(signal, port = 10250, host) {
      await listen(port, host);
      log.info('serving', { port });
      await new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await close();
    },
  };
}
