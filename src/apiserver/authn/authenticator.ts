import { createHash, timingSafeEqual, X509Certificate } from 'node:crypto';
import { systemClock, type Clock } from '../../base/index.js';
import { unauthorized } from '../../api/errors.js';
import type { UserInfo } from '../context.js';
import { caCertHash, parseJoinToken } from '../pki/index.js';
import { serviceAccountUser, verifyServiceAccountToken, type ServiceAccountClaims, type ServiceAccountTokenVerifier } from './service-account-token.js';

/** The parts of an incoming request authentication reads (an http.IncomingMessage fits). */
export interface AuthnRequest {
  headers: Record<string, string | string[] | undefined>;
  socket: TlsPeer | object;
}

/** The parts of a tls.TLSSocket authentication reads. */
export interface TlsPeer {
  /** Node returns {} when the peer sent no certificate. */
  getPeerCertificate(detailed?: boolean): { raw?: Buffer } | object;
}

/** A bearer token accepted as-is: the admin token, agent/node join tokens. */
export interface StaticToken {
  /** The bare secret or k3s' secure form `K10<ca hash>::<user>:<secret>`; either form of the token matches. */
  token: string;
  user: UserInfo;
}

export interface AuthenticatorConfig {
  /** The cluster CA (PEM): client certificates must chain to it; pins the CA hash of K10 tokens. */
  caCertPem: string;
  staticTokens?: readonly StaticToken[];
  serviceAccounts?: ServiceAccountTokenVerifier & {
    /** Extra check, e.g. that the ServiceAccount (and bound pod) still exist with the token's uids. */
    isStillValid?(claims: ServiceAccountClaims): Promise<boolean>;
  };
  clock?: Clock;
}

export interface Authenticator {
  /**
   * The user behind a request: a verified client certificate, else a bearer token. Undefined when no
   * credentials were presented (anonymous); throws StatusError 401 Unauthorized when the presented
   * credentials are invalid.
   */
  authenticate(req: AuthnRequest): Promise<UserInfo | undefined>;
  /** A bearer token alone (TokenReview): undefined when it is not valid. `audiences` replace the server's. */
  authenticateToken(token: string, audiences?: readonly string[]): Promise<UserInfo | undefined>;
}

export const authenticatedGroup = 'system:authenticated';

const websocketBearerPrefix = 'base64url.bearer.authorization.k8s.io.';

