import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { FakeClock } from '../../base/index.js';
import { isStatusError } from '../../api/errors.js';
import type { UserInfo } from '../context.js';
import {
  adminIdentity, createClusterCa, exportKeyPairPem, formatJoinToken, generateKeyPair, issueClientCertificate,
  issueServingCertificate, nodeIdentity, type CertKeyPair,
} from '../pki/index.js';
import { createAuthenticator, subjectAttributes, type AuthnRequest } from './authenticator.js';
import { issueServiceAccountToken } from './service-account-token.js';

const start = Date.parse('2025-06-01T00:00:00Z');
const issuer = 'https://kubernetes.default.svc.cluster.local';

async function fixture() {
  const clock = new FakeClock(start);
  const ca = await createClusterCa({ now: start });
  const sa = await exportKeyPairPem(await generateKeyPair());
  const auth = createAuthenticator({
    caCertPem: ca.certPem,
    clock,
    staticTokens: [
      { token: 'admin-token-123', user: { username: 'admin', groups: ['system:masters'] } },
      { token: formatJoinToken(ca.certPem, 'join-secret', 'node'), user: { username: 'node', groups: ['k8ts:agents'] } },
    ],
    serviceAccounts: { publicKeysPem: [sa.publicKeyPem], issuers: [issuer] },
  });
  return { clock, ca, sa, auth };
}

const withCert = (c: CertKeyPair | undefined, headers: AuthnRequest['headers'] = {}): AuthnRequest => ({
  headers,
  socket: { getPeerCertificate: () => (c ? { raw: new X509Certificate(c.certPem).raw } : {}) },
});
const bearer = (token: string): AuthnRequest => ({ headers: { authorization: `Bearer ${token}` }, socket: {} });

async function rejects401(p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (e: unknown) => isStatusError(e) && e.code === 401 && e.reason === 'Unauthorized');
}

test('no credentials is anonymous: undefined', async () => {
  const { auth } = await fixture();
  assert.equal(await auth.authenticate({ headers: {}, socket: {} }), undefined);
  assert.equal(await auth.authenticate(withCert(undefined)), undefined);
  assert.equal(await auth.authenticate({ headers: { authorization: 'Basic YWRtaW46YWRtaW4=' }, socket: {} }), undefined);
});

test('static bearer tokens: the admin token and join tokens in either k3s form', async () => {
  const { auth, ca } = await fixture();
  assert.deepEqual(await auth.authenticate(bearer('admin-token-123')), { username: 'admin', groups: ['system:masters', 'system:authenticated'] });
  const agent: UserInfo = { username: 'node', groups: ['k8ts:agents', 'system:authenticated'] };
  assert.deepEqual(await auth.authenticate(bearer('join-secret')), agent);
  assert.deepEqual(await auth.authenticate(bearer(formatJoinToken(ca.certPem, 'join-secret', 'node'))), agent);
  const other = await createClusterCa({ now: start });
  await rejects401(auth.authenticate(bearer(formatJoinToken(other.certPem, 'join-secret', 'node'))));
  await rejects401(auth.authenticate(bearer('admin-token-124')));
  assert.equal(await auth.authenticateToken('nope'), undefined);
  // The WebSocket subprotocol form client-go uses for exec/attach.
  const ws = `base64url.bearer.authorization.k8s.io.${Buffer.from('admin-token-123').toString('base64url')}`;
  assert.equal((await auth.authenticate({ headers: { 'sec-websocket-protocol': `v5.channel.k8s.io, ${ws}` }, socket: {} }))?.username, 'admin');
});

test('client certificates signed by the CA: CN is the user, O the groups', async () => {
  const { auth, ca } = await fixture();
  const admin = await issueClientCertificate(ca, adminIdentity, { now: start });
  assert.deepEqual(await auth.authenticate(withCert(admin)), { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] });
  const node = await issueClientCertificate(ca, nodeIdentity('node-a'), { now: start });
  assert.deepEqual(await auth.authenticate(withCert(node)), { username: 'system:node:node-a', groups: ['system:nodes', 'system:authenticated'] });
  const odd = await issueClientCertificate(ca, { commonName: 'a,b "c"+d', organizations: ['x=y', 'z'] }, { now: start });
  assert.deepEqual(await auth.authenticate(withCert(odd)), { username: 'a,b "c"+d', groups: ['x=y', 'z', 'system:authenticated'] });
});

test('client certificates that do not verify are 401, unless a valid token comes with them', async () => {
  const { auth, ca, clock } = await fixture();
  const stranger = await createClusterCa({ now: start });
  const foreign = await issueClientCertificate(stranger, adminIdentity, { now: start });
  await rejects401(auth.authenticate(withCert(foreign)));
  assert.equal((await auth.authenticate(withCert(foreign, { authorization: 'Bearer admin-token-123' })))?.username, 'admin');
  const serving = await issueServingCertificate(ca, {}, { now: start });
  await rejects401(auth.authenticate(withCert(serving)));
  const admin = await issueClientCertificate(ca, adminIdentity, { now: start });
  clock.advance(366 * 24 * 3600 * 1000);
  await rejects401(auth.authenticate(withCert(admin)));
});

