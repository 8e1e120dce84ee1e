/**
 * pods/log, pods/exec, pods/attach and pods/portforward: look up the pod and its node, then
 * proxy to that node's kubelet the way kube-apiserver does — logs as a streamed response body,
 * the others as a transparent upgrade (the 101 and every byte after it pass through untouched;
 * the kubelet terminates SPDY/WebSocket itself).
 */
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { badRequest, methodNotAllowed, StatusError, statusError } from '../../api/errors.js';
import type { StatusReason } from '../../api/types.js';
import { nodes, pods } from '../../api/resources/core/index.js';
import type { Logger } from '../../base/log.js';
import type { Client } from '../../client/types.js';
import type { SubresourceHandler, UpgradeHandler } from '../http/resource-handler.js';
import type { RequestInfo } from '../http/request-info.js';
import { kubeletEndpointOf, type KubeletDialer, type KubeletEndpoint } from './kubelet-dialer.js';
import { kubeletLogQuery, kubeletPortForwardQuery, kubeletStreamQuery, validateContainer } from './pod-options.js';
import { nodeProxyHandler, nodeProxyUpgradeHandler } from './node-proxy.js';
import { proxyUpgrade, readAll } from './upgrade-proxy.js';

export interface PodStreamingDeps {
  client: Client;
  kubeletDialer: KubeletDialer;
  log?: Logger;
}

export interface PodStreamingHandlers {
  subresources: Record<string, SubresourceHandler>;
  upgrades: Record<string, UpgradeHandler>;
}

/** Request headers that matter to the kubelet's upgrade handling; the rest (credentials!) stay here. */
const forwardedUpgradeHeaders = [
  'connection', 'upgrade', 'x-stream-protocol-version', 'sec-websocket-key', 'sec-websocket-version',
  'sec-websocket-protocol', 'sec-websocket-extensions', 'user-agent', 'origin',
];

const reasonByCode: Record<number, StatusReason> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  409: 'Conflict', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};

export function podStreamingHandlers(deps: PodStreamingDeps): PodStreamingHandlers {
  const { client, kubeletDialer } = deps;

  async function locate(info: RequestInfo): Promise<{ pod: Pod & { metadata: { name: string } }; endpoint: KubeletEndpoint | undefined }> {
    const pod = await client.get(pods, info.namespace, info.name) as Pod & { metadata: { name: string } };
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return { pod, endpoint: undefined };
    const node = await client.get(nodes, '', nodeName);
    const endpoint = kubeletEndpointOf(node);
    if (!endpoint) throw statusError(500, 'InternalError', `node ${nodeName} has no address to reach its kubelet`);
    return { pod, endpoint };
  }

  const log: SubresourceHandler = async (req, res, _def, info) => {
    if (req.method !== 'GET') throw methodNotAllowed('the server does not allow this method on the requested resource');
    const query = new URL(req.url ?? '/', 'http://k8ts').searchParams;
    const kubeletQuery = kubeletLogQuery(query, info.name);
    const { pod, endpoint } = await locate(info);
    const container = validateContainer(query.get('container'), pod);
    if (!endpoint) {
      // Not scheduled yet: upstream answers with an empty log.
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end();
      return;
    }
    const qs = kubeletQuery.toString();
    const kreq = kubeletDialer(endpoint, {
      method: 'GET',
      path: `/containerLogs/${enc(info.namespace)}/${enc(info.name)}/${enc(container)}${qs ? '?' + qs : ''}`,
      headers: { Accept: '*/*' },
    });
    await streamLogs(kreq, req, res, endpoint);
  };

  function upgradeFor(kind: 'exec' | 'attach' | 'portForward'): UpgradeHandler {
    return async (req, socket, head, _def, info) => {
      const query = new URL(req.url ?? '/', 'http://k8ts').searchParams;
      const { pod, endpoint } = await locate(info);
      let path: string;
      if (kind === 'portForward') {
        const qs = kubeletPortForwardQuery(query).toString();
        path = `/portForward/${enc(info.namespace)}/${enc(info.name)}${qs ? '?' + qs : ''}`;
      } else {
        const container = validateContainer(query.get('container'), pod);
        const qs = kubeletStreamQuery(query, kind === 'exec').toString();
        path = `/${kind}/${enc(info.namespace)}/${enc(info.name)}/${enc(container)}${qs ? '?' + qs : ''}`;
      }
      if (!endpoint) throw badRequest(`pod ${info.name} does not have a host assigned`);
      const headers: OutgoingHttpHeaders = {};
      for (const name of forwardedUpgradeHeaders) {
        const v = req.headers[name];
        if (v !== undefined) headers[name] = v;
      }
      const kreq = kubeletDialer(endpoint, { method: req.method ?? 'GET', path, headers });
      await proxyUpgrade(kreq, socket, head, endpoint, deps.log, (err) => dialFailure(endpoint, err));
    };
  }

  const upgradeOnly: SubresourceHandler = async () => { throw badRequest('Upgrade request required'); };

  return {
    subresources: {
      '/pods/log': log,
      '/pods/exec': upgradeOnly,
      '/pods/attach': upgradeOnly,
      '/pods/portforward': upgradeOnly,
      '/nodes/proxy': nodeProxyHandler({ client, kubeletDialer }),
    },
    upgrades: {
      '/pods/exec': upgradeFor('exec'),
      '/pods/attach': upgradeFor('attach'),
      '/pods/portforward': upgradeFor('portForward'),
      '/nodes/proxy': nodeProxyUpgradeHandler({ client, kubeletDialer }),
    },
  };
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/** As kube-apiserver words a kubelet it cannot reach. */
function dialFailure(endpoint: KubeletEndpoint, err: unknown): StatusError {
  const why = err instanceof Error ? err.message : String(err);
  return new StatusError(statusError(500, 'InternalError', `error dialing backend: dial tcp ${endpoint.host}:${endpoint.port}: ${why}`).status, { cause: err });
}

/** The Status the API server makes of a kubelet's non-2xx answer (its body becomes the message). */
function kubeletFailure(code: number, body: string): StatusError {
  const text = body.trim() || `the server responded with the status code ${code} but did not return more information`;
  return statusError(code, reasonByCode[code] ?? 'InternalError', text);
}


/** Streams a kubelet log response through, flushing each chunk; ends with the kubelet or the client. */
function streamLogs(kreq: ClientRequest, req: IncomingMessage, res: ServerResponse, endpoint: KubeletEndpoint): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err?: unknown) => {
      if (settled) return;
      settled = true;
      res.off('close', onClientGone);
      if (err) reject(err); else resolve();
    };
    const onClientGone = () => { kreq.destroy(); done(); };
    res.on('close', onClientGone);
    kreq.on('error', (err) => {
      if (res.headersSent) { res.destroy(); done(); } else done(dialFailure(endpoint, err));
    });
    kreq.on('response', (kres) => {
      const code = kres.statusCode ?? 500;
      if (code < 200 || code >= 300) {
        void readAll(kres).then((body) => done(kubeletFailure(code, body)));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
      res.flushHeaders();
      kres.on('data', (chunk: Buffer) => {
        if (!res.write(chunk)) { kres.pause(); res.once('drain', () => kres.resume()); }
      });
      kres.on('end', () => { res.end(); done(); });
      kres.on('error', () => { res.destroy(); done(); });
    });
    void req;
    kreq.end();
  });
}

