import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';

export type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** WebCrypto, passed explicitly to @peculiar/x509 (the library's global provider is never set). */
export const crypto: webcrypto.Crypto = webcrypto;

/** ECDSA over P-256 with SHA-256: fast to generate and sign, accepted by Go's crypto/tls and by Node. */
export const ecdsaP256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A key pair kept as PEM (PKCS#8 private key, SPKI public key). */
export interface PemKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return await crypto.subtle.generateKey(ecdsaP256, true, ['sign', 'verify']);
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export async function exportKeyPairPem(keys: CryptoKeyPair): Promise<PemKeyPair> {
  return {
    privateKeyPem: pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', keys.privateKey)),
    publicKeyPem: pem('PUBLIC KEY', await crypto.subtle.exportKey('spki', keys.publicKey)),
  };
}

/** Imports a PEM private key (PKCS#8, SEC1 "EC PRIVATE KEY" or PKCS#1 RSA) as a WebCrypto ECDSA P-256 signing pair. */
export async function importKeyPairPem(privateKeyPem: string): Promise<CryptoKeyPair> {
  const priv = createPrivateKey(privateKeyPem);
  if (priv.asymmetricKeyType !== 'ec' || priv.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`unsupported key: ${priv.asymmetricKeyType} ${priv.asymmetricKeyDetails?.namedCurve ?? ''} (k8ts uses ECDSA P-256)`);
  }
  const pkcs8 = priv.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(priv).export({ type: 'spki', format: 'der' });
  return {
    privateKey: await crypto.subtle.importKey('pkcs8', pkcs8, ecdsaP256, true, ['sign']),
    publicKey: await crypto.subtle.importKey('spki', spki, ecdsaP256, true, ['verify']),
  };
}

/** The public half of a PEM private key, as PEM. */
export function publicKeyPemOf(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
}
