/**
 * nodes/proxy, as kube-apiserver serves it (pkg/registry/core/node/rest/proxy.go and
 * node.ResourceLocation, proxied by apimachinery's UpgradeAwareHandler): `/api/v1/nodes/ID/proxy/PATH`
 * where ID is `NAME`, `NAME:PORT` or `SCHEME:NAME:PORT`.
 * - No port, or the node's kubelet port: the kubelet, over the kubelet client (HTTPS, client certificate).
 * - Another port: that port of the node's address, with SCHEME (http by default), through the generic
 *   proxy transport — refused for addresses that are not global unicast (loopback, link-local…).
 * The method, body, query and headers go on (minus hop-by-hop ones and the caller's credentials); the
 * answer comes back streamed with its status and headers. Upgrades are spliced through.
 * `kubectl get --raw /api/v1/nodes/N/proxy/stats/summary` and metrics-server use it.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { posix } from 'node:path';
import type { Node } from 'kubernetes-types/core/v1.js';
import { badRequest, methodNotAllowed, statusError, StatusError } from '../../api/errors.js';
import { nodes } from '../../api/resources/core/index.js';
import type { Client } from '../../client/types.js';
import type { SubresourceHandler, UpgradeHandler } from '../http/resource-handler.js';
import type { RequestInfo } from '../http/request-info.js';
import { kubeletEndpointOf, type KubeletDialer, type KubeletEndpoint } from './kubelet-dialer.js';
import { proxyUpgrade } from './upgrade-proxy.js';

export interface NodeProxyDeps { client: Client; kubeletDialer: KubeletDialer }

/** ProxyREST.ConnectMethods. */
const proxyMethods = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS'];

/** Hop-by-hop headers, which a proxy never passes on (as Go's httputil.ReverseProxy drops them). */
const hopByHop = ['connection', 'proxy-connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/** Response headers the proxy handler removes (corsRemovingTransport). */
const corsHeaders = ['access-control-allow-credentials', 'access-control-allow-headers', 'access-control-allow-methods', 'access-control-allow-origin'];

export interface NodeProxyId { scheme: '' | 'http' | 'https'; name: string; port: string }

/** utilnet.SplitSchemeNamePort: `NAME`, `NAME:PORT` or `SCHEME:NAME:PORT`, SCHEME http or https. */
export function parseNodeProxyId(id: string): NodeProxyId | undefined {
  const parts = id.split(':');
  if (parts.length > 3) return undefined;
  const [scheme, name, port] = parts.length === 3 ? parts : ['', parts[0], parts[1] ?? ''];
  if (!name || (scheme !== '' && scheme !== 'http' && scheme !== 'https')) return undefined;
  return { scheme, name, port: port ?? '' };
}

/** net.IP.IsGlobalUnicast: not unspecified, loopback, link-local, multicast or the IPv4 broadcast address. */
export function isGlobalUnicast(ip: string): boolean {
  const family = isIP(ip);
  if (!family) return false;
  const excluded = new BlockList();
  excluded.addAddress('0.0.0.0', 'ipv4');
  excluded.addAddress('255.255.255.255', 'ipv4');
  excluded.addSubnet('127.0.0.0', 8, 'ipv4');
  excluded.addSubnet('169.254.0.0', 16, 'ipv4');
  excluded.addSubnet('224.0.0.0', 4, 'ipv4');
  excluded.addAddress('::', 'ipv6');
  excluded.addAddress('::1', 'ipv6');
  excluded.addSubnet('fe80::', 10, 'ipv6');
  excluded.addSubnet('ff00::', 8, 'ipv6');
  return !excluded.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** proxyutil.IsProxyableHostname: every address the host resolves to must be global unicast. */
async function assertProxyable(host: string): Promise<void> {
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true })).map((a) => a.address);
    } catch (err) {
      throw badRequest(err instanceof Error ? err.message : String(err));
    }
  }
  if (addresses.length === 0) throw badRequest('no addresses for hostname');
  if (!addresses.every(isGlobalUnicast)) throw badRequest('address not allowed');
}

interface Target { endpoint: KubeletEndpoint; proxyScheme?: 'http' | 'https' }

