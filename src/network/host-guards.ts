import type { Exec } from './exec.js';
import { ExecError } from './exec.js';
import { cidrContains, cidrsOverlap, formatCidr, parseCidr } from './cidr.js';

/** The empty bridge the service CIDR is routed to, and where node-local service IPs (cluster DNS) live. */
export const serviceSinkBridge = 'k8ts-svc0';
/**
 * The routing protocol number k8ts tags its routes with (`ip route … proto 147`), so that they
 * can be listed and flushed without touching anyone else's.
 */
export const routeProto = '147';

export interface HostGuardConfig {
  clusterCidr: string;
  serviceCidr: string;
  /** Service IPs the node answers itself (the cluster DNS address): bound to the sink bridge. */
  localServiceIPs?: readonly string[];
  /** The host's own resolvers (nameservers of /etc/resolv.conf): no cluster range may cover them. */
  resolvers?: readonly string[];
}

/**
 * Why these ranges are unsafe on a host that shares its network, or [] when they are fine:
 * a cluster range must not be /8 or wider, must not cover a host resolver, and the two must
 * not overlap. Pure.
 */
export function checkClusterRanges(cfg: HostGuardConfig): string[] {
  const problems: string[] = [];
  const ranges: [string, string][] = [['cluster CIDR', cfg.clusterCidr], ['service CIDR', cfg.serviceCidr]];
  const parsed = ranges.map(([what, text]) => {
    try { return parseCidr(text); } catch { problems.push(`${what} ${text} is not an IPv4 CIDR`); return undefined; }
  });
  parsed.forEach((c, i) => {
    if (!c) return;
    const what = ranges[i]![0];
    if (c.prefix <= 8) problems.push(`${what} ${formatCidr(c)} is /8 or wider: k8ts never routes or blackholes a whole /8 (the host's resolver lives in 10.255.0.0/16)`);
    for (const r of cfg.resolvers ?? []) if (!r.includes(':') && cidrContains(c, r)) problems.push(`${what} ${formatCidr(c)} covers the host resolver ${r}`);
  });
  if (parsed[0] && parsed[1] && cidrsOverlap(parsed[0], parsed[1])) problems.push(`cluster CIDR ${cfg.clusterCidr} overlaps service CIDR ${cfg.serviceCidr}`);
  for (const ip of cfg.localServiceIPs ?? []) if (parsed[1] && !cidrContains(parsed[1], ip)) problems.push(`local service IP ${ip} is outside the service CIDR ${cfg.serviceCidr}`);
  return problems;
}

/** The `ip` commands that install the guards; each is idempotent (`replace`). Pure. */
export function hostGuardCommands(cfg: HostGuardConfig): string[][] {
  const cluster = formatCidr(parseCidr(cfg.clusterCidr));
  const service = formatCidr(parseCidr(cfg.serviceCidr));
  return [
    ['link', 'set', serviceSinkBridge, 'up'],
    ...(cfg.localServiceIPs ?? []).map((ip) => ['addr', 'replace', `${ip}/32`, 'dev', serviceSinkBridge]),
    // Locally generated connections to a ClusterIP need a route before nat OUTPUT can DNAT them;
    // whatever is not DNATed ends on the empty bridge and never leaves the machine.
    ['route', 'replace', service, 'dev', serviceSinkBridge, 'proto', routeProto],
    // Pod CIDRs this node owns (the CNI bridge's connected route) and peers' (host-gw routes) are
    // more specific than this, so it covers exactly the cluster CIDR minus owned pod CIDRs.
    ['route', 'replace', 'unreachable', cluster, 'proto', routeProto],
  ];
}

/** True when the network interface exists. */
export async function linkExists(exec: Exec, name: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await exec('ip', ['link', 'show', 'dev', name], { signal });
    return true;
  } catch (err) {
    if (err instanceof ExecError) return false;
    throw err;
  }
}

/**
 * Installs the host guards: the sink bridge (up, no ports) holding the node-local service
 * IPs, the service CIDR routed to it, and an `unreachable` route over the cluster CIDR.
 * Refuses unsafe ranges before touching anything.
 */
export async function ensureHostGuards(cfg: HostGuardConfig, exec: Exec, signal?: AbortSignal): Promise<void> {
  const problems = checkClusterRanges(cfg);
  if (problems.length) throw new Error(`refusing to install host network guards: ${problems.join('; ')}`);
  if (!(await linkExists(exec, serviceSinkBridge, signal))) {
    await exec('ip', ['link', 'add', serviceSinkBridge, 'type', 'bridge'], { signal });
  }
  for (const args of hostGuardCommands(cfg)) await exec('ip', args, { signal });
}

/** One route k8ts installed, as `ip -j route show proto 147` lists it. */
export interface OwnedRoute { dst: string; type?: string; gateway?: string; dev?: string }

export async function listOwnedRoutes(exec: Exec, signal?: AbortSignal): Promise<OwnedRoute[]> {
  const { stdout } = await exec('ip', ['-j', 'route', 'show', 'proto', routeProto], { signal });
  return stdout.trim() ? (JSON.parse(stdout) as OwnedRoute[]) : [];
}

/**
 * Removes everything the guards and the node routes added: every route tagged with our
 * protocol, and the sink bridge (with its addresses).
 */
export async function removeHostGuards(exec: Exec, signal?: AbortSignal): Promise<void> {
  await exec('ip', ['route', 'flush', 'proto', routeProto], { signal });
  if (await linkExists(exec, serviceSinkBridge, signal)) await exec('ip', ['link', 'del', serviceSinkBridge], { signal });
}
