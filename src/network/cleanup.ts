import { rm } from 'node:fs/promises';
import type { Exec } from './exec.js';
import { linkExists, removeHostGuards } from './host-guards.js';
import { podBridge } from './cni-config.js';

export interface NetworkCleanupOptions {
  /** host-local's state directory, when the conflist put it under the data dir. */
  ipamDataDir?: string;
  /** The CNI bridge; default `k8ts0`. Remove only after every pod sandbox is gone. */
  bridge?: string;
}

/**
 * Removes every route and interface k8ts added to the node's network: routes tagged proto 147
 * (service sink, unreachable guard, peer pod CIDRs), the sink bridge, the CNI pod bridge, and
 * host-local's address records. Sysctls are left as they are (ip_forward is commonly needed
 * by other software too).
 */
export async function cleanupNetwork(exec: Exec, opts: NetworkCleanupOptions = {}, signal?: AbortSignal): Promise<void> {
  await removeHostGuards(exec, signal);
  const bridge = opts.bridge ?? podBridge;
  if (await linkExists(exec, bridge, signal)) await exec('ip', ['link', 'del', bridge], { signal });
  if (opts.ipamDataDir) await rm(opts.ipamDataDir, { recursive: true, force: true });
}
