import { test } from 'node:test';
import assert from 'node:assert/strict';
import { secretsEncryption } from './encryption.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

test('secrets are sealed with AES-GCM under the upstream envelope; other keys pass through', () => {
  const t = secretsEncryption('token-a');
  const key = '/registry/core/secrets/default/s';
  const plain = enc.encode('{"data":{"password":"c2VjcmV0"}}');
  const sealed = t.toStorage(key, plain);
  assert.ok(dec.decode(sealed).startsWith('k8s:enc:aesgcm:v1:token-derived:'));
  assert.ok(!dec.decode(sealed).includes('c2VjcmV0'));
  assert.equal(dec.decode(t.fromStorage(key, sealed)), dec.decode(plain));
  assert.equal(t.toStorage('/registry/core/configmaps/default/c', plain), plain);
  assert.equal(dec.decode(t.fromStorage(key, plain)), dec.decode(plain), 'plain values written before encryption are read');
});

test('a wrong token or a moved value cannot be decrypted', () => {
  const key = '/registry/core/secrets/default/s';
  const sealed = secretsEncryption('token-a').toStorage(key, enc.encode('{}'));
  assert.throws(() => secretsEncryption('token-b').fromStorage(key, sealed), /wrong cluster token/);
  assert.throws(() => secretsEncryption('token-a').fromStorage('/registry/core/secrets/default/other', sealed), /cannot decrypt/);
});
