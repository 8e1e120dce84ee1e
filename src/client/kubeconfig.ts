import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { RestConfig } from './rest-client.js';

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: { name: string; cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string; 'insecure-skip-tls-verify'?: boolean } }[];
  users?: { name: string; user: { 'client-certificate-data'?: string; 'client-key-data'?: string; 'client-certificate'?: string; 'client-key'?: string; token?: string } }[];
}

/** The current context of a kubeconfig file as REST client settings (inline data or file paths). */
export async function restConfigFromKubeconfig(path: string, context?: string): Promise<RestConfig> {
  let doc: KubeconfigFile;
  try {
    doc = parseYaml(await readFile(path, 'utf8')) as KubeconfigFile;
  } catch (err) {
    throw new Error(`reading kubeconfig ${path}`, { cause: err });
  }
  const ctxName = context ?? doc['current-context'];
  const ctx = doc.contexts?.find((c) => c.name === ctxName)?.context;
  const cluster = doc.clusters?.find((c) => c.name === ctx?.cluster)?.cluster ?? doc.clusters?.[0]?.cluster;
  const user = doc.users?.find((u) => u.name === ctx?.user)?.user ?? doc.users?.[0]?.user;
  if (!cluster?.server) throw new Error(`kubeconfig ${path}: no cluster server for context "${ctxName ?? ''}"`);
  const data = async (inline?: string, file?: string) => (inline ? Buffer.from(inline, 'base64') : file ? await readFile(file) : undefined);
  return {
    server: cluster.server,
    ca: await data(cluster['certificate-authority-data'], cluster['certificate-authority']),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    cert: await data(user?.['client-certificate-data'], user?.['client-certificate']),
    key: await data(user?.['client-key-data'], user?.['client-key']),
    token: user?.token,
  };
}
