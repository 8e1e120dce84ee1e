import { dirname } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { CertKeyPair } from './certificates.js';
import { writeFileAtomic } from './cluster-pki.js';

export interface KubeconfigParams {
  /** e.g. https://127.0.0.1:6443 */
  server: string;
  caCertPem: string;
  /** Client certificate credentials … */
  client?: CertKeyPair;
  /** … or a bearer token. */
  token?: string;
  /** Names of the cluster, user and context (k3s uses "default" for all three). */
  name?: string;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A kubeconfig document (v1 Config) for one cluster, one user and one current context. */
export function renderKubeconfig(p: KubeconfigParams): string {
  const name = p.name ?? 'default';
  const user: Record<string, string> = {};
  if (p.client) {
    user['client-certificate-data'] = b64(p.client.certPem);
    user['client-key-data'] = b64(p.client.keyPem);
  }
  if (p.token) user['token'] = p.token;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { 'certificate-authority-data': b64(p.caCertPem), server: p.server } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
    users: [{ name, user }],
  });
}

/** Writes the admin kubeconfig (`server: https://127.0.0.1:<port>`) atomically with mode 0600. */
export async function writeAdminKubeconfig(path: string, p: { port: number; caCertPem: string; admin: CertKeyPair; host?: string }): Promise<void> {
  const host = p.host ?? '127.0.0.1';
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${p.port}`;
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, renderKubeconfig({ server, caCertPem: p.caCertPem, client: p.admin }), 0o600);
}