test('service-account tokens: signed by the SA key, bound, checked for expiry and audience', async () => {
  const { auth, sa, clock } = await fixture();
  const { token, expirationTimestamp } = issueServiceAccountToken({
    privateKeyPem: sa.privateKeyPem, issuer, namespace: 'team-a', name: 'builder', uid: 'sa-uid',
    audiences: [issuer], expirationSeconds: 3600, now: clock.now(),
    boundObject: { kind: 'Pod', name: 'web-1', uid: 'pod-uid' }, node: { name: 'node-a', uid: 'node-uid' },
  });
  assert.equal(expirationTimestamp, start + 3600_000);
  const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
  assert.equal(header.alg, 'ES256');
  const user = await auth.authenticate(bearer(token));
  assert.equal(user?.username, 'system:serviceaccount:team-a:builder');
  assert.equal(user?.uid, 'sa-uid');
  assert.deepEqual(user?.groups, ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated']);
  assert.deepEqual(user?.extra?.['authentication.kubernetes.io/pod-name'], ['web-1']);
  assert.deepEqual(user?.extra?.['authentication.kubernetes.io/node-name'], ['node-a']);
  assert.match(user?.extra?.['authentication.kubernetes.io/credential-id']?.[0] ?? '', /^JTI=[0-9a-f-]{36}$/);

  // TokenReview with its own audiences.
  assert.equal(await auth.authenticateToken(token, ['vault']), undefined);
  const vault = issueServiceAccountToken({ privateKeyPem: sa.privateKeyPem, issuer, namespace: 'team-a', name: 'builder', uid: 'sa-uid',
    audiences: ['vault'], expirationSeconds: 600, now: clock.now() });
  assert.equal((await auth.authenticateToken(vault.token, ['vault']))?.username, 'system:serviceaccount:team-a:builder');
  await rejects401(auth.authenticate(bearer(vault.token)));

  // Tampering, another key, expiry.
  const [h, c, s] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(c, 'base64url').toString());
  claims.sub = 'system:serviceaccount:kube-system:admin';
  await rejects401(auth.authenticate(bearer(`${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`)));
  const otherKey = await exportKeyPairPem(await generateKeyPair());
  const forged = issueServiceAccountToken({ privateKeyPem: otherKey.privateKeyPem, issuer, namespace: 'team-a', name: 'builder', uid: 'sa-uid',
    audiences: [issuer], expirationSeconds: 3600, now: clock.now() });
  await rejects401(auth.authenticate(bearer(forged.token)));
  clock.advance(3600_000 + 61_000);
  await rejects401(auth.authenticate(bearer(token)));
});

test('isStillValid can revoke tokens whose service account is gone', async () => {
  const ca = await createClusterCa({ now: start });
  const sa = await exportKeyPairPem(await generateKeyPair());
  const auth = createAuthenticator({
    caCertPem: ca.certPem, clock: new FakeClock(start),
    serviceAccounts: { publicKeysPem: [sa.publicKeyPem], issuers: [issuer], isStillValid: async (c) => c['kubernetes.io'].serviceaccount.uid === 'live' },
  });
  const mint = (uid: string): string => issueServiceAccountToken({ privateKeyPem: sa.privateKeyPem, issuer, namespace: 'd', name: 'n', uid,
    audiences: [issuer], expirationSeconds: 600, now: start }).token;
  assert.equal((await auth.authenticateToken(mint('live')))?.uid, 'live');
  assert.equal(await auth.authenticateToken(mint('deleted')), undefined);
});

test('subjectAttributes undoes Node\'s escaping', () => {
  assert.deepEqual(subjectAttributes('O=g1\nO=g=2\nCN=we\\,ird \\"name\\"\\\\x\\+y=z'),
    [['O', 'g1'], ['O', 'g=2'], ['CN', 'we,ird "name"\\x+y=z']]);
});

test('over real TLS: the handshake\'s client certificate authenticates the request', async () => {
  const now = Date.now();
  const ca = await createClusterCa({ now });
  const serving = await issueServingCertificate(ca, {}, { now });
  const admin = await issueClientCertificate(ca, adminIdentity, { now });
  const auth = createAuthenticator({ caCertPem: ca.certPem });
  const users: Array<UserInfo | undefined> = [];
  const server = createServer({ cert: serving.certPem, key: serving.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    auth.authenticate({ headers: req.headers, socket: req.socket as TLSSocket }).then((u) => { users.push(u); res.end(); },
      (e: unknown) => { users.push({ username: `error ${String(e)}`, groups: [] }); res.end(); });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const get = (opts: object): Promise<void> => new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, agent: false, ca: ca.certPem, ...opts }, (res) => {
      res.resume().on('end', resolve);
    }).on('error', reject).end();
  });
  try {
    await get({ cert: admin.certPem, key: admin.keyPem });
    await get({});
    assert.deepEqual(users, [{ username: 'system:admin', groups: ['system:masters', 'system:authenticated'] }, undefined]);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
