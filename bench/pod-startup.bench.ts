/**
 * Pod startup through the CRI on a real containerd: create → Running for 1, 10 and 30 pods
 * started at once (image present, CNI bridge network), p50/p99 per pod and the wall time of
 * the batch; containerd's RSS afterwards.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { silentLogger, sleep, systemClock } from '../src/base/index.js';
import { createCriClient } from '../src/kubelet/cri/index.js';
import { nodeRuntimeConfig } from '../src/kubelet/node-config.js';
import { createPodWorker, type PodWorker } from '../src/kubelet/pod-worker.js';
import { startContainerd } from '../test/fixtures/containerd.js';
import { importTestAppImage, testAppImage } from '../test/fixtures/images.js';
import { percentile, type Bench, type BenchRow } from './types.js';

async function startPod(worker: PodWorker, name: string): Promise<{ uid: string; ms: number }> {
  const uid = randomUUID();
  let pod: Pod = {
    metadata: { name, namespace: 'bench', uid },
    spec: { containers: [{ name: 'app', image: testAppImage, imagePullPolicy: 'IfNotPresent' }] },
  };
  const started = performance.now();
  for (;;) {
    const { status } = await worker.sync(pod);
    if (status.phase === 'Running' && status.containerStatuses?.[0]?.ready) return { uid, ms: performance.now() - started };
    if (performance.now() - started > 60_000) throw new Error(`pod ${name} not running after 60 s: ${JSON.stringify(status.containerStatuses)}`);
    pod = { ...pod, status: status as PodStatus };
    await sleep(20);
  }
}

async function rssMiB(pid: number | undefined): Promise<number> {
  if (!pid) return NaN;
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const bench: Bench = async ({ quick }) => {
  const fx = await startContainerd();
  const cri = createCriClient(fx.socket);
  const rows: BenchRow[] = [];
  try {
    await importTestAppImage(fx.socket, join(fx.dataDir, 'testapp'));
    const node = nodeRuntimeConfig(fx.dataDir, { nodeName: 'bench', memoryCapacityBytes: 4 * 2 ** 30, cgroupRoot: fx.cgroupRoot });
    const worker = createPodWorker({ cri, node, clock: systemClock, log: silentLogger });
    // One warm-up pod so that first-use costs (snapshot of the image, CNI plugin load) are not counted.
    const warm = await startPod(worker, 'warmup');
    await worker.remove(warm.uid);
    for (const n of quick ? [1, 10] : [1, 10, 30]) {
      const t0 = performance.now();
      const results = await Promise.all(Array.from({ length: n }, (_, i) => startPod(worker, `p${n}-${i}`)));
      const wall = performance.now() - t0;
      const ms = results.map((r) => r.ms);
      const name = `pod startup, ${n} pod${n > 1 ? 's' : ''} at once (CRI, image present)`;
      rows.push({ name, metric: 'create → Running p50', value: percentile(ms, 50), unit: 'ms' });
      rows.push({ name, metric: 'create → Running p99', value: percentile(ms, 99), unit: 'ms', goal: n === 1 ? '< 1000 ms' : '' });
      rows.push({ name, metric: 'all Running', value: wall, unit: 'ms', goal: n === 30 ? '< 5000 ms' : '' });
      if (n === (quick ? 10 : 30)) rows.push({ name: `containerd with ${n} pods`, metric: 'RSS', value: await rssMiB(fx.containerdPid()), unit: 'MiB' });
      for (const r of results) await worker.remove(r.uid);
    }
  } finally {
    cri.close();
    await fx.stop();
  }
  return rows;
};
export default bench;
