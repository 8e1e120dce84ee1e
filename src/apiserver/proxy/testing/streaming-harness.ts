/**
 * A loopback stand-in for the API server that is just enough for the real kubectl and
 * client-node to run logs/exec/cp/port-forward: legacy discovery, GET of seeded pods, and the
 * pod streaming handlers — which proxy over HTTPS (cluster CA, client certificate) to a real
 * kubelet streaming server backed by whatever StreamingRuntime the test gives.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { StatusError, internal } from '../../../api/errors.js';
import { nodes, pods } from '../../../api/resources/core/index.js';
import type { KubeObject } from '../../../api/types.js';
import { silentLogger } from '../../../base/log.js';
import { FakeClient } from '../../../client/testing/fake-client.js';
import { requestInfo } from '../../http/request-info.js';
import { createClusterCa, issueClientCertificate, issueServingCertificate } from '../../pki/certificates.js';
import { createKubeletServer, type KubeletServer } from '../../../kubelet/server/server.js';
import type { StreamingRuntime } from '../../../kubelet/server/runtime.js';
import { httpsKubeletDialer } from '../kubelet-dialer.js';
import { podStreamingHandlers } from '../pod-streaming.js';

export interface StreamingHarness {
  url: string;
  kubeconfig: string;
  client: FakeClient;
  kubelet: KubeletServer;
  /** Every upgrade request seen: subresource, `Upgrade` header, offered subprotocols. */
  upgrades: { subresource: string; method: string; upgrade: string; protocols: string }[];
  stop(): Promise<void>;
}

const apiResources = {
  kind: 'APIResourceList', groupVersion: 'v1',
  resources: [
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['po'], categories: ['all'] },
    { name: 'pods/attach', singularName: '', namespaced: true, kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
    { name: 'pods/portforward', singularName: '', namespaced: true, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', verbs: ['get', 'list'], shortNames: ['no'] },
  ],
};

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function statusOf(err: unknown): StatusError {
  return err instanceof StatusError ? err : internal(err);
}

export async function startStreamingHarness(runtime: StreamingRuntime, seed: { pods: Pod[]; nodeName?: string }): Promise<StreamingHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-streaming-'));
  const now = Date.now();
  const ca = await createClusterCa({ now, commonName: 'k8ts-test-ca' });
  // Any certificate naming 127.0.0.1 will do as the kubelet's serving certificate here.
  const kubeletCert = await issueServingCertificate(ca, {}, { now });
  const apiClientCert = await issueClientCertificate(ca, { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'] }, { now });

  const kubelet = createKubeletServer({ runtime, log: silentLogger, tls: { cert: kubeletCert.certPem, key: kubeletCert.keyPem, ca: ca.certPem } });
  const kubeletPort = await kubelet.listen(0, '127.0.0.1');

  const nodeName = seed.nodeName ?? 'node-1';
  const client = new FakeClient();
  client.seed(nodes, {
    apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName },
    status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } } },
  } as Node as never);
  for (const p of seed.pods) client.seed(pods, p as never);
  const handlers = podStreamingHandlers({ client, kubeletDialer: httpsKubeletDialer({ ca: ca.certPem, cert: apiClientCert.certPem, key: apiClientCert.keyPem }) });

  const server: Server = createServer((req, res) => { void handle(req, res); });
  const sockets = new Set<Duplex>();
  server.on('connection', (s: Duplex) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });
  const upgrades: StreamingHarness['upgrades'] = [];
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://h');
      const info = requestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
      upgrades.push({
        subresource: info.subresource, method: req.method ?? '', upgrade: String(req.headers.upgrade ?? ''),
        protocols: String(req.headers['sec-websocket-protocol'] ?? req.headers['x-stream-protocol-version'] ?? ''),
      });
      const handler = handlers.upgrades[`/${info.resource}/${info.subresource}`];
      try {
        if (!handler) throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', message: 'the server could not find the requested resource', code: 404 });
        await handler(req, socket, head, pods, info, { user: { username: 'admin', groups: [] } });
      } catch (err) {
        const status = statusOf(err).status;
        const body = JSON.stringify(status);
        if (socket.writable) socket.end(`HTTP/1.1 ${status.code} ${status.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      }
    })();
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://h');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    try {
      if (path === '/api') return sendJson(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }] });
      if (path === '/apis') return sendJson(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
      if (path === '/api/v1') return sendJson(res, 200, apiResources);
      if (path === '/version') return sendJson(res, 200, { major: '1', minor: '33', gitVersion: 'v1.33.0-k8ts', platform: 'linux/amd64' });
      const info = requestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
      if (info.isResourceRequest && info.resource === 'pods' && info.name && !info.subresource && info.verb === 'get') {
        return sendJson(res, 200, await client.get(pods, info.namespace, info.name) as KubeObject);
      }
      const sub = info.subresource ? handlers.subresources[`/${info.resource}/${info.subresource}`] : undefined;
      if (sub) return await sub(req, res, pods, info, { user: { username: 'admin', groups: [] } });
      return sendJson(res, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', message: 'the server could not find the requested resource', code: 404 });
    } catch (err) {
      const status = statusOf(err).status;
      if (!res.headersSent) sendJson(res, status.code, status);
      else res.destroy();
    }
  }

  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    resolve(typeof a === 'object' && a ? a.port : 0);
  }));
  const url = `http://127.0.0.1:${port}`;
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  await writeFile(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: test',
    'clusters:', '- name: test', '  cluster:', `    server: ${url}`,
    'contexts:', '- name: test', '  context:', '    cluster: test', '    user: test', '    namespace: default',
    'users:', '- name: test', '  user:', '    token: test-token', '',
  ].join('\n'));

  return {
    url, kubeconfig, client, kubelet, upgrades,
    async stop() {
      await new Promise<void>((resolve) => { server.close(() => resolve()); for (const s of sockets) s.destroy(); });
      await kubelet.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
