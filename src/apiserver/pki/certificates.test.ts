import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  adminIdentity, createClusterCa, isCertificateCurrent, issueClientCertificate, issueServingCertificate, nodeIdentity,
  servingSubjectAltNames, subjectAltNamesOf,
} from './certificates.js';

const now = Date.parse('2025-03-01T12:00:00Z');
const day = 24 * 3600 * 1000;

test('the cluster CA is a self-signed ECDSA P-256 CA valid for ten years', async () => {
  const ca = await createClusterCa({ now, commonName: 'k8ts-ca' });
  const cert = new X509Certificate(ca.certPem);
  assert.equal(cert.ca, true);
  assert.equal(cert.subject, 'CN=k8ts-ca');
  assert.equal(cert.issuer, 'CN=k8ts-ca');
  assert.ok(cert.verify(cert.publicKey));
  assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const years = (Date.parse(cert.validTo) - now) / (365 * day);
  assert.ok(years > 9.99 && years < 10.01, `validity ${years} years`);
  assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
});

test('serving SANs: loopback, node addresses, hostname, kubernetes.default…, the first service IP', () => {
  const sans = servingSubjectAltNames({ nodeAddresses: ['192.168.1.5', 'fd00::5'], hostname: 'node-a', serviceIp: '10.43.0.1', extraSans: ['api.example.com'] });
  assert.deepEqual(sans.ips.sort(), ['10.43.0.1', '127.0.0.1', '192.168.1.5', '::1', 'fd00::5']);
  assert.deepEqual(sans.dnsNames.sort(), ['api.example.com', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local', 'localhost', 'node-a']);
});

test('serving and client certificates are signed by the CA with the right names and usages', async () => {
  const ca = await createClusterCa({ now });
  const serving = await issueServingCertificate(ca, { nodeAddresses: ['192.168.1.5'], hostname: 'node-a', serviceIp: '10.43.0.1' }, { now });
  const caCert = new X509Certificate(ca.certPem);
  const s = new X509Certificate(serving.certPem);
  assert.ok(s.checkIssued(caCert) && s.verify(caCert.publicKey));
  assert.equal(s.ca, false);
  assert.deepEqual(s.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.equal(s.checkIP('10.43.0.1'), '10.43.0.1');
  assert.equal(s.checkIP('::1'), '::1');
  assert.equal(s.checkHost('kubernetes.default.svc.cluster.local'), 'kubernetes.default.svc.cluster.local');
  assert.equal(s.checkHost('example.org'), undefined);
  assert.ok(subjectAltNamesOf(serving.certPem).ips.includes('::1'));
  assert.ok(isCertificateCurrent(serving.certPem, ca.certPem, now, 300 * day));
  assert.equal(isCertificateCurrent(serving.certPem, ca.certPem, now, 400 * day), false, 'one year of validity');

  const admin = new X509Certificate((await issueClientCertificate(ca, adminIdentity, { now })).certPem);
  assert.equal(admin.subject, 'O=system:masters\nCN=system:admin');
  assert.deepEqual(admin.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  const node = new X509Certificate((await issueClientCertificate(ca, nodeIdentity('node-a'), { now })).certPem);
  assert.equal(node.subject, 'O=system:nodes\nCN=system:node:node-a');

  const other = await createClusterCa({ now });
  assert.equal(isCertificateCurrent(serving.certPem, other.certPem, now), false, 'another CA did not sign it');
});

test('Node TLS accepts the PEMs: a server with the serving certificate, a client with the CA and a client certificate', async () => {
  const t = Date.now();
  const ca = await createClusterCa({ now: t });
  const serving = await issueServingCertificate(ca, { hostname: 'node-a' }, { now: t });
  const admin = await issueClientCertificate(ca, adminIdentity, { now: t });
  const seen: Array<{ authorized: boolean; subject: unknown }> = [];
  const server: Server = createServer({ cert: serving.certPem, key: serving.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      seen.push({ authorized: socket.authorized, subject: { ...socket.getPeerCertificate().subject } });
      res.end('ok');
    });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    const get = (opts: { cert?: string; key?: string; ca?: string; servername?: string }): Promise<{ body: string; peer: ReturnType<TLSSocket['getPeerCertificate']> }> =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/healthz', agent: false, ...opts }, (res) => {
          const peer = (res.socket as TLSSocket).getPeerCertificate();
          let body = '';
          res.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => resolve({ body, peer }));
        });
        req.on('error', reject).end();
      });
    const r = await get({ ca: ca.certPem, cert: admin.certPem, key: admin.keyPem });
    assert.equal(r.body, 'ok');
    assert.equal(r.peer.subject.CN, 'kube-apiserver');
    assert.deepEqual(seen.pop(), { authorized: true, subject: { O: 'system:masters', CN: 'system:admin' } });

    await get({ ca: ca.certPem, servername: 'kubernetes.default.svc' });
    assert.equal(seen.pop()?.authorized, false, 'no client certificate');

    const stranger = await createClusterCa({ now: t });
    await assert.rejects(get({ ca: stranger.certPem }), /self-signed|unable to verify|unknown/i);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