function withAuthenticatedGroup(user: UserInfo): UserInfo {
  const groups = user.groups.includes(authenticatedGroup) ? [...user.groups] : [...user.groups, authenticatedGroup];
  const out: UserInfo = { username: user.username, groups };
  if (user.uid !== undefined) out.uid = user.uid;
  if (user.extra) out.extra = structuredClone(user.extra);
  return out;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

function header(req: AuthnRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The bearer token of a request: `Authorization: Bearer …`, or the WebSocket subprotocol form client-go uses. */
export function bearerToken(req: AuthnRequest): string | undefined {
  const auth = header(req, 'authorization');
  if (auth) {
    const m = /^bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const protocols = header(req, 'sec-websocket-protocol');
  for (const p of protocols?.split(',').map((s) => s.trim()) ?? []) {
    if (p.startsWith(websocketBearerPrefix)) return Buffer.from(p.slice(websocketBearerPrefix.length), 'base64url').toString('utf8');
  }
  return undefined;
}

/** The attributes of a subject as Node prints it (one `KEY=value` per line, RFC 4514 escapes). */
export function subjectAttributes(subject: string): Array<[string, string]> {
  return subject.split('\n').filter(Boolean).map((line) => {
    const eq = line.indexOf('=');
    const value = line.slice(eq + 1).replace(/\\(?:([0-9A-Fa-f]{2})|(.))/g,
      (_m, hex: string | undefined, ch: string | undefined) => (hex ? String.fromCharCode(parseInt(hex, 16)) : ch!));
    return [line.slice(0, eq), value];
  });
}

export function createAuthenticator(config: AuthenticatorConfig): Authenticator {
  const clock = config.clock ?? systemClock;
  const ca = new X509Certificate(config.caCertPem);
  const caHash = caCertHash(config.caCertPem);
  const tokens = (config.staticTokens ?? []).map((t) => ({ secret: digest(parseJoinToken(t.token).secret), user: t.user }));

  /**
   * A connection's peer certificate never changes: what it proves (its user, or nothing) is worked
   * out once per TLS socket, not parsed and verified again on every request; the validity window
   * is still checked each time.
   */
  const bySocket = new WeakMap<object, { user?: UserInfo; notBefore: number; notAfter: number }>();

  /** The certificate's user, undefined when none was presented; throws 401 when it does not verify. */
  function fromClientCertificate(req: AuthnRequest): UserInfo | undefined {
    const socket = req.socket as Partial<TlsPeer>;
    if (typeof socket.getPeerCertificate !== 'function') return undefined;
    let known = bySocket.get(socket);
    if (!known) {
      known = verifyPeer(socket as TlsPeer);
      bySocket.set(socket, known);
    }
    if (!known.user) return undefined;
    const now = clock.now();
    if (!(known.notBefore <= now && now <= known.notAfter)) throw unauthorized();
    return { username: known.user.username, groups: [...known.user.groups] };
  }

  function verifyPeer(socket: TlsPeer): { user?: UserInfo; notBefore: number; notAfter: number } {
    const peer = socket.getPeerCertificate(false) as { raw?: Buffer };
    if (!peer?.raw) return { notBefore: 0, notAfter: 0 };
    const cert = new X509Certificate(peer.raw);
    const verified = cert.checkIssued(ca) && cert.verify(ca.publicKey)
      && (cert.keyUsage === undefined || cert.keyUsage.includes('1.3.6.1.5.5.7.3.2'));
    const attributes = subjectAttributes(cert.subject);
    const cn = attributes.find(([k]) => k === 'CN')?.[1];
    // A certificate that does not verify (or names nobody) is refused on every request of the connection.
    if (!verified || !cn) return { user: { username: '', groups: [] }, notBefore: Infinity, notAfter: -Infinity };
    return {
      user: { username: cn, groups: attributes.filter(([k]) => k === 'O').map(([, v]) => v) },
      notBefore: Date.parse(cert.validFrom), notAfter: Date.parse(cert.validTo),
    };
  }

  function fromStaticToken(token: string): UserInfo | undefined {
    const parsed = parseJoinToken(token);
    if (parsed.caHash && parsed.caHash !== caHash) return undefined;
    const presented = digest(parsed.secret);
    return tokens.find((t) => timingSafeEqual(t.secret, presented))?.user;
  }

  async function fromServiceAccountToken(token: string, audiences?: readonly string[]): Promise<UserInfo | undefined> {
    const sa = config.serviceAccounts;
    if (!sa) return undefined;
    const result = verifyServiceAccountToken(token, sa, clock.now(), audiences);
    if ('error' in result) return undefined;
    if (sa.isStillValid && !(await sa.isStillValid(result.claims))) return undefined;
    return serviceAccountUser(result.claims);
  }

  async function authenticateToken(token: string, audiences?: readonly string[]): Promise<UserInfo | undefined> {
    const user = fromStaticToken(token) ?? await fromServiceAccountToken(token, audiences);
    return user && withAuthenticatedGroup(user);
  }

  async function authenticate(req: AuthnRequest): Promise<UserInfo | undefined> {
    let certError: unknown;
    try {
      const user = fromClientCertificate(req);
      if (user) return withAuthenticatedGroup(user);
    } catch (e) {
      certError = e; // a bad certificate still lets a valid bearer token through, as kube-apiserver's union does
    }
    const token = bearerToken(req);
    if (token !== undefined) {
      const user = await authenticateToken(token);
      if (user) return user;
      throw unauthorized();
    }
    if (certError) throw certError;
    return undefined;
  }

  return { authenticate, authenticateToken };
}
