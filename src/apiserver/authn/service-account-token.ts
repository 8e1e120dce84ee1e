import { createHash, createPrivateKey, createPublicKey, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import type { UserInfo } from '../context.js';

/**
 * Bound service-account tokens: JWTs signed with the cluster's service-account key (ES256 for the P-256
 * key k8ts generates, RS256 for an RSA key), carrying the claims kube-apiserver puts in them.
 */

/** The object a token is bound to (TokenRequest.spec.boundObjectRef), resolved to its uid. */
export interface BoundObject {
  kind: 'Pod' | 'Secret' | 'Node';
  name: string;
  uid: string;
}

export interface IssueServiceAccountTokenParams {
  privateKeyPem: string;
  /** The `iss` claim, e.g. https://kubernetes.default.svc.cluster.local */
  issuer: string;
  namespace: string;
  name: string;
  /** The ServiceAccount's metadata.uid */
  uid: string;
  audiences: readonly string[];
  expirationSeconds: number;
  /** Milliseconds since the epoch (from the Clock). */
  now: number;
  boundObject?: BoundObject;
  /** For a Pod-bound token: the node the pod runs on. */
  node?: { name: string; uid: string };
}

export interface IssuedToken {
  token: string;
  /** Milliseconds since the epoch. */
  expirationTimestamp: number;
}

/** The claims of a bound service-account token. */
export interface ServiceAccountClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti?: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
    secret?: { name: string; uid: string };
    node?: { name: string; uid: string };
  };
}

const b64url = (data: Uint8Array | string): string => Buffer.from(data).toString('base64url');

/** kube-apiserver's key id: base64url(SHA-256(DER SubjectPublicKeyInfo)). */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return b64url(createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest());
}

function algorithmOf(key: KeyObject): 'ES256' | 'RS256' {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  throw new Error(`unsupported service-account key type ${key.asymmetricKeyType ?? '?'} (want ECDSA P-256 or RSA)`);
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** Signs a bound service-account token, as kube-apiserver does for TokenRequest and projected volumes. */
export function issueServiceAccountToken(p: IssueServiceAccountTokenParams): IssuedToken {
  const key = createPrivateKey(p.privateKeyPem);
  const alg = algorithmOf(key);
  const iat = Math.floor(p.now / 1000);
  const exp = iat + p.expirationSeconds;
  const k8s: ServiceAccountClaims['kubernetes.io'] = { namespace: p.namespace, serviceaccount: { name: p.name, uid: p.uid } };
  if (p.boundObject?.kind === 'Pod') {
    k8s.pod = { name: p.boundObject.name, uid: p.boundObject.uid };
    if (p.node) k8s.node = { ...p.node };
  } else if (p.boundObject?.kind === 'Secret') {
    k8s.secret = { name: p.boundObject.name, uid: p.boundObject.uid };
  } else if (p.boundObject?.kind === 'Node') {
    k8s.node = { name: p.boundObject.name, uid: p.boundObject.uid };
  }
  const claims: ServiceAccountClaims = {
    aud: [...p.audiences], exp, iat, iss: p.issuer, jti: randomUUID(), 'kubernetes.io': k8s, nbf: iat,
    sub: serviceAccountUsername(p.namespace, p.name),
  };
  const signingInput = `${b64url(JSON.stringify({ alg, kid: keyIdOf(key) }))}.${b64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(signingInput), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return { token: `${signingInput}.${b64url(signature)}`, expirationTimestamp: exp * 1000 };
}

export interface ServiceAccountTokenVerifier {
  /** PEM public (or private) keys whose tokens are accepted; several while keys rotate. */
  publicKeysPem: readonly string[];
  /** Accepted `iss` values. */
  issuers: readonly string[];
  /** The API server's audiences; a token must name at least one (default: the issuers). */
  audiences?: readonly string[];
}

/** go-jose's default leeway when checking exp and nbf. */
const leewaySeconds = 60;

function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

function parseJson(part: string): unknown {
  try { return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')); } catch { return undefined; }
}

/** The verified claims, or a reason the token is not a valid service-account token. */
export function verifyServiceAccountToken(
  token: string, v: ServiceAccountTokenVerifier, now: number, audiences?: readonly string[],
): { claims: ServiceAccountClaims } | { error: string } {
  if (!looksLikeJwt(token)) return { error: 'not a JWT' };
  const [h, c, s] = token.split('.') as [string, string, string];
  const header = parseJson(h) as { alg?: string; kid?: string } | undefined;
  if (!header || (header.alg !== 'ES256' && header.alg !== 'RS256')) return { error: `unsupported JWT alg ${String(header?.alg)}` };
  const keys = v.publicKeysPem.map((pem) => createPublicKey(pem)).filter((k) => algorithmOf(k) === header.alg);
  const candidates = header.kid ? keys.filter((k) => keyIdOf(k) === header.kid) : keys;
  const data = Buffer.from(`${h}.${c}`);
  const signature = Buffer.from(s, 'base64url');
  const ok = candidates.some((key) => verify('sha256', data, header.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, signature));
  if (!ok) return { error: 'invalid signature' };

  const claims = parseJson(c) as Partial<ServiceAccountClaims> | undefined;
  if (!claims || typeof claims !== 'object') return { error: 'malformed claims' };
  if (!claims.iss || !v.issuers.includes(claims.iss)) return { error: `unexpected issuer ${String(claims.iss)}` };
  const seconds = Math.floor(now / 1000);
  if (typeof claims.exp !== 'number' || claims.exp + leewaySeconds < seconds) return { error: 'token has expired' };
  if (typeof claims.nbf === 'number' && claims.nbf - leewaySeconds > seconds) return { error: 'token is not valid yet' };
  const tokenAudiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud ?? [];
  const wanted = audiences && audiences.length ? audiences : v.audiences ?? v.issuers;
  if (!tokenAudiences.some((a) => wanted.includes(a))) return { error: 'token audiences do not match' };
  const k8s = claims['kubernetes.io'];
  if (!k8s?.namespace || !k8s.serviceaccount?.name || !k8s.serviceaccount.uid) return { error: 'missing kubernetes.io claims' };
  if (claims.sub !== serviceAccountUsername(k8s.namespace, k8s.serviceaccount.name)) return { error: 'sub does not match the service account' };
  return { claims: { ...claims, aud: tokenAudiences } as ServiceAccountClaims };
}

/** The user a service-account token authenticates as (groups without system:authenticated). */
export function serviceAccountUser(claims: ServiceAccountClaims): UserInfo {
  const k8s = claims['kubernetes.io'];
  const extra: Record<string, string[]> = {};
  if (k8s.pod) {
    extra['authentication.kubernetes.io/pod-name'] = [k8s.pod.name];
    extra['authentication.kubernetes.io/pod-uid'] = [k8s.pod.uid];
  }
  if (k8s.node) {
    extra['authentication.kubernetes.io/node-name'] = [k8s.node.name];
    extra['authentication.kubernetes.io/node-uid'] = [k8s.node.uid];
  }
  if (claims.jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${claims.jti}`];
  const user: UserInfo = {
    username: claims.sub,
    uid: k8s.serviceaccount.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${k8s.namespace}`],
  };
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}
