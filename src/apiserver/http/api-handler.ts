import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Status } from '../../api/types.js';
import { StatusError, internal, notAcceptable, statusError, unauthorized } from '../../api/errors.js';
import type { Logger } from '../../base/log.js';
import { openapiV2ProtobufContentType } from '../../api/openapi/v2.js';
import type { UserInfo } from '../context.js';
import type { ResourceIndex } from '../registry/resource-index.js';
import { aggregatedDiscovery, apiResourceList, legacyApiGroup, legacyApiGroupList, legacyApiVersions } from './discovery.js';
import { negotiateDiscovery, parseAccept } from './negotiate.js';
import { requestInfo } from './request-info.js';
import { sendJson, sendStatus, sendText } from './respond.js';

/** What the OpenAPI endpoints serve; built and cached by src/api/openapi. */
export interface OpenApiService {
  v2Protobuf(): Uint8Array;
  v2Json(): unknown;
  v3Index(): unknown;
  /** `path` like `apis/apps/v1`; undefined when not served. */
  v3Document(path: string): unknown | undefined;
}

export interface HealthCheck { name: string; check(): Promise<void> | void }

export interface ApiHandlerDeps {
  index: ResourceIndex;
  log: Logger;
  authenticate(req: IncomingMessage): Promise<UserInfo | undefined> | UserInfo | undefined;
  /** Impersonation and authorization (src/apiserver/authz): the user the request acts as, or a thrown 403. */
  authorize?(req: IncomingMessage, user: UserInfo, path: string, query: URLSearchParams): UserInfo;
  resources: {
    handle(req: IncomingMessage, res: ServerResponse, info: ReturnType<typeof requestInfo>, query: URLSearchParams, user: UserInfo): Promise<void>;
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, info: ReturnType<typeof requestInfo>, query: URLSearchParams, user: UserInfo): Promise<void>;
  };
  openapi: OpenApiService;
  version: Record<string, string>;
  /** host:port clients should use, for legacy /api discovery. */
  serverAddress: string;
  healthChecks: readonly HealthCheck[];
  /** Routes outside /api that authenticate themselves (agent join, src/apiserver/join.ts); true when answered. */
  join?: { handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> };
}

const publicPaths = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

/**
 * The one boundary of the API server: authenticate, route, and turn every failure into a
 * Kubernetes Status (StatusError → its code; anything else → logged once, 500 InternalError).
 */
