/**
 * nodes/proxy: `/api/v1/nodes/NAME[:PORT]/proxy/PATH` is forwarded to that node's kubelet
 * (`https://ADDRESS:PORT/PATH?QUERY`) with the API server's kubelet-client certificate, as
 * kube-apiserver does; the kubelet's answer (status, content type, body) passes through.
 * `kubectl get --raw /api/v1/nodes/N/proxy/stats/summary` and metrics-server use it.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { statusError, StatusError } from '../../api/errors.js';
import { nodes } from '../../api/resources/core/index.js';
import type { Client } from '../../client/types.js';
import type { SubresourceHandler } from '../http/resource-handler.js';
import { kubeletEndpointOf, type KubeletDialer } from './kubelet-dialer.js';

/** Request headers passed on to the kubelet; credentials stay at the API server. */
const forwarded = ['accept', 'accept-encoding', 'content-type', 'content-length', 'user-agent'];
/** Response headers passed back. */
const returned = ['content-type', 'content-encoding', 'cache-control', 'x-content-type-options'];

export function nodeProxyHandler(deps: { client: Client; kubeletDialer: KubeletDialer }): SubresourceHandler {
  return async (req: IncomingMessage, res: ServerResponse, _def, info) => {
    // NAME may carry a port (`node-1:10255`), as upstream allows.
    const [name = '', portText] = info.name.split(':');
    const node = await deps.client.get(nodes, '', name);
    const endpoint = kubeletEndpointOf(node);
    if (!endpoint) throw statusError(503, 'ServiceUnavailable', `no preferred addresses found; known addresses: []`);
    if (portText !== undefined) {
      if (!/^\d+$/.test(portText)) throw statusError(400, 'BadRequest', `invalid port in node name "${info.name}"`);
      endpoint.port = Number(portText);
    }
    const search = new URL(req.url ?? '/', 'http://k8ts').search;
    const path = '/' + info.rest.map(encodeURIComponent).join('/') + search;
    const headers: OutgoingHttpHeaders = {};
    for (const h of forwarded) if (req.headers[h] !== undefined) headers[h] = req.headers[h];
    const kreq = deps.kubeletDialer(endpoint, { method: req.method ?? 'GET', path, headers });
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const done = (err?: unknown) => { if (!settled) { settled = true; if (err) reject(err); else resolve(); } };
      res.once('close', () => { kreq.destroy(); done(); });
      kreq.on('error', (err) => {
        if (res.headersSent) { res.destroy(); done(); return; }
        done(new StatusError(statusError(503, 'ServiceUnavailable', `error trying to reach service: dial tcp ${endpoint.host}:${endpoint.port}: ${err.message}`).status, { cause: err }));
      });
      kreq.on('response', (kres) => {
        const out: OutgoingHttpHeaders = {};
        for (const h of returned) if (kres.headers[h] !== undefined) out[h] = kres.headers[h];
        res.writeHead(kres.statusCode ?? 502, out);
        kres.pipe(res);
        kres.on('end', () => done());
        kres.on('error', () => { res.destroy(); done(); });
      });
      req.pipe(kreq);
    });
  };
}
