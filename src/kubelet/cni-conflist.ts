/**
 * The node's CNI network on disk: the conflist of src/network/cni-config.ts (bridge + host-local
 * IPAM with its state under the agent's data dir + portmap) written into the conf dir containerd
 * watches, once the node has its podCIDR. This file only does the I/O and the kubelet's default
 * bridge name; what the conflist says lives in one place, cni-config.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cniConfFileName, cniConfListJson } from '../network/cni-config.js';

/** The bridge the agent's pods use when none is configured. */
export const defaultCniBridge = 'cni0';

export interface CniConflistOptions {
  podCIDR: string;
  bridge?: string;
  /** host-local's state directory. */
  ipamDir: string;
  mtu?: number;
}

export function renderCniConflist(o: CniConflistOptions): string {
  return cniConfListJson({ podCidr: o.podCIDR, bridge: o.bridge ?? defaultCniBridge, ipamDataDir: o.ipamDir, ...(o.mtu ? { mtu: o.mtu } : {}) });
}

/** Writes the conflist atomically when its content differs; returns whether it changed. */
export async function writeCniConflist(confDir: string, o: CniConflistOptions): Promise<boolean> {
  const path = join(confDir, cniConfFileName);
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
    const conf = JSON.parse(await readFile(join(confDir, cniConfFileName), 'utf8')) as { plugins?: { type?: string; bridge?: string }[] };
    return conf.plugins?.find((p) => p.type === 'bridge')?.bridge ?? defaultCniBridge;
  } catch {
    return undefined; // never written
  }
}
