import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Node } from 'kubernetes-types/core/v1.js';
import { StatusError, internal } from '../../api/errors.js';
import { nodes } from '../../api/resources/core/index.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import { requestInfo } from '../http/request-info.js';
import { createClusterCa, issueClientCertificate, issueServingCertificate } from '../pki/certificates.js';
import { httpsKubeletDialer, type KubeletDialer } from './kubelet-dialer.js';
import { isGlobalUnicast, nodeProxyHandler, nodeProxyUpgradeHandler, parseNodeProxyId, rewriteLocation } from './node-proxy.js';

interface Seen { method: string; url: string; headers: IncomingMessage['headers']; body: string; clientCN: string | undefined; via: string }

/** The node's address as the API server sees it; the test dialer sends it to loopback. */
const nodeIp = '10.123.0.7';
const seen: Seen[] = [];
const servers: Server[] = [];
let kubeletPort = 0;
let httpPort = 0;
let httpsPort = 0;
let deadPort = 0;
let api = '';
let release: () => void = () => undefined;

async function listen(server: Server): Promise<number> {
  servers.push(server);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });
  server.on('close', () => { for (const s of sockets) s.destroy(); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A backend that records each request and answers according to its path. */
function backend(via: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const peer = (req.socket as TLSSocket).getPeerCertificate?.();
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString(), clientCN: peer?.subject?.CN as string | undefined, via });
      const path = (req.url ?? '').split('?')[0];
      if (path === '/stream') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('first\n');
        // The second chunk is written only once the caller has read the first through the proxy.
        new Promise<void>((resolve) => { release = resolve; }).then(() => res.end('second\n'), () => undefined);
        return;
      }
      if (path === '/moved') {
        res.writeHead(302, { Location: '/elsewhere/x' });
        res.end();
        return;
      }
      res.writeHead(207, {
        'Content-Type': 'application/x-test', 'X-Kubelet': via, 'Set-Cookie': ['a=1', 'b=2'],
        'Access-Control-Allow-Origin': '*', 'Keep-Alive': 'timeout=5',
      });
      res.end(`${via} ${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`);
    });
  };
}

/** A stand-in for the API server's routing: nodes/proxy requests and upgrades go to the handlers. */
function apiServer(client: FakeClient, dialer: KubeletDialer): Server {
  const handler = nodeProxyHandler({ client, kubeletDialer: dialer });
  const upgrade = nodeProxyUpgradeHandler({ client, kubeletDialer: dialer });
  const fail = (err: unknown) => (err instanceof StatusError ? err : internal(err)).status;
  const server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://h');
    const info = requestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    handler(req, res, nodes, info, { user: { username: 'admin', groups: [] } }).catch((err: unknown) => {
      const status = fail(err);
      if (res.headersSent) { res.destroy(); return; }
      res.writeHead(status.code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(status));
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://h');
    const info = requestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    upgrade(req, socket, head, nodes, info, { user: { username: 'admin', groups: [] } }).catch((err: unknown) => {
      const status = fail(err);
      socket.end(`HTTP/1.1 ${status.code} x\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(status)}`);
    });
  });
  return server;
}

before(async () => {
  const now = Date.now();
  const ca = await createClusterCa({ now, commonName: 'node-proxy-test-ca' });
  const serving = await issueServingCertificate(ca, { nodeAddresses: ['127.0.0.1'] }, { now });
  const apiClient = await issueClientCertificate(ca, { commonName: 'kube-apiserver-kubelet-client' }, { now });

  const kubelet = createHttpsServer({ key: serving.keyPem, cert: serving.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, backend('kubelet'));
  kubelet.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: '', clientCN: undefined, via: 'kubelet-upgrade' });
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
    socket.pipe(socket);
  });
  kubeletPort = await listen(kubelet);
  httpPort = await listen(createHttpServer(backend('http')));
  // Another TLS port of the node, which asks for no client certificate and serves one no CA here signed.
  const other = await createClusterCa({ now, commonName: 'someone-else' });
  const otherCert = await issueServingCertificate(other, {}, { now });
  httpsPort = await listen(createHttpsServer({ key: otherCert.keyPem, cert: otherCert.certPem, requestCert: true, rejectUnauthorized: false }, backend('https')));
  const dead = createHttpServer();
  deadPort = await listen(dead);
  await new Promise<void>((resolve) => dead.close(() => resolve()));

  const client = new FakeClient();
  const node = (name: string, address: string): Node => ({
    apiVersion: 'v1', kind: 'Node', metadata: { name },
    status: { addresses: [{ type: 'InternalIP', address }], daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } } },
  });
  client.seed(nodes, node('n1', nodeIp) as never, node('local', '127.0.0.1') as never,
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'bare' }, status: { addresses: [{ type: 'InternalDNS', address: 'bare.internal' }] } } as never);
  const real = httpsKubeletDialer({ ca: ca.certPem, cert: apiClient.certPem, key: apiClient.keyPem });
  const dialer: KubeletDialer = (endpoint, req) => real({ ...endpoint, host: endpoint.host === nodeIp ? '127.0.0.1' : endpoint.host }, req);
  api = `http://127.0.0.1:${await listen(apiServer(client, dialer))}`;
});

