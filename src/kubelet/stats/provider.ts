/**
 * Gathers a Summary from the CRI (ListPodSandbox, ListContainers, ListPodSandboxStats,
 * ListContainerStats, ImageFsInfo — containerd 1.6 implements them all) and the node's /proc
 * and cgroup root, keeping the previous CPU samples for usageNanoCores between requests.
 */
import type { CriClient } from '../cri/client.js';
import { CriError } from '../cri/client.js';
import type { PodSandboxStats } from '../cri/types.js';
import { managedLabel } from '../labels.js';
import { fsSample, readNodeSample, type NodeSample } from './node-sample.js';
import { buildSummary, CpuRateCache } from './summary.js';
import type { Summary } from './types.js';

export interface StatsProvider {
  summary(opts?: { onlyCpuAndMemory?: boolean; signal?: AbortSignal }): Promise<Summary>;
}

export interface StatsProviderDeps {
  cri: CriClient;
  nodeName: string;
  /** The kubelet's root directory: its filesystem is the node's (nodefs). */
  rootDir: string;
  /** Reads the node's own usage (tests replace it). */
  readNode?: () => Promise<NodeSample>;
}

const UNIMPLEMENTED = 12;

export function createStatsProvider(deps: StatsProviderDeps): StatsProvider {
  const { cri } = deps;
  const rates = new CpuRateCache();
  const readNode = deps.readNode ?? (() => readNodeSample(deps.rootDir));
  /** Set once the runtime said it has no sandbox stats: pods then sum their containers. */
  let noSandboxStats = false;
  const selector = { labelSelector: { [managedLabel]: 'true' } };

  async function sandboxStats(signal?: AbortSignal): Promise<PodSandboxStats[] | undefined> {
    if (noSandboxStats) return undefined;
    try {
      return (await cri.runtime.listPodSandboxStats({ filter: selector }, { signal })).stats ?? [];
    } catch (err) {
      if (err instanceof CriError && err.code === UNIMPLEMENTED) { noSandboxStats = true; return undefined; }
      throw err;
    }
  }

  async function imageFs(signal?: AbortSignal) {
    const { imageFilesystems = [] } = await cri.image.imageFsInfo({}, { signal });
    const fs = imageFilesystems[0];
    const mount = fs?.fsId?.mountpoint;
    if (!fs || !mount) return undefined;
    const base = await fsSample(mount);
    if (!base) return undefined;
    return {
      ...base, usedBytes: fs.usedBytes?.value ?? base.usedBytes, inodesUsed: fs.inodesUsed?.value ?? base.inodesUsed,
      time: fs.timestamp ? Math.floor(fs.timestamp / 1e6) : Date.now(),
    };
  }

  return {
    async summary(opts = {}) {
      const { signal } = opts;
      const full = !opts.onlyCpuAndMemory;
      const [node, { items: sandboxes = [] }, { containers = [] }, podStats, { stats: containerStats = [] }, image] = await Promise.all([
        readNode(),
        cri.runtime.listPodSandbox({ filter: selector }, { signal }),
        cri.runtime.listContainers({ filter: selector }, { signal }),
        sandboxStats(signal),
        cri.runtime.listContainerStats({ filter: {} }, { signal }),
        full ? imageFs(signal) : Promise.resolve(undefined),
      ]);
      return buildSummary({
        nodeName: deps.nodeName, node, imageFs: image, sandboxes, containers, sandboxStats: podStats, containerStats,
      }, rates, { onlyCpuAndMemory: opts.onlyCpuAndMemory });
    },
  };
}
