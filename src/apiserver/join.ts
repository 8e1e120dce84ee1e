/**
 * What an agent needs from a server to join the cluster, served outside /api as k3s serves it:
 * `GET /cacerts` (no auth: the cluster CA, which the agent checks against its token's CA hash),
 * `GET /v1-k8ts/config` (the cluster's network settings) and `POST /v1-k8ts/serving-kubelet.crt`
 * (a kubelet serving certificate signed by the cluster CA). The last two need the cluster token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { badRequest, forbidden, methodNotAllowed as methodNotAllowedError, unauthorized } from '../api/errors.js';
import type { Clock } from '../base/clock.js';
import type { UserInfo } from './context.js';
import { readBody, parseJson } from './http/body.js';
import { sendJson, sendText } from './http/respond.js';
import { issueServingCertificate, type CertKeyPair } from './pki/index.js';

/** The cluster settings an agent takes from the server instead of its own flags. */
export interface JoinConfig {
  clusterCidr: string;
  serviceCidr: string;
  clusterDns: string;
  clusterDomain: string;
}

export interface KubeletServingRequest {
  nodeName: string;
  addresses: string[];
}

export interface JoinHandlerDeps {
  ca: CertKeyPair;
  config: JoinConfig;
  authenticate(req: IncomingMessage): Promise<UserInfo | undefined> | UserInfo | undefined;
  clock: Clock;
}

export const joinPaths = { cacerts: '/cacerts', config: '/v1-k8ts/config', servingKubeletCert: '/v1-k8ts/serving-kubelet.crt' } as const;

/** A node name as the Node object's name: a DNS subdomain. */
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The join routes. `handle` answers and returns true for its paths, false for any other;
 * failures are thrown as StatusErrors for the API handler to send.
 */
export function joinHandler(deps: JoinHandlerDeps) {
  async function authorize(req: IncomingMessage): Promise<void> {
    const user = await deps.authenticate(req);
    if (!user) throw unauthorized();
    // Only the cluster token (system:masters) may fetch node credentials; service accounts may not.
    if (!user.groups.includes('system:masters')) throw forbidden(`User "${user.username}" cannot join nodes to the cluster`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const method = req.method ?? 'GET';
    if (path === joinPaths.cacerts) {
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed();
      sendText(res, 200, deps.ca.certPem, 'application/x-pem-file');
      return true;
    }
    if (path === joinPaths.config) {
      if (method !== 'GET') throw methodNotAllowed();
      await authorize(req);
      const { clusterCidr, serviceCidr, clusterDns, clusterDomain } = deps.config;
      sendJson(res, 200, { clusterCidr, serviceCidr, clusterDns, clusterDomain } satisfies JoinConfig);
      return true;
    }
    if (path === joinPaths.servingKubeletCert) {
      if (method !== 'POST') throw methodNotAllowed();
      await authorize(req);
      const body = parseKubeletServingRequest(parseJson((await readBody(req, 64 * 1024)).toString('utf8')));
      const issued = await issueServingCertificate(deps.ca, { nodeAddresses: body.addresses, hostname: body.nodeName }, { now: deps.clock.now() });
      sendJson(res, 200, { cert: issued.certPem, key: issued.keyPem });
      return true;
    }
    return false;
  }

  return { handle };
}

/** Validates `{ nodeName, addresses }`; anything else is a 400. */
export function parseKubeletServingRequest(body: unknown): KubeletServingRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('request body must be a JSON object { nodeName, addresses }');
  const { nodeName, addresses } = body as Record<string, unknown>;
  if (typeof nodeName !== 'string' || nodeName.length > 253 || !dnsSubdomain.test(nodeName)) {
    throw badRequest(`nodeName: Invalid value: ${JSON.stringify(nodeName)}: must be a lowercase RFC 1123 subdomain`);
  }
  if (!Array.isArray(addresses) || addresses.length === 0 || addresses.length > 16) throw badRequest('addresses: Required value: between 1 and 16 IP addresses');
  for (const a of addresses) {
    if (typeof a !== 'string' || !isIP(a)) throw badRequest(`addresses: Invalid value: ${JSON.stringify(a)}: must be an IP address`);
  }
  return { nodeName, addresses: addresses as string[] };
}

function methodNotAllowed() {
  return methodNotAllowedError('the server does not allow this method on the requested resource');
}
