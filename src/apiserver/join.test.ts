import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { StatusError } from '../api/errors.js';
import { systemClock } from '../base/clock.js';
import { joinHandler, joinPaths } from './join.js';
import { createClusterCa, subjectAltNamesOf, type CertKeyPair } from './pki/index.js';
import { sendStatus } from './http/respond.js';
import type { UserInfo } from './context.js';

const tokens: Record<string, UserInfo> = {
  admin: { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] },
  sa: { username: 'system:serviceaccount:default:default', groups: ['system:serviceaccounts', 'system:authenticated'] },
};
let ca: CertKeyPair;
let server: Server;
let base: string;

before(async () => {
  ca = await createClusterCa({ now: Date.now() });
  const join = joinHandler({
    ca, clock: systemClock,
    config: { clusterCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16', clusterDns: '10.43.0.10', clusterDomain: 'cluster.local' },
    authenticate: (req) => tokens[(req.headers.authorization ?? '').replace(/^Bearer /, '')],
  });
  server = createServer((req, res) => {
    join.handle(req, res, new URL(req.url ?? '/', 'http://x').pathname).then((handled) => {
      if (!handled) { res.writeHead(404); res.end(); }
    }, (err: unknown) => {
      if (err instanceof StatusError) sendStatus(res, err.status);
      else { res.writeHead(500); res.end(String(err)); }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const post = (path: string, body: string, token?: string) => fetch(base + path, {
  method: 'POST', body, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
});

test('/cacerts serves the CA without authentication', async () => {
  const res = await fetch(base + joinPaths.cacerts);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), ca.certPem);
});

test('/v1-k8ts/config needs the cluster token and returns the cluster settings', async () => {
  const anon = await fetch(base + joinPaths.config);
  assert.equal(anon.status, 401);
  const status = await anon.json() as { kind: string; reason: string };
  assert.equal(status.kind, 'Status');
  assert.equal(status.reason, 'Unauthorized');
  assert.equal((await fetch(base + joinPaths.config, { headers: { Authorization: 'Bearer sa' } })).status, 403);
  const ok = await fetch(base + joinPaths.config, { headers: { Authorization: 'Bearer admin' } });
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { clusterCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16', clusterDns: '10.43.0.10', clusterDomain: 'cluster.local' });
});

test('serving-kubelet.crt: 401 without a token, 400 on a bad body', async () => {
  assert.equal((await post(joinPaths.servingKubeletCert, JSON.stringify({ nodeName: 'n1', addresses: ['10.0.0.5'] }))).status, 401);
  for (const body of ['not json', '[]', '{}', JSON.stringify({ nodeName: 'Bad_Name', addresses: ['10.0.0.5'] }),
    JSON.stringify({ nodeName: 'n1', addresses: [] }), JSON.stringify({ nodeName: 'n1', addresses: ['not-an-ip'] })]) {
    const res = await post(joinPaths.servingKubeletCert, body, 'admin');
    assert.equal(res.status, 400, body);
    assert.equal(((await res.json()) as { reason: string }).reason, 'BadRequest');
  }
  assert.equal((await fetch(base + joinPaths.servingKubeletCert, { headers: { Authorization: 'Bearer admin' } })).status, 405);
});

test('serving-kubelet.crt issues a certificate signed by the CA for the node address and name', async () => {
  const res = await post(joinPaths.servingKubeletCert, JSON.stringify({ nodeName: 'worker-1', addresses: ['10.0.0.5'] }), 'admin');
  assert.equal(res.status, 200);
  const { cert, key } = await res.json() as { cert: string; key: string };
  assert.match(key, /BEGIN PRIVATE KEY/);
  const x = new X509Certificate(cert);
  const caX = new X509Certificate(ca.certPem);
  assert.ok(x.checkIssued(caX) && x.verify(caX.publicKey));
  assert.ok(x.checkPrivateKey((await import('node:crypto')).createPrivateKey(key)));
  const sans = subjectAltNamesOf(cert);
  assert.ok(sans.ips.includes('10.0.0.5'), sans.ips.join(','));
  assert.ok(sans.dnsNames.includes('worker-1'), sans.dnsNames.join(','));
  assert.equal(x.checkIP('10.0.0.5'), '10.0.0.5');
});

test('other paths are not handled', async () => {
  assert.equal((await fetch(base + '/v1-k8ts/other', { headers: { Authorization: 'Bearer admin' } })).status, 404);
});
