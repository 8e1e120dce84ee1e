import type { ServiceObject } from '../api/resources/core/services.js';
import type { EndpointSliceObject } from '../api/resources/discovery/endpoint-slices.js';
import type { Exec } from '../network/exec.js';
import type { NodeNetConfig, RenderCache } from './rules.js';
import { cachedServicePorts } from './rules.js';
import { endpointsByServicePort } from './service-ports.js';

/** One UDP flow as `conntrack -L` lists it: where it was sent, and who answers (after DNAT). */
export interface ConntrackFlow {
  readonly origDst: string;
  readonly origDstPort: number;
  readonly replySrc: string;
}

/** What to delete: flows to `origDst:origDstPort` (or to any address on `origDstPort`) answered by `replySrc`. */
export interface ConntrackFilter {
  readonly origDst?: string;
  readonly origDstPort: number;
  readonly replySrc: string;
}

/** Parses `conntrack -L -p udp` output (the first src/dst/sport/dport are the original direction, the second the reply). */
export function parseConntrackList(text: string): ConntrackFlow[] {
  const out: ConntrackFlow[] = [];
  for (const line of text.split('\n')) {
    if (!/^\s*udp\s/.test(line)) continue;
    const dst = /\bdst=(\S+)/.exec(line);
    const dport = /\bdport=(\d+)/.exec(line);
    const srcs = [...line.matchAll(/\bsrc=(\S+)/g)];
    if (!dst || !dport || srcs.length < 2) continue;
    out.push({ origDst: dst[1]!, origDstPort: Number(dport[1]), replySrc: srcs[1]![1]! });
  }
  return out;
}

/**
 * The UDP flows to delete (kube-proxy's CleanStaleEntries): for every UDP service port with at
 * least one serving endpoint, flows sent to one of its frontends — ClusterIP, external IPs and
 * LoadBalancer IPs on the port, or any address on its NodePort — that are answered by an address
 * that is not a serving endpoint any more. UDP has no connection end, so without this a client
 * keeps sending to a removed pod until the entry times out. Traffic policies and terminating
 * state are not looked at, so that existing flows behave as TCP connections do. Pure.
 */
export function staleUdpFlows(services: readonly ServiceObject[], slices: readonly EndpointSliceObject[], node: NodeNetConfig, flows: readonly ConntrackFlow[], cache?: RenderCache): ConntrackFilter[] {
  return staleFlowsOf(udpFrontends(services, slices, node, cache), flows);
}

/** The serving endpoint IPs of every UDP frontend (`ip:port`) and NodePort with at least one. */
interface UdpFrontends {
  readonly byFrontend: ReadonlyMap<string, ReadonlySet<string>>;
  readonly byNodePort: ReadonlyMap<number, ReadonlySet<string>>;
}

function udpFrontends(services: readonly ServiceObject[], slices: readonly EndpointSliceObject[], node: NodeNetConfig, cache?: RenderCache): UdpFrontends {
  const skipIPs = new Set(node.nodeLocalServiceIPs ?? []);
  const byFrontend = new Map<string, Set<string>>();
  const byNodePort = new Map<number, Set<string>>();
  let endpoints: Map<string, { ip: string; serving: boolean }[]> | undefined;
  for (const svc of services) {
    for (const sp of cachedServicePorts(svc, cache)) {
      if (sp.protocol !== 'udp' || skipIPs.has(sp.clusterIP)) continue;
      endpoints ??= endpointsByServicePort(slices, node.nodeName, cache?.endpoints);
      const serving = new Set((endpoints.get(sp.key) ?? []).filter((e) => e.serving).map((e) => e.ip));
      if (serving.size === 0) continue;
      for (const ip of [sp.clusterIP, ...sp.loadBalancerIPs, ...sp.externalIPs]) byFrontend.set(`${ip}:${sp.port}`, serving);
      if (sp.nodePort) byNodePort.set(sp.nodePort, serving);
    }
  }
  return { byFrontend, byNodePort };
}

/** The frontends and their serving sets as one comparable string. */
function signatureOf(f: UdpFrontends): string {
  const part = <K>(m: ReadonlyMap<K, ReadonlySet<string>>) => [...m].map(([k, ips]) => `${String(k)}=${[...ips].sort().join(',')}`).sort().join(';');
  return `${part(f.byFrontend)}|${part(f.byNodePort)}`;
}

function staleFlowsOf({ byFrontend, byNodePort }: UdpFrontends, flows: readonly ConntrackFlow[]): ConntrackFilter[] {
  const out = new Map<string, ConntrackFilter>();
  for (const f of flows) {
    const front = byFrontend.get(`${f.origDst}:${f.origDstPort}`);
    if (front && !front.has(f.replySrc)) {
      out.set(`${f.origDst}:${f.origDstPort}>${f.replySrc}`, { origDst: f.origDst, origDstPort: f.origDstPort, replySrc: f.replySrc });
    }
    const np = byNodePort.get(f.origDstPort);
    if (np && !np.has(f.replySrc)) out.set(`*:${f.origDstPort}>${f.replySrc}`, { origDstPort: f.origDstPort, replySrc: f.replySrc });
  }
  return [...out.values()];
}

/** True when any Service has a UDP port the proxy programs (else there is nothing to list). */
export function hasUdpServicePorts(services: readonly ServiceObject[], node: NodeNetConfig, cache?: RenderCache): boolean {
  const skipIPs = new Set(node.nodeLocalServiceIPs ?? []);
  return services.some((svc) => cachedServicePorts(svc, cache).some((sp) => sp.protocol === 'udp' && !skipIPs.has(sp.clusterIP)));
}

/** `conntrack -D` arguments for one filter. */
export function conntrackDeleteArgs(f: ConntrackFilter): string[] {
  return ['-D', '-p', 'udp', ...(f.origDst ? ['--orig-dst', f.origDst] : []), '--orig-port-dst', String(f.origDstPort), '--reply-src', f.replySrc];
}

/**
 * What the caller keeps between cleanups: the UDP frontends and serving endpoints of the last
 * one that succeeded. While they stay the same no new stale flow can appear (the rules only
 * send new flows to serving endpoints), so the table is not listed again; clear it to force one.
 */
export interface UdpCleanupState { cleaned?: string }

/**
 * Lists UDP flows and deletes the stale ones; returns how many filters were applied. A filter
 * that matched nothing (the flow ended meanwhile) is not an error. With `state`, nothing runs
 * when the frontends and their serving endpoints are those of the last successful cleanup.
 */
export async function cleanStaleUdpFlows(exec: Exec, services: readonly ServiceObject[], slices: readonly EndpointSliceObject[], node: NodeNetConfig, signal?: AbortSignal, cache?: RenderCache, state?: UdpCleanupState): Promise<number> {
  if (!hasUdpServicePorts(services, node, cache)) return 0;
  const frontends = udpFrontends(services, slices, node, cache);
  if (frontends.byFrontend.size === 0 && frontends.byNodePort.size === 0) return 0;
  const signature = state ? signatureOf(frontends) : undefined;
  if (state && state.cleaned === signature) return 0;
  const { stdout } = await exec('conntrack', ['-L', '-p', 'udp'], { signal });
  const filters = staleFlowsOf(frontends, parseConntrackList(stdout));
  for (const f of filters) {
    try {
      await exec('conntrack', conntrackDeleteArgs(f), { signal });
    } catch (err) {
      if (!/0 flow entries have been deleted/.test(String((err as { stderr?: string }).stderr ?? err))) throw err;
    }
  }
  if (state) state.cleaned = signature;
  return filters.length;
}
