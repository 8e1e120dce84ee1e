import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { ValueTransformer } from './registry/codec.js';

/** Upstream's envelope for AES-GCM encrypted values: `k8s:enc:aesgcm:v1:<key name>:` + nonce + sealed. */
const prefix = 'k8s:enc:aesgcm:v1:';
const keyName = 'token-derived';
const header = Buffer.from(`${prefix}${keyName}:`);

/** Resources whose values are encrypted at rest (kube-apiserver's usual EncryptionConfiguration). */
const encryptedPrefixes = ['/registry/core/secrets/'];

/**
 * Encryption at rest of Secrets with AES-256-GCM. The key is derived from the cluster token, so
 * every server that shares a datastore and a token reads what the others wrote; the storage key
 * is bound in as associated data, so a value cannot be moved to another key. Values written
 * before encryption (plain JSON) are still read.
 */
export function secretsEncryption(token: string): ValueTransformer {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(token), Buffer.from('k8ts secrets encryption'), Buffer.from('aes-256-gcm v1'), 32));
  const applies = (k: string) => encryptedPrefixes.some((p) => k.startsWith(p));
  return {
    toStorage(k, plain) {
      if (!applies(k)) return plain;
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(k));
      const sealed = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return Buffer.concat([header, nonce, sealed]);
    },
    fromStorage(k, stored) {
      const buf = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
      if (!buf.subarray(0, prefix.length).equals(Buffer.from(prefix))) return stored;
      if (!buf.subarray(0, header.length).equals(header)) throw new Error(`value of ${k} was encrypted with an unknown key`);
      const nonce = buf.subarray(header.length, header.length + 12);
      const body = buf.subarray(header.length + 12);
      const decipher = createDecipheriv('aes-256-gcm', key, nonce);
      decipher.setAAD(Buffer.from(k));
      decipher.setAuthTag(body.subarray(body.length - 16));
      try {
        return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
      } catch (err) {
        throw new Error(`cannot decrypt ${k}: wrong cluster token or corrupted value`, { cause: err });
      }
    },
  };
}
