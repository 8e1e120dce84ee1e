import { createHash } from 'node:crypto';

/**
 * A cluster token as k3s accepts it: either the bare secret, or the "secure" form
 * `K10<sha256 of the CA certificate PEM>::<username>:<secret>`, which also pins the CA.
 */
export interface JoinToken {
  secret: string;
  username?: string;
  /** Hex SHA-256 of the CA certificate file, when the token pins one. */
  caHash?: string;
}

const secureForm = /^K10([0-9a-f]{64})::([^:]+):(.+)$/;

export function parseJoinToken(token: string): JoinToken {
  const m = secureForm.exec(token.trim());
  if (!m) return { secret: token.trim() };
  return { caHash: m[1]!, username: m[2]!, secret: m[3]! };
}

export function caCertHash(caCertPem: string): string {
  return createHash('sha256').update(caCertPem).digest('hex');
}

/** The secure form of a token, `K10<ca hash>::<username>:<secret>`. */
export function formatJoinToken(caCertPem: string, secret: string, username = 'server'): string {
  return `K10${caCertHash(caCertPem)}::${username}:${secret}`;
}
