/**
 * The CNI network for a node's pod CIDR: bridge + host-local IPAM (state under the agent's data
 * dir) + portmap, from Debian's containernetworking-plugins. No loopback entry: containerd's CRI
 * plugin sets up `lo` itself (its own loopback network), so one would only cost a plugin run per
 * pod start and stop. Written into the conf dir containerd watches once the node has its podCIDR.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const cniConflistName = '10-k8ts.conflist';
export const defaultCniBridge = 'cni0';

export interface CniConflistOptions {
  podCIDR: string;
  bridge?: string;
  /** host-local's state directory. */
  ipamDir: string;
  mtu?: number;
}

export function renderCniConflist(o: CniConflistOptions): string {
  const bridge = o.bridge ?? defaultCniBridge;
  return JSON.stringify({
    cniVersion: '1.0.0',
    name: 'k8ts',
    plugins: [
      {
        type: 'bridge', bridge, isGateway: true, ipMasq: false, hairpinMode: true, ...(o.mtu ? { mtu: o.mtu } : {}),
        ipam: { type: 'host-local', dataDir: o.ipamDir, ranges: [[{ subnet: o.podCIDR }]], routes: [{ dst: '0.0.0.0/0' }] },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  }, null, 2) + '\n';
}

/** Writes the conflist atomically when its content differs; returns whether it changed. */
export async function writeCniConflist(confDir: string, o: CniConflistOptions): Promise<boolean> {
  const path = join(confDir, cniConflistName);
  const text = renderCniConflist(o);
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === text) return false;
  await mkdir(confDir, { recursive: true });
  await mkdir(o.ipamDir, { recursive: true });
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
  return true;
}

/** The bridge a written conflist names (for cleanup). */
export async function readCniBridge(confDir: string): Promise<string | undefined> {
  try {
    const conf = JSON.parse(await readFile(join(confDir, cniConflistName), 'utf8')) as { plugins?: { type?: string; bridge?: string }[] };
    return conf.plugins?.find((p) => p.type === 'bridge')?.bridge ?? defaultCniBridge;
  } catch {
    return undefined; // never written
  }
}
