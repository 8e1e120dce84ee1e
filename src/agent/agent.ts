/**
 * The node agent (`k8ts agent`, and inside `k8ts server` unless --disable-agent): containerd
 * supervised under the data dir (or an existing CRI endpoint), registry mirrors from a k3s-format
 * registries.yaml, the pause image, the kubelet, and the node-level components of the
 * networking side (proxy, DNS) through `components`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isAbort, spawn, type Clock, type Logger } from '../base/index.js';
import { sharedInformerFactory, type Client, type SharedInformerFactory } from '../client/index.js';
import {
  containerdPaths, createContainerdSupervisor, readRegistries, registryAuth, writeHostsFiles,
} from '../kubelet/containerd/index.js';
import { createCriClient, type CriClient } from '../kubelet/cri/index.js';
import { ensurePauseImage, pauseImage } from '../kubelet/images/index.js';
import { kubelet } from '../kubelet/kubelet.js';

/** What node-level components (kube-proxy, DNS, routes) get from the agent. */
export interface AgentContext {
  client: Client;
  /** The node's container runtime (streaming server, image tools). */
  cri: CriClient;
  informers: SharedInformerFactory;
  nodeName: string;
  nodeIp: string;
  dataDir: string;
  clusterDns: string;
  clusterDomain: string;
  log: Logger;
  clock: Clock;
  /** Sets what the kubelet awaits (bounded) before it stops a deleted pod's containers: the service proxy's drain. */
  setBeforePodStop?(hook: (pod: Pod, signal: AbortSignal) => Promise<void>): void;
}

export interface AgentComponent {
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
}

export interface AgentOptions {
  client: Client;
  dataDir: string;
  nodeName: string;
  nodeIp: string;
  /** Use this CRI socket instead of starting containerd. */
  containerRuntimeEndpoint?: string;
  /** k3s-format registries.yaml (default `<dataDir>/registries.yaml`); a missing file means no mirrors. */
  registriesFile?: string;
  /** The cluster DNS Service IP (e.g. 10.43.0.10) written into pods' resolv.conf. */
  clusterDns: string;
  clusterDomain: string;
  log: Logger;
  clock: Clock;
  /** Inside `k8ts server`: the Node is labelled node-role.kubernetes.io/control-plane. */
  controlPlane: boolean;
  /** Shared informers of the process (the server's); the agent makes and runs its own when absent. */
  informers?: SharedInformerFactory;
  /** The node's pod CIDR when known up front; otherwise the kubelet waits for nodeipam to assign it. */
  podCIDR?: string;
  /** cgroupfs parent of this node's pods (default `/k8ts/<nodeName>`). */
  cgroupRoot?: string;
  /** CNI bridge name (default cni0). */
  cniBridge?: string;
  /** Node-level components from the networking side (proxy, DNS, routes), started after the kubelet. */
  components?: ((ctx: AgentContext) => AgentComponent)[];
}

export interface Agent {
  run(signal: AbortSignal): Promise<void>;
}

/** Where the agent records its cgroup root, for `k8ts cleanup`. */
export const cgroupRootFile = (dataDir: string) => join(dataDir, 'agent', 'cgroup-root');

export function startAgent(o: AgentOptions): Agent {
  const log = o.log.child({ component: 'agent', node: o.nodeName });
  const paths = containerdPaths(o.dataDir);
  const cgroupRoot = o.cgroupRoot ?? `/k8ts/${o.nodeName}`;

  async function run(signal: AbortSignal): Promise<void> {
    const tasks: Promise<void>[] = [];
    // Components stop before the kubelet, the kubelet before containerd.
    const componentsStop = new AbortController();
    const kubeletStop = new AbortController();
    const runtimeStop = new AbortController();
    let kubeletRun: Promise<void> | undefined;
    let runtimeRun: Promise<void> | undefined;
    const informers = o.informers ?? sharedInformerFactory({ client: o.client, log });
    let informersRun: Promise<void> | undefined;
    try {
      await mkdir(join(o.dataDir, 'agent'), { recursive: true });
      await writeFile(cgroupRootFile(o.dataDir), cgroupRoot + '\n');
      let endpoint = o.containerRuntimeEndpoint;
      if (!endpoint) {
        const registries = await readRegistries(o.registriesFile ?? join(o.dataDir, 'registries.yaml'));
        await writeHostsFiles(paths.certsDir, registries);
        const supervisor = createContainerdSupervisor({
          dataDir: o.dataDir, log, sandboxImage: pauseImage, registryAuth: registryAuth(registries),
        });
        runtimeRun = supervisor.run(runtimeStop.signal);
        await Promise.race([supervisor.ready(signal), runtimeRun.then(() => { throw new Error('containerd supervisor ended before it was ready'); })]);
        await ensurePauseImage({ dataDir: o.dataDir, socket: paths.socket, log, signal });
        endpoint = paths.socket;
      }
      const cri = createCriClient(endpoint);
      try {
        if (!o.informers) informersRun = informers.run(kubeletStop.signal);
        let beforePodStop: ((pod: Pod, signal: AbortSignal) => Promise<void>) | undefined;
        const k = kubelet({
          beforeStop: (pod, s) => beforePodStop?.(pod, s) ?? Promise.resolve(),
          client: o.client, informers, cri, dataDir: o.dataDir, clock: o.clock, log: o.log,
          node: { name: o.nodeName, ip: o.nodeIp, ...(o.podCIDR ? { podCIDR: o.podCIDR } : {}) },
          controlPlane: o.controlPlane, clusterDNS: o.clusterDns ? [o.clusterDns] : [], clusterDomain: o.clusterDomain,
          cgroupRoot, cniConfDir: o.containerRuntimeEndpoint ? undefined : paths.cniConfDir, cniBridge: o.cniBridge,
        });
        kubeletRun = k.run(kubeletStop.signal);
        const ctx: AgentContext = {
          client: o.client, cri, informers, nodeName: o.nodeName, nodeIp: o.nodeIp, dataDir: o.dataDir,
          clusterDns: o.clusterDns, clusterDomain: o.clusterDomain, log: o.log, clock: o.clock,
          setBeforePodStop: (hook) => { beforePodStop = hook; },
        };
        for (const make of o.components ?? []) {
          const c = make(ctx);
          tasks.push(spawn(componentsStop.signal, log, c.name, (s) => c.run(s)));
        }
        log.info('agent started', { endpoint, cgroupRoot });
        // Run until asked to stop, or until the kubelet or containerd fail for good.
        await Promise.race([
          new Promise<void>((resolve) => { if (signal.aborted) resolve(); else signal.addEventListener('abort', () => resolve(), { once: true }); }),
          kubeletRun.then(() => { if (!signal.aborted) throw new Error('kubelet stopped unexpectedly'); }),
          ...(runtimeRun ? [runtimeRun.then(() => { if (!signal.aborted) throw new Error('containerd supervisor stopped unexpectedly'); })] : []),
        ]);
      } finally {
        componentsStop.abort();
        await Promise.all(tasks);
        kubeletStop.abort();
        await kubeletRun?.catch((err: unknown) => { if (!isAbort(err)) log.error('kubelet failed', { err }); });
        await informersRun;
        cri.close();
      }
    } finally {
      componentsStop.abort();
      kubeletStop.abort();
      // containerd stops last; the containers keep running under their shims and are adopted next time.
      runtimeStop.abort();
      await runtimeRun?.catch((err: unknown) => { log.error('containerd supervisor failed', { err }); });
      log.info('agent stopped');
    }
  }

  return { run };
}
