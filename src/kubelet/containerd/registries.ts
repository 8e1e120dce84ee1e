/**
 * k3s-format registries.yaml → containerd's registry hosts directory (`certs.d/<host>/hosts.toml`).
 *
 *   mirrors:  { "docker.io": { endpoint: ["http://127.0.0.1:5000"] } }
 *   configs:  { "127.0.0.1:5000": { tls: { insecure_skip_verify: true }, auth: { username, password } } }
 *
 * Mirrors become `[host."<endpoint>"]` entries tried in order before the upstream `server`;
 * TLS settings of a host apply wherever that host appears. Credentials cannot live in hosts.toml
 * (containerd 1.6), so they are returned for the CRI plugin's `registry.configs` in config.toml.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { tomlString } from './config.js';

export interface RegistryAuth { username?: string; password?: string; auth?: string; identityToken?: string }
export interface RegistryTLS { insecureSkipVerify?: boolean; caFile?: string; certFile?: string; keyFile?: string }
export interface RegistriesConfig {
  mirrors: Record<string, { endpoints: string[] }>;
  configs: Record<string, { tls?: RegistryTLS; auth?: RegistryAuth }>;
}

function record(v: unknown, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`registries: ${what} must be a mapping`);
  return v as Record<string, unknown>;
}
function optString(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new Error(`registries: ${what} must be a string`);
  return v;
}

/** Parses and checks registries.yaml text (k3s field names). */
export function parseRegistries(text: string): RegistriesConfig {
  const doc = record(parse(text), 'the document');
  const out: RegistriesConfig = { mirrors: {}, configs: {} };
  for (const [host, m] of Object.entries(record(doc.mirrors, 'mirrors'))) {
    const endpoint = record(m, `mirrors.${host}`).endpoint ?? [];
    if (!Array.isArray(endpoint) || endpoint.some((e) => typeof e !== 'string')) {
      throw new Error(`registries: mirrors.${host}.endpoint must be a list of URLs`);
    }
    for (const e of endpoint as string[]) {
      const url = new URL(e.includes('://') ? e : `https://${e}`);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`registries: mirrors.${host}.endpoint: ${e}: not http(s)`);
    }
    out.mirrors[host] = { endpoints: (endpoint as string[]).map((e) => (e.includes('://') ? e : `https://${e}`).replace(/\/+$/, '')) };
  }
  for (const [host, c] of Object.entries(record(doc.configs, 'configs'))) {
    const cfg = record(c, `configs.${host}`);
    const entry: { tls?: RegistryTLS; auth?: RegistryAuth } = {};
    if (cfg.tls !== undefined) {
      const t = record(cfg.tls, `configs.${host}.tls`);
      const skip = t.insecure_skip_verify;
      if (skip !== undefined && typeof skip !== 'boolean') throw new Error(`registries: configs.${host}.tls.insecure_skip_verify must be a boolean`);
      entry.tls = {
        insecureSkipVerify: skip as boolean | undefined,
        caFile: optString(t.ca_file, `configs.${host}.tls.ca_file`),
        certFile: optString(t.cert_file, `configs.${host}.tls.cert_file`),
        keyFile: optString(t.key_file, `configs.${host}.tls.key_file`),
      };
    }
    if (cfg.auth !== undefined) {
      const a = record(cfg.auth, `configs.${host}.auth`);
      entry.auth = {
        username: optString(a.username, `configs.${host}.auth.username`),
        password: optString(a.password, `configs.${host}.auth.password`),
        auth: optString(a.auth, `configs.${host}.auth.auth`),
        identityToken: optString(a.identity_token, `configs.${host}.auth.identity_token`),
      };
    }
    out.configs[host] = entry;
  }
  return out;
}

/** containerd's directory name for a registry host ("*" is its `_default`). */
export function hostsDirName(host: string): string {
  return host === '*' ? '_default' : host;
}

/** The upstream a registry name resolves to when no mirror answers. */
export function upstreamServer(host: string): string | undefined {
  if (host === '*') return undefined;
  if (host === 'docker.io') return 'https://registry-1.docker.io';
  return `https://${host}`;
}

function tlsLines(tls: RegistryTLS | undefined): string[] {
  if (!tls) return [];
  const lines: string[] = [];
  if (tls.insecureSkipVerify) lines.push('  skip_verify = true');
  if (tls.caFile) lines.push(`  ca = ${tomlString(tls.caFile)}`);
  if (tls.certFile && tls.keyFile) lines.push(`  client = [[${tomlString(tls.certFile)}, ${tomlString(tls.keyFile)}]]`);
  return lines;
}

/** hosts.toml text for every registry host the config mentions, by directory name. */
export function renderHostsFiles(cfg: RegistriesConfig): Map<string, string> {
  const files = new Map<string, string>();
  const hosts = new Set([...Object.keys(cfg.mirrors), ...Object.keys(cfg.configs)]);
  for (const host of [...hosts].sort()) {
    const lines = ['# Generated by k8ts from registries.yaml.'];
    const server = upstreamServer(host);
    if (server) lines.push(`server = ${tomlString(server)}`);
    // A top-level TLS setting applies to the upstream server itself.
    lines.push(...tlsLines(cfg.configs[host]?.tls).map((l) => l.trimStart()));
    for (const endpoint of cfg.mirrors[host]?.endpoints ?? []) {
      const endpointHost = new URL(endpoint).host;
      lines.push('', `[host.${tomlString(endpoint)}]`, '  capabilities = ["pull", "resolve"]');
      lines.push(...tlsLines(cfg.configs[endpointHost]?.tls));
    }
    files.set(hostsDirName(host), lines.join('\n') + '\n');
  }
  return files;
}

/** Credentials by registry host, for containerd's config.toml. */
export function registryAuth(cfg: RegistriesConfig): Record<string, RegistryAuth> {
  const out: Record<string, RegistryAuth> = {};
  for (const [host, c] of Object.entries(cfg.configs)) if (c.auth) out[host] = c.auth;
  return out;
}

/** Reads registries.yaml; a missing file is an empty configuration. */
export async function readRegistries(file: string): Promise<RegistriesConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { mirrors: {}, configs: {} };
    throw new Error(`reading ${file}`, { cause: err });
  }
  try {
    return parseRegistries(text);
  } catch (err) {
    throw new Error(`parsing ${file}`, { cause: err });
  }
}

/** Replaces the contents of containerd's hosts directory with the given configuration. */
export async function writeHostsFiles(certsDir: string, cfg: RegistriesConfig): Promise<void> {
  await mkdir(certsDir, { recursive: true });
  const files = renderHostsFiles(cfg);
  for (const name of await readdir(certsDir)) {
    if (!files.has(name)) await rm(join(certsDir, name), { recursive: true, force: true });
  }
  for (const [name, text] of files) {
    await mkdir(join(certsDir, name), { recursive: true });
    await writeFile(join(certsDir, name, 'hosts.toml'), text);
  }
}
