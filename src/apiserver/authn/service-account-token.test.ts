import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { issueServiceAccountToken, keyIdOf, verifyServiceAccountToken } from './service-account-token.js';

const issuer = 'https://kubernetes.default.svc.cluster.local';
const now = Date.parse('2025-06-01T00:00:00Z');

function keys(type: 'rsa' | 'ec') {
  const k = type === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKeyPem: k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: k.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

test('RS256 and ES256 tokens carry kube-apiserver\'s header and claims and verify with the public key', () => {
  for (const type of ['rsa', 'ec'] as const) {
    const k = keys(type);
    const { token } = issueServiceAccountToken({ privateKeyPem: k.privateKeyPem, issuer, namespace: 'ns', name: 'sa', uid: 'u1',
      audiences: ['api'], expirationSeconds: 600, now, boundObject: { kind: 'Secret', name: 's', uid: 'u2' } });
    const [h, c] = token.split('.') as [string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    assert.deepEqual(header, { alg: type === 'rsa' ? 'RS256' : 'ES256', kid: keyIdOf(createPublicKey(k.publicKeyPem)) });
    const claims = JSON.parse(Buffer.from(c, 'base64url').toString());
    assert.equal(claims.sub, 'system:serviceaccount:ns:sa');
    assert.deepEqual(claims.aud, ['api']);
    assert.equal(claims.exp - claims.iat, 600);
    assert.deepEqual(claims['kubernetes.io'], { namespace: 'ns', serviceaccount: { name: 'sa', uid: 'u1' }, secret: { name: 's', uid: 'u2' } });
    const verifier = { publicKeysPem: [keys('ec').publicKeyPem, k.publicKeyPem], issuers: [issuer], audiences: ['api'] };
    const ok = verifyServiceAccountToken(token, verifier, now);
    assert.ok('claims' in ok, JSON.stringify(ok));
    assert.deepEqual(verifyServiceAccountToken(token, { ...verifier, issuers: ['other'] }, now), { error: `unexpected issuer ${issuer}` });
    assert.deepEqual(verifyServiceAccountToken(token, { ...verifier, audiences: ['x'] }, now), { error: 'token audiences do not match' });
    assert.deepEqual(verifyServiceAccountToken(token, verifier, now + 661_000), { error: 'token has expired' });
    assert.ok('claims' in verifyServiceAccountToken(token, verifier, now + 659_000), 'within the 60 s leeway');
    assert.deepEqual(verifyServiceAccountToken(token, { ...verifier, publicKeysPem: [keys(type).publicKeyPem] }, now), { error: 'invalid signature' });
  }
});

test('non-JWT and alg=none tokens are rejected', () => {
  const k = keys('ec');
  const v = { publicKeysPem: [k.publicKeyPem], issuers: [issuer] };
  assert.deepEqual(verifyServiceAccountToken('admin-token', v, now), { error: 'not a JWT' });
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
  assert.deepEqual(verifyServiceAccountToken(none, v, now), { error: 'unsupported JWT alg none' });
});
