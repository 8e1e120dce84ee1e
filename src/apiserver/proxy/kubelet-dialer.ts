/**
 * How the API server reaches a node's kubelet: the node's address and kubelet port from its
 * status, and an HTTPS request made with the API server's kubelet-client certificate. The
 * dialer is a function so that single-process mode and tests can point it anywhere.
 */
import type { ClientRequest, OutgoingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Node } from 'kubernetes-types/core/v1.js';

export interface KubeletEndpoint { nodeName: string; host: string; port: number }

export interface KubeletRequest {
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  /**
   * Set when the target is another port of the node, not its kubelet (`nodes/https:NAME:PORT/proxy`):
   * dial with this scheme through the API server's generic proxy transport (no client certificate,
   * the serving certificate unchecked) instead of the kubelet client.
   */
  proxyScheme?: 'http' | 'https';
}

/** Starts a request to a kubelet; the caller writes/ends it and listens for 'response'/'upgrade'. */
export type KubeletDialer = (endpoint: KubeletEndpoint, request: KubeletRequest) => ClientRequest;

export interface KubeletClientTls { ca: string; cert: string; key: string }

/** The kubelet port when a Node does not report one. */
export const defaultKubeletPort = 10250;

/** Address preference, as kube-apiserver's default `--kubelet-preferred-address-types` minus DNS names. */
const addressPreference = ['InternalIP', 'ExternalIP', 'Hostname'] as const;

/** Where a Node's kubelet listens; undefined when the Node reports no usable address. */
export function kubeletEndpointOf(node: Pick<Node, 'metadata' | 'status'>): KubeletEndpoint | undefined {
  const addresses = node.status?.addresses ?? [];
  let host: string | undefined;
  for (const type of addressPreference) {
    host = addresses.find((a) => a.type === type && a.address)?.address;
    if (host) break;
  }
  if (!host) return undefined;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port || defaultKubeletPort;
  return { nodeName: node.metadata?.name ?? '', host, port };
}

/** Dials kubelets over HTTPS, verifying them against the cluster CA and presenting the client certificate. */
export function httpsKubeletDialer(tls: KubeletClientTls): KubeletDialer {
  return (endpoint, req) => req.proxyScheme ? proxyTransportRequest(endpoint, req, req.proxyScheme) : httpsRequest({
    host: endpoint.host,
    port: endpoint.port,
    method: req.method,
    path: req.path,
    headers: req.headers,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    agent: false,
    // Kubelet serving certificates name the node's IP addresses; no DNS name to match.
    servername: undefined,
  });
}

/** kube-apiserver's proxy transport (CreateProxyTransport): TLS without verification, as it proxies to IPs. */
function proxyTransportRequest(endpoint: KubeletEndpoint, req: KubeletRequest, scheme: 'http' | 'https'): ClientRequest {
  const options = { host: endpoint.host, port: endpoint.port, method: req.method, path: req.path, headers: req.headers, agent: false as const };
  return scheme === 'https' ? httpsRequest({ ...options, rejectUnauthorized: false }) : httpRequest(options);
}

/** Plain HTTP to a fixed address whatever the node (tests only). */
export function plainHttpKubeletDialer(target?: { host: string; port: number }): KubeletDialer {
  return (endpoint, req) => httpRequest({
    host: target?.host ?? endpoint.host,
    port: target?.port ?? endpoint.port,
    method: req.method,
    path: req.path,
    headers: req.headers,
    agent: false,
  });
}
