/**
 * The node-level components the agent runs beside the kubelet: the kubelet's streaming server
 * (logs, exec, attach, port-forward), and the node network — host guards, sysctls, the service
 * proxy, cluster DNS on the cluster DNS address, and routes to other nodes' pod CIDRs.
 */
import { readFile } from 'node:fs/promises';
import { createKubeletServer, criStreamingRuntime } from '../kubelet/server/index.js';
import { createStatsProvider } from '../kubelet/stats/index.js';
import { execFile, ensureHostGuards, ensureSysctls, nodeRoutes } from '../network/index.js';
import { proxier } from '../proxy/index.js';
import { networkPolicyController } from '../netpol/index.js';
import { dnsServer, parseResolvConf, upstreamsFromResolvConf } from '../dns/index.js';
import type { AgentComponent, AgentContext } from './agent.js';

export interface KubeletServingTls { cert: string; key: string; ca: string }

/** The kubelet's HTTPS server on :10250 (the API server proxies logs/exec/port-forward to it). */
export function kubeletServerComponent(tls: KubeletServingTls, port = 10250) {
  return (ctx: AgentContext): AgentComponent => ({
    name: 'kubelet-server',
    run: (signal) => createKubeletServer({
      runtime: criStreamingRuntime({ cri: ctx.cri, log: ctx.log }), tls, log: ctx.log.child({ component: 'kubelet-server' }),
      stats: createStatsProvider({ cri: ctx.cri, nodeName: ctx.nodeName, rootDir: ctx.dataDir }),
    })
      .run(signal, port, ctx.nodeIp),
  });
}

export interface NodeNetworkOptions {
  clusterCidr: string;
  serviceCidr: string;
}

/**
 * The node network in the host's namespace, per ARCHITECTURE.md "Networking": the service CIDR
 * routed to a local sink, unowned pod CIDRs unreachable, the cluster DNS address on the sink,
 * then the proxy, DNS and node routes following the API.
 */
export function nodeNetworkComponent(opts: NodeNetworkOptions) {
  return (ctx: AgentContext): AgentComponent => ({
    name: 'node-network',
    async run(signal) {
      const conf = parseResolvConf(await readFile('/etc/resolv.conf', 'utf8').catch(() => ''));
      await ensureHostGuards({ clusterCidr: opts.clusterCidr, serviceCidr: opts.serviceCidr, localServiceIPs: [ctx.clusterDns], resolvers: conf.nameservers }, execFile, signal);
      await ensureSysctls(execFile, { routeLocalnet: true });
      const listen = [{ address: ctx.clusterDns, port: 53 }];
      const log = ctx.log;
      const proxy = proxier({
        informers: ctx.informers, exec: execFile, log,
        node: { nodeName: ctx.nodeName, nodeIPs: [ctx.nodeIp], clusterCidr: opts.clusterCidr, serviceCidr: opts.serviceCidr, nodeLocalServiceIPs: [ctx.clusterDns] },
      });
      // A deleted pod gets SIGTERM only once this node's rules stop sending it new connections.
      ctx.setBeforePodStop?.((pod, s) => proxy.whenDrained((pod.status?.podIPs?.map((p) => p.ip) ?? [pod.status?.podIP]).filter((ip): ip is string => !!ip), s));
      await Promise.all([
        proxy.run(signal),
        networkPolicyController({ informers: ctx.informers, exec: execFile, nodeName: ctx.nodeName, log }).run(signal),
        dnsServer({ informers: ctx.informers, clusterDomain: ctx.clusterDomain, listen, upstream: upstreamsFromResolvConf(conf, listen), log }).run(signal),
        nodeRoutes({ informers: ctx.informers, exec: execFile, nodeName: ctx.nodeName, log }).run(signal),
      ]);
    },
  });
}