/** node.ResourceLocation: where ID points. */
async function resolveTarget(client: Client, id: string): Promise<Target> {
  const parsed = parseNodeProxyId(id);
  if (!parsed) throw badRequest(`invalid node request "${id}"`);
  const node = await client.get(nodes, '', parsed.name);
  const endpoint = kubeletEndpointOf(node);
  // GetPreferredNodeAddress' plain error: the handler answers it as a 500 of unknown reason.
  if (!endpoint) throw statusError(500, '', `no preferred addresses found; known addresses: ${goAddresses(node)}`);
  if (parsed.port === '' || parsed.port === String(endpoint.port)) return { endpoint };
  await assertProxyable(endpoint.host);
  const port = /^\d{1,5}$/.test(parsed.port) ? Number(parsed.port) : NaN;
  if (!(port <= 65535)) throw statusError(503, 'ServiceUnavailable', `error trying to reach service: dial tcp: address ${endpoint.host}:${parsed.port}: invalid port`);
  return { endpoint: { ...endpoint, port }, proxyScheme: parsed.scheme || 'http' };
}

function goAddresses(node: Node): string {
  return `[${(node.status?.addresses ?? []).map((a) => `{${a.type} ${a.address}}`).join(' ')}]`;
}

/** url.URL.EscapedPath for a path built from parts: `/` and `$&+,:;=@` stay, the rest is percent-encoded. */
function escapePath(path: string): string {
  return path.split('/').map((seg) => encodeURIComponent(seg)
    .replace(/%(24|26|2B|2C|3A|3B|3D|40)/g, (m) => decodeURIComponent(m))
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
}

interface Paths {
  /** The backend path: path.Join of the proxied segments, a trailing `/` kept; '' when there is none. */
  path: string;
  /** The request path up to and including `/proxy` (the transport's PathPrepend). */
  prefix: string;
  /** The request's own path and query. */
  url: URL;
}

function pathsOf(req: IncomingMessage, info: RequestInfo): Paths {
  const url = new URL(req.url ?? '/', 'http://k8ts');
  // path.Join cleans `.`, `..` and repeated slashes; the request info has already split and decoded the segments.
  let path = info.rest.length ? posix.normalize('/' + info.rest.join('/')) : '';
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  const raw = url.pathname.split('/');
  const at = raw.findIndex((seg, i) => seg === 'proxy' && i >= 2 && raw[i - 2] === 'nodes' && safeDecode(raw[i - 1]!) === info.name);
  const prefix = at >= 0 ? raw.slice(0, at + 1).join('/') : url.pathname;
  return { path, prefix, url };
}

function safeDecode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

function connectionTokens(h: IncomingHttpHeaders): string[] {
  const v = h.connection;
  return (Array.isArray(v) ? v.join(',') : v ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
}

/**
 * What goes on to the backend: every request header but the caller's credentials (the authentication
 * and impersonation filters delete them once used) and, unless this is an upgrade, hop-by-hop ones;
 * X-Forwarded-For gains the caller's address.
 */
function forwardHeaders(req: IncomingMessage, upgrade: boolean): OutgoingHttpHeaders {
  const drop = new Set(upgrade ? [] : [...hopByHop, ...connectionTokens(req.headers)]);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || drop.has(name) || name === 'authorization' || name.startsWith('impersonate-')) continue;
    out[name] = value;
  }
  const client = req.socket.remoteAddress;
  if (client) {
    const prior = req.headers['x-forwarded-for'];
    out['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${client}` : client;
  }
  return out;
}

/**
 * proxy.Transport.rewriteURL for a redirect's Location: a path-absolute URL on the backend (or on the
 * host the caller used) is moved under the proxy prefix; anything else is left alone.
 */
export function rewriteLocation(location: string, backendHost: string, requestHost: string | undefined, prefix: string): string {
  const m = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(.*)$/.exec(location);
  if (!m) return location;
  const [, scheme, host, path = '', tail = ''] = m;
  if (host && host !== backendHost && host !== requestHost) return location;
  if (!path.startsWith('/')) return location;
  // The transport knows no scheme or host of its own (a server request's URL has neither): both are
  // dropped, unless the URL already names the host the caller used.
  const origin = host && host === requestHost ? `${scheme ? scheme + ':' : ''}//${host}` : '';
  if (path.startsWith(prefix)) return origin + path + tail;
  let joined = posix.join(prefix, path);
  if (path.endsWith('/') && !joined.endsWith('/')) joined += '/';
  return origin + joined + tail;
}

function backendHostOf(e: KubeletEndpoint): string {
  return isIP(e.host) === 6 ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

export function nodeProxyHandler(deps: NodeProxyDeps): SubresourceHandler {
  return async (req: IncomingMessage, res: ServerResponse, _def, info) => {
    const method = req.method ?? 'GET';
    if (!proxyMethods.includes(method)) throw methodNotAllowed('the server does not allow this method on the requested resource');
    const target = await resolveTarget(deps.client, info.name);
    const { path, prefix, url } = pathsOf(req, info);
    let backendPath = path;
    if (url.pathname.endsWith('/') && !backendPath.endsWith('/')) backendPath += '/';
    if (backendPath === '' && (method === 'GET' || method === 'HEAD')) {
      // proxyRedirectsforRootPath: `…/proxy` is sent to `…/proxy/`.
      res.writeHead(301, { Location: `${url.pathname}/${url.search}` });
      res.end();
      return;
    }
    const headers = forwardHeaders(req, false);
    headers['x-forwarded-uri'] = posix.join(prefix, backendPath);
    const { endpoint } = target;
    const kreq = deps.kubeletDialer(endpoint, {
      method, path: escapePath(backendPath || '/') + url.search, headers,
      ...(target.proxyScheme ? { proxyScheme: target.proxyScheme } : {}),
    });
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const done = (err?: unknown) => { if (!settled) { settled = true; if (err) reject(err); else resolve(); } };
      res.once('close', () => { kreq.destroy(); done(); });
      kreq.on('error', (err) => {
        if (res.headersSent) { res.destroy(); done(); return; }
        // proxy.Transport: a failed round trip is a ServiceUnavailable.
        done(new StatusError(statusError(503, 'ServiceUnavailable', `error trying to reach service: dial tcp ${backendHostOf(endpoint)}: ${err.message}`).status, { cause: err }));
      });
      kreq.on('response', (kres) => {
        const drop = new Set([...hopByHop, ...connectionTokens(kres.headers), ...corsHeaders]);
        const out: OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(kres.headers)) {
          if (value === undefined || drop.has(name)) continue;
          out[name] = name === 'location' && typeof value === 'string'
            ? rewriteLocation(value, backendHostOf(endpoint), req.headers.host, prefix) : value;
        }
        res.writeHead(kres.statusCode ?? 502, kres.statusMessage, out);
        res.flushHeaders();
        kres.pipe(res);
        kres.on('end', () => done());
        kres.on('error', () => { res.destroy(); done(); });
      });
      req.pipe(kreq);
    });
  };
}

/**
 * An Upgrade through nodes/proxy (UpgradeAwareHandler.tryUpgrade): the request goes to the backend
 * location with all its headers but credentials, and the two connections are spliced. As upstream,
 * the location carries the proxied path only: the query is not passed on for upgrades.
 */
export function nodeProxyUpgradeHandler(deps: NodeProxyDeps): UpgradeHandler {
  return async (req, socket, head, _def, info) => {
    const method = req.method ?? 'GET';
    if (!proxyMethods.includes(method)) throw methodNotAllowed('the server does not allow this method on the requested resource');
    const target = await resolveTarget(deps.client, info.name);
    const { path } = pathsOf(req, info);
    const kreq = deps.kubeletDialer(target.endpoint, {
      method, path: escapePath(path || '/'), headers: forwardHeaders(req, true),
      ...(target.proxyScheme ? { proxyScheme: target.proxyScheme } : {}),
    });
    await proxyUpgrade(kreq, socket, head, target.endpoint, undefined, (err) =>
      statusError(500, '', `error dialing backend: dial tcp ${backendHostOf(target.endpoint)}: ${err instanceof Error ? err.message : String(err)}`));
  };
}
