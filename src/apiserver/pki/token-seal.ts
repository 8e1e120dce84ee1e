import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';

/**
 * Seals bootstrap secrets (CA key, service-account key) with a key derived from the cluster token, so
 * servers sharing a datastore and a token share them and nobody without the token can read them.
 * scrypt (N=2^14, r=8, p=1) → AES-256-GCM; the record name is bound in as additional data.
 * Format: JSON {"v":1,"kdf":"scrypt","n":16384,"r":8,"p":1,"salt":b64,"iv":b64,"data":b64(ciphertext‖tag)}.
 */
interface Sealed {
  v: 1;
  kdf: 'scrypt';
  n: number;
  r: number;
  p: number;
  salt: string;
  iv: string;
  data: string;
}

const params = { n: 1 << 14, r: 8, p: 1 };
const tagLength = 16;

/** Thrown when a sealed record cannot be opened with the given token. */
export class WrongTokenError extends Error {
  constructor(what: string, options?: { cause?: unknown }) {
    super(`${what} in the datastore is encrypted with a different token: start this server with the cluster's token`, options);
    this.name = 'WrongTokenError';
  }
}

function deriveKey(secret: string, salt: Buffer, p: { n: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, 32, { N: p.n, r: p.r, p: p.p, maxmem: 256 * p.n * p.r }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function sealWithToken(plaintext: Uint8Array, secret: string, name: string): Promise<Uint8Array> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await deriveKey(secret, salt, params);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagLength });
  cipher.setAAD(Buffer.from(name));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const sealed: Sealed = { v: 1, kdf: 'scrypt', ...params, salt: salt.toString('base64'), iv: iv.toString('base64'), data: data.toString('base64') };
  return Buffer.from(JSON.stringify(sealed));
}

export async function openWithToken(sealedBytes: Uint8Array, secret: string, name: string): Promise<Uint8Array> {
  let sealed: Sealed;
  try {
    sealed = JSON.parse(Buffer.from(sealedBytes).toString('utf8')) as Sealed;
  } catch (cause) {
    throw new Error(`${name} in the datastore is not a k8ts sealed record`, { cause });
  }
  if (sealed.v !== 1 || sealed.kdf !== 'scrypt') throw new Error(`${name} in the datastore has an unknown format (v=${String(sealed.v)})`);
  const key = await deriveKey(secret, Buffer.from(sealed.salt, 'base64'), sealed);
  const data = Buffer.from(sealed.data, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'), { authTagLength: tagLength });
  decipher.setAAD(Buffer.from(name));
  decipher.setAuthTag(data.subarray(data.length - tagLength));
  try {
    return Buffer.concat([decipher.update(data.subarray(0, data.length - tagLength)), decipher.final()]);
  } catch (cause) {
    throw new WrongTokenError(name, { cause });
  }
}
