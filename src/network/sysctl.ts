import type { Exec } from './exec.js';
import { ExecError } from './exec.js';

export interface SysctlOptions {
  /** Set net.ipv4.conf.all.route_localnet=1 (NodePorts on 127.0.0.1). */
  routeLocalnet?: boolean;
}

export interface SysctlResult {
  set: string[];
  /** Keys this kernel (or namespace) lacks, e.g. bridge-nf-call-iptables without br_netfilter. */
  missing: string[];
}

/** The sysctls a node needs: forwarding, bridged traffic through iptables, and optionally route_localnet. Pure. */
export function nodeSysctls(opts: SysctlOptions = {}): { key: string; value: string; required: boolean }[] {
  return [
    { key: 'net.ipv4.ip_forward', value: '1', required: true },
    { key: 'net.bridge.bridge-nf-call-iptables', value: '1', required: false },
    ...(opts.routeLocalnet ? [{ key: 'net.ipv4.conf.all.route_localnet', value: '1', required: true }] : []),
  ];
}

/**
 * Sets the node's sysctls through `sysctl -w` (so an Exec bound to a network namespace sets
 * that namespace's values). An optional key the kernel lacks is reported, not fatal.
 */
export async function ensureSysctls(exec: Exec, opts: SysctlOptions = {}, signal?: AbortSignal): Promise<SysctlResult> {
  const result: SysctlResult = { set: [], missing: [] };
  for (const s of nodeSysctls(opts)) {
    try {
      const { stdout } = await exec('sysctl', ['-n', s.key], { signal });
      if (stdout.trim() !== s.value) await exec('sysctl', ['-w', `${s.key}=${s.value}`], { signal });
      result.set.push(s.key);
    } catch (err) {
      if (!s.required && err instanceof ExecError) { result.missing.push(s.key); continue; }
      throw new Error(`setting ${s.key}=${s.value}`, { cause: err });
    }
  }
  return result;
}
