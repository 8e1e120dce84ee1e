/**
 * A whole k8ts node (server with its agent) in a fresh test host for the benchmarks, torn down
 * (server stopped, `k8ts cleanup`, data dir and namespace removed) however `fn` ends.
 */
import { rm } from 'node:fs/promises';
import { restClient } from '../src/client/rest-client.js';
import { restConfigFromKubeconfig } from '../src/client/kubeconfig.js';
import { cleanupK8tsNode, startK8ts, type K8tsProcess } from '../test/fixtures/k8ts-process.js';
import { createTestNetwork, type TestHost } from '../test/fixtures/netns-host.js';

export interface TestNode {
  k8ts: K8tsProcess;
  host: TestHost;
  client: ReturnType<typeof restClient>;
}

/** Runs `fn` against a new node; `started` is when the server process was spawned (performance.now()). */
export async function withTestNode<T>(fn: (node: TestNode, started: number) => Promise<T>): Promise<T> {
  const net = await createTestNetwork(1);
  const host = net.hosts[0]!;
  let k8ts: K8tsProcess | undefined;
  try {
    const started = performance.now();
    k8ts = await startK8ts([], { host });
    const client = restClient(await restConfigFromKubeconfig(k8ts.kubeconfig));
    try {
      return await fn({ k8ts, host, client }, started);
    } finally {
      client.close();
    }
  } finally {
    if (k8ts) {
      await k8ts.stop().catch(() => undefined);
      await cleanupK8tsNode(k8ts.dataDir, host);
      await rm(k8ts.dataDir, { recursive: true, force: true });
    }
    await net.dispose();
  }
}