after(async () => {
  release();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => { s.close(() => resolve()); s.emit('close'); })));
});

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(api + path, { redirect: 'manual', ...init });
}

test('parseNodeProxyId: NAME, NAME:PORT and SCHEME:NAME:PORT (utilnet.SplitSchemeNamePort)', () => {
  assert.deepEqual(parseNodeProxyId('n'), { scheme: '', name: 'n', port: '' });
  assert.deepEqual(parseNodeProxyId('n:10255'), { scheme: '', name: 'n', port: '10255' });
  assert.deepEqual(parseNodeProxyId('https:n:443'), { scheme: 'https', name: 'n', port: '443' });
  assert.deepEqual(parseNodeProxyId('http:n:'), { scheme: 'http', name: 'n', port: '' });
  assert.equal(parseNodeProxyId('ftp:n:21'), undefined);
  assert.equal(parseNodeProxyId(':80'), undefined);
  assert.equal(parseNodeProxyId('a:b:c:d'), undefined);
  assert.equal(isGlobalUnicast('10.1.2.3'), true);
  assert.equal(isGlobalUnicast('2001:db8::1'), true);
  for (const ip of ['127.0.0.1', '0.0.0.0', '169.254.1.1', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1']) {
    assert.equal(isGlobalUnicast(ip), false, ip);
  }
});

test('rewriteLocation: path-absolute redirects move under the proxy prefix (proxy.Transport.rewriteURL)', () => {
  const prefix = '/api/v1/nodes/n1/proxy';
  assert.equal(rewriteLocation('/a/b/', '10.0.0.1:10250', 'api:6443', prefix), '/api/v1/nodes/n1/proxy/a/b/');
  assert.equal(rewriteLocation('https://10.0.0.1:10250/a?q=1', '10.0.0.1:10250', 'api:6443', prefix), '/api/v1/nodes/n1/proxy/a?q=1');
  assert.equal(rewriteLocation('https://api:6443/a', '10.0.0.1:10250', 'api:6443', prefix), 'https://api:6443/api/v1/nodes/n1/proxy/a');
  assert.equal(rewriteLocation('/api/v1/nodes/n1/proxy/x', '10.0.0.1:10250', 'api:6443', prefix), '/api/v1/nodes/n1/proxy/x');
  assert.equal(rewriteLocation('https://example.com/a', '10.0.0.1:10250', 'api:6443', prefix), 'https://example.com/a');
  assert.equal(rewriteLocation('relative/x', '10.0.0.1:10250', 'api:6443', prefix), 'relative/x');
});

test('GET reaches the kubelet with the client certificate; query, headers and status pass, credentials and hop-by-hop headers do not', async () => {
  seen.length = 0;
  // node:http rather than fetch, which refuses to send a Connection header.
  const res = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>((resolve, reject) => {
    const req = request(`${api}/api/v1/nodes/n1/proxy/stats/sum%20mary?only_cpu_and_memory=true&x=a%2Fb`, {
      headers: { Authorization: 'Bearer secret', 'Impersonate-User': 'eve', 'X-Custom': 'kept', Connection: 'close, X-Drop-Me', 'X-Drop-Me': '1', 'X-Forwarded-For': '192.0.2.9' },
    }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(res.status, 207);
  assert.equal(res.body, 'kubelet GET /stats/sum%20mary?only_cpu_and_memory=true&x=a%2Fb ');
  assert.equal(res.headers['x-kubelet'], 'kubelet');
  assert.equal(res.headers['content-type'], 'application/x-test');
  assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2']);
  assert.equal(res.headers['access-control-allow-origin'], undefined, 'CORS headers of the backend are removed');
  assert.equal(res.headers['keep-alive'], undefined, 'hop-by-hop headers of the backend are removed');
  const got = seen.at(-1)!;
  assert.equal(got.clientCN, 'kube-apiserver-kubelet-client');
  assert.equal(got.headers.authorization, undefined);
  assert.equal(got.headers['impersonate-user'], undefined);
  assert.equal(got.headers['x-drop-me'], undefined, 'headers named by Connection are hop-by-hop');
  assert.equal(got.headers['x-custom'], 'kept');
  assert.equal(got.headers['x-forwarded-for'], '192.0.2.9, 127.0.0.1');
  assert.equal(got.headers['x-forwarded-uri'], '/api/v1/nodes/n1/proxy/stats/sum mary');
});

test('method and body are forwarded; a trailing slash is kept; paths are cleaned', async () => {
  seen.length = 0;
  for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
    const res = await call('/api/v1/nodes/n1/proxy/run/x/', { method, body: method === 'OPTIONS' ? undefined : `payload-${method}`, headers: { 'Content-Type': 'text/plain' } });
    assert.equal(res.status, 207, method);
    assert.equal(await res.text(), `kubelet ${method} /run/x/ ${method === 'OPTIONS' ? '' : `payload-${method}`}`);
  }
  assert.deepEqual(seen.map((s) => [s.method, s.url, s.body, s.headers['content-type']]), [
    ['POST', '/run/x/', 'payload-POST', 'text/plain'], ['PUT', '/run/x/', 'payload-PUT', 'text/plain'],
    ['DELETE', '/run/x/', 'payload-DELETE', 'text/plain'], ['OPTIONS', '/run/x/', '', 'text/plain'],
  ]);
  const head = await call('/api/v1/nodes/n1/proxy/a', { method: 'HEAD' });
  assert.equal(head.status, 207);
  assert.equal(seen.at(-1)!.method, 'HEAD');
  await (await call('/api/v1/nodes/n1/proxy/a/./b/../c')).text();
  assert.equal(seen.at(-1)!.url, '/a/c');
  const patch = await call('/api/v1/nodes/n1/proxy/a', { method: 'PATCH', body: '{}' });
  assert.equal(patch.status, 405);
});

test('the answer streams: the first chunk arrives before the backend has finished', async () => {
  const res = await call('/api/v1/nodes/n1/proxy/stream');
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const first = await reader.read();
  assert.equal(Buffer.from(first.value!).toString(), 'first\n');
  release();
  let rest = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    rest += Buffer.from(value).toString();
  }
  assert.equal(rest, 'second\n');
});

test('NAME:PORT with the kubelet port uses the kubelet client; SCHEME:NAME:PORT reaches another port through the proxy transport', async () => {
  seen.length = 0;
  assert.equal(await (await call(`/api/v1/nodes/n1:${kubeletPort}/proxy/p`)).text(), 'kubelet GET /p ');
  assert.equal(await (await call(`/api/v1/nodes/n1:${httpPort}/proxy/p?q=1`)).text(), 'http GET /p?q=1 ', 'http by default');
  assert.equal(await (await call(`/api/v1/nodes/http:n1:${httpPort}/proxy/p`)).text(), 'http GET /p ');
  const tls = await call(`/api/v1/nodes/https:n1:${httpsPort}/proxy/p`, { method: 'POST', body: 'b' });
  assert.equal(tls.status, 207);
  assert.equal(await tls.text(), 'https POST /p b');
  assert.equal(seen.at(-1)!.clientCN, undefined, 'no kubelet client certificate for other ports');
  assert.equal(seen[0]!.clientCN, 'kube-apiserver-kubelet-client');
});

test('errors: bad ids, missing nodes, unproxyable addresses, unreachable backends, no address', async () => {
  const status = async (path: string) => {
    const res = await call(path);
    return { code: res.status, body: await res.json() as { message: string; reason: string } };
  };
  let r = await status('/api/v1/nodes/ftp:n1:1/proxy/x');
  assert.deepEqual([r.code, r.body.reason, r.body.message], [400, 'BadRequest', 'invalid node request "ftp:n1:1"']);
  r = await status('/api/v1/nodes/nope/proxy/x');
  assert.deepEqual([r.code, r.body.message], [404, 'nodes "nope" not found']);
  r = await status(`/api/v1/nodes/local:${httpPort}/proxy/x`);
  assert.deepEqual([r.code, r.body.message], [400, 'address not allowed'], 'a loopback node address is only reachable on its kubelet port');
  r = await status(`/api/v1/nodes/n1:${deadPort}/proxy/x`);
  assert.equal(r.code, 503);
  assert.equal(r.body.reason, 'ServiceUnavailable');
  assert.match(r.body.message, /^error trying to reach service: dial tcp 10\.123\.0\.7:\d+: .*ECONNREFUSED/);
  r = await status('/api/v1/nodes/bare/proxy/x');
  assert.deepEqual([r.code, r.body.reason, r.body.message], [500, '', 'no preferred addresses found; known addresses: [{InternalDNS bare.internal}]']);
});

test('redirects: the bare proxy path goes to its slash form; backend redirects are rewritten under the prefix', async () => {
  const bare = await call('/api/v1/nodes/n1/proxy?a=1');
  assert.equal(bare.status, 301);
  assert.equal(bare.headers.get('location'), '/api/v1/nodes/n1/proxy/?a=1');
  const moved = await call('/api/v1/nodes/n1/proxy/moved');
  assert.equal(moved.status, 302);
  assert.equal(moved.headers.get('location'), '/api/v1/nodes/n1/proxy/elsewhere/x');
});

test('upgrades are spliced through to the kubelet', async () => {
  seen.length = 0;
  const socket = await new Promise<Duplex>((resolve, reject) => {
    const req = request(`${api}/api/v1/nodes/n1/proxy/echo/it?q=1`, { headers: { Connection: 'Upgrade', Upgrade: 'echo', Authorization: 'Bearer secret' } });
    req.on('upgrade', (res, sock) => { assert.equal(res.statusCode, 101); resolve(sock); });
    req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
  const echoed = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
  socket.write('ping');
  assert.equal(await echoed, 'ping');
  socket.destroy();
  const got = seen.find((s) => s.via === 'kubelet-upgrade')!;
  assert.equal(got.url, '/echo/it', 'the upgrade location carries no query, as upstream');
  assert.equal(got.headers.upgrade, 'echo');
  assert.equal(got.headers.authorization, undefined);
});
