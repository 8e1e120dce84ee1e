/** postStart / preStop handlers: exec (CRI ExecSync), httpGet, sleep — as the kubelet runs them. */
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import { sleep } from '../../base/index.js';
import type { CriClient } from '../cri/client.js';
import type { LifecycleRunner } from '../pod-worker.js';
import { runExec, runHttpGet } from './probe-runner.js';

const podDesc = (pod: Pod) => `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;

export function createLifecycleRunner(cri: CriClient): LifecycleRunner {
  return async (pod: Pod, c: Container, containerId: string, h: LifecycleHandler, podIP: string | undefined, timeoutSeconds: number, signal?: AbortSignal) => {
    const target = { cri, container: c, containerId, podIP, timeoutSeconds: Math.max(1, timeoutSeconds), signal };
    if (h.exec) {
      const out = await runExec(h.exec, target);
      if (out.result === 'success') return undefined;
      return `Exec lifecycle hook (${JSON.stringify(h.exec.command ?? [])}) for Container "${c.name}" in Pod "${podDesc(pod)}" failed - error: ${out.output}`;
    }
    if (h.httpGet) {
      const out = await runHttpGet(h.httpGet, target, 'kube-lifecycle/1.33');
      if (out.result === 'success') return undefined;
      return `HTTP lifecycle hook (${h.httpGet.path ?? ''}) for Container "${c.name}" in Pod "${podDesc(pod)}" failed - error: ${out.output}`;
    }
    const sleepAction = (h as { sleep?: { seconds?: number } }).sleep;
    if (sleepAction) {
      await sleep(Math.min(sleepAction.seconds ?? 0, timeoutSeconds) * 1000, signal);
      return undefined;
    }
    return undefined; // tcpSocket handlers are deprecated and do nothing, as upstream
  };
}