export function apiHandler(deps: ApiHandlerDeps) {
  const { index, log } = deps;

  /** HTTP Upgrade requests (exec, attach, port-forward): failures answer with a Status before closing. */
  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://k8ts');
    try {
      const authenticated = await deps.authenticate(req);
      if (!authenticated) throw unauthorized();
      const user = deps.authorize ? deps.authorize(req, authenticated, url.pathname, url.searchParams) : authenticated;
      const info = requestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
      if (!info.isResourceRequest) throw statusError(404, 'NotFound', 'the server could not find the requested resource');
      await deps.resources.upgrade(req, socket, head, info, url.searchParams, user);
    } catch (err) {
      const status: Status = err instanceof StatusError ? err.status : internal(err).status;
      if (!(err instanceof StatusError)) log.error('upgrade failed', { path: url.pathname, err });
      if (socket.writable) {
        const body = JSON.stringify(status);
        socket.end(`HTTP/1.1 ${status.code} ${status.reason || 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      } else {
        socket.destroy();
      }
    }
  }

  return { handle, upgrade };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://k8ts');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    try {
      if (isHealthPath(path)) return await health(path, url.searchParams, res);
      if (deps.join && await deps.join.handle(req, res, path)) return;
      const user = await deps.authenticate(req);
      if (!user) {
        if (publicPaths.has(path)) return route(req, res, path, url.searchParams, undefined);
        throw unauthorized();
      }
      await route(req, res, path, url.searchParams, deps.authorize ? deps.authorize(req, user, url.pathname, url.searchParams) : user);
    } catch (err) {
      if (res.headersSent) {
        if (!res.writableEnded) res.end();
        return;
      }
      if (err instanceof StatusError) return sendStatus(res, err.status);
      log.error('request failed', { method: req.method, path, err });
      sendStatus(res, internal(err).status);
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, user: UserInfo | undefined): Promise<void> {
    if (path === '/version') return sendJson(res, 200, deps.version);
    if (!user) throw unauthorized();
    const method = req.method ?? 'GET';
    const info = requestInfo(method, path, query);
    if (info.isResourceRequest) return deps.resources.handle(req, res, info, query, user);
    if (method !== 'GET' && method !== 'HEAD') throw statusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

    const accept = parseAccept(req.headers.accept);
    if (path === '/api' || path === '/apis') {
      const format = negotiateDiscovery(accept);
      if (format.aggregated) {
        return sendJson(res, 200, aggregatedDiscovery(index, path === '/api', format.version), { Vary: 'Accept' }, format.contentType);
      }
      return sendJson(res, 200, path === '/api' ? legacyApiVersions(deps.serverAddress) : legacyApiGroupList(index), { Vary: 'Accept' });
    }
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'apis' && parts.length === 2) {
      const g = legacyApiGroup(index, parts[1]!);
      if (g) return sendJson(res, 200, g);
    }
    if ((parts[0] === 'api' && parts.length === 2) || (parts[0] === 'apis' && parts.length === 3)) {
      const list = parts[0] === 'api' ? apiResourceList(index, '', parts[1]!) : apiResourceList(index, parts[1]!, parts[2]!);
      if (list) return sendJson(res, 200, list);
    }
    if (path === '/openapi/v2' || path === '/swagger-2.0.0.pb-v1') {
      const wantsProto = accept.some((m) => m.type.includes('protobuf'));
      if (wantsProto || path === '/swagger-2.0.0.pb-v1') {
        const body = deps.openapi.v2Protobuf();
        res.writeHead(200, { 'Content-Type': openapiV2ProtobufContentType, 'Content-Length': body.length });
        res.end(body);
        return;
      }
      if (!accept.some((m) => m.type === 'application/json' || m.type === '*/*')) throw notAcceptable('only application/json and protobuf are served');
      return sendJson(res, 200, deps.openapi.v2Json());
    }
    if (path === '/openapi/v3') return sendJson(res, 200, deps.openapi.v3Index());
    if (path.startsWith('/openapi/v3/')) {
      const doc = deps.openapi.v3Document(path.slice('/openapi/v3/'.length));
      if (doc) return sendJson(res, 200, doc, { 'Cache-Control': 'no-cache, private' });
    }
    throw statusError(404, 'NotFound', 'the server could not find the requested resource');
  }

  async function health(path: string, query: URLSearchParams, res: ServerResponse): Promise<void> {
    const results: { name: string; ok: boolean; err?: string }[] = [];
    const only = path.split('/')[2];
    for (const c of deps.healthChecks) {
      if (only && c.name !== only) continue;
      try { await c.check(); results.push({ name: c.name, ok: true }); }
      catch (err) { results.push({ name: c.name, ok: false, err: err instanceof Error ? err.message : String(err) }); }
    }
    if (only && results.length === 0) return sendText(res, 404, `no check named ${only}\n`);
    const ok = results.every((r) => r.ok);
    if (query.has('verbose')) {
      const lines = [{ name: 'ping', ok: true }, ...results].map((r) => `[${r.ok ? '+' : '-'}]${r.name} ${r.ok ? 'ok' : 'failed: reason withheld'}`);
      const name = path.slice(1).split('/')[0];
      return sendText(res, ok ? 200 : 500, `${lines.join('\n')}\n${name} check ${ok ? 'passed' : 'failed'}\n`);
    }
    if (ok) return sendText(res, 200, 'ok');
    const failed = results.filter((r) => !r.ok).map((r) => `[-]${r.name} failed: reason withheld`).join('\n');
    return sendText(res, 500, `${failed}\n${path.slice(1)} check failed\n`);
  }
}

function isHealthPath(path: string): boolean {
  return path === '/healthz' || path === '/livez' || path === '/readyz' || /^\/(healthz|livez|readyz)\/[\w-]+$/.test(path);
}
