/**
 * Two `k8ts server --disable-agent` processes on one real etcd (one token): exactly one holds
 * the kube-controller-manager Lease and one the kube-scheduler Lease, only the leader runs
 * controllers (a Deployment gets one ReplicaSet and its replicas, no more), and after SIGKILL of
 * the leader the other server takes both Leases within about a lease duration and serves a new
 * Deployment whose pods land on a node this test registers (simulated, against the survivor).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { deployments, replicaSets } from '../../src/api/resources/apps/index.js';
import { leases } from '../../src/api/resources/coordination/index.js';
import { pods } from '../../src/api/resources/core/index.js';
import type { Kube } from '../../src/api/types.js';
import { silentLogger } from '../../src/base/log.js';
import { systemClock } from '../../src/base/clock.js';
import { restClient } from '../../src/client/rest-client.js';
import { restConfigFromKubeconfig } from '../../src/client/kubeconfig.js';
import { simulate } from '../../src/simulator/index.js';
import { startK8ts, type K8tsProcess } from '../fixtures/k8ts-process.js';
import { startEtcd } from '../fixtures/etcd.js';
import { until } from '../fixtures/until.js';

const leaseSeconds = 4;
const retryMs = 500;
const electionFlags = ['--leader-elect-lease-duration', `${leaseSeconds}s`, '--leader-elect-renew-deadline', '3s', '--leader-elect-retry-period', `${retryMs}ms`];
const leaseNames = ['kube-controller-manager', 'kube-scheduler'] as const;

type Client = ReturnType<typeof restClient>;

async function clientFor(kubeconfig: string): Promise<Client> {
  return restClient({ ...await restConfigFromKubeconfig(kubeconfig), timeoutMs: 5000 });
}

async function holderOf(c: Client, name: string): Promise<string> {
  const lease = await c.get(leases, 'kube-system', name) as Kube<Lease>;
  return lease.spec?.holderIdentity ?? '';
}

/** Which server holds a lease: the one whose log names the holder's identity as it acquired it. */
function serverHolding(identity: string, servers: K8tsProcess[]): K8tsProcess | undefined {
  const holders = servers.filter((s) => s.output().split('\n').some((l) => l.includes('successfully acquired lease') && l.includes(identity)));
  return holders.length === 1 ? holders[0] : undefined;
}

function deployment(name: string, replicas: number): Kube<Deployment> {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.local/le/app:1.0' }] } },
    },
  };
}

async function runningPodsOf(c: Client, app: string): Promise<{ name: string; node: string }[]> {
  const list = await c.list(pods, { namespace: 'default', labelSelector: `app=${app}` });
  return list.items.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp)
    .map((p) => ({ name: p.metadata.name!, node: p.spec?.nodeName ?? '' }));
}

test('two servers on one etcd: one leader for controllers and scheduler, the other takes over after SIGKILL', async (t) => {
  const etcd = await startEtcd();
  const servers: K8tsProcess[] = [];
  const clients: Client[] = [];
  const sim = new AbortController();
  let simRun: Promise<void> | undefined;
  try {
    const flags = ['--disable-agent', '--datastore-endpoint', etcd.endpoints, '--token', 'le-secret', ...electionFlags];
    servers.push(await startK8ts(flags));
    servers.push(await startK8ts(flags));
    const [a, b] = servers as [K8tsProcess, K8tsProcess];
    const ca = await clientFor(a.kubeconfig);
    clients.push(ca);

    // Exactly one holder per lease, and it is one of the two servers.
    const leaders = new Map<string, K8tsProcess>();
    for (const name of leaseNames) {
      const holder = await until(`a holder of kube-system/${name}`, async () => (await holderOf(ca, name)) || undefined);
      const server = await until(`the server holding ${name} (${holder})`, async () => serverHolding(holder, servers));
      leaders.set(name, server);
    }
    const leader = leaders.get('kube-controller-manager')!;
    const follower = leader === a ? b : a;
    // Only the leader runs the controllers (the follower waits on the lease).
    assert.match(leader.output(), /starting controllers/);
    assert.doesNotMatch(follower.output(), /starting controllers/, 'the follower started controllers while not leading');

    // A node, registered by this test against the follower (it must outlive the leader).
    const cf = await clientFor(follower.kubeconfig);
    clients.push(cf);
    simRun = simulate({ client: cf, log: silentLogger, clock: systemClock }, { nodes: 1, namePrefix: 'le-node-', cpu: '8', memory: '16Gi', pods: 110, leaseRenewMs: 1000 }).run(sim.signal);

    // The leader's controllers act once: one ReplicaSet, two pods, bound and Running.
    await cf.create(deployments, deployment('before', 2));
    const before = await until('2 Running pods of Deployment before', async () => {
      const r = await runningPodsOf(cf, 'before');
      return r.length === 2 ? r : undefined;
    });
    assert.ok(before.every((p) => p.node === 'le-node-0'), `pods not on the test's node: ${JSON.stringify(before)}`);
    await new Promise((r) => setTimeout(r, 1500)); // a second controller manager would have acted by now
    const rsList = await cf.list(replicaSets, { namespace: 'default', labelSelector: 'app=before' });
    assert.equal(rsList.items.length, 1, `ReplicaSets: ${rsList.items.map((r: Kube<ReplicaSet>) => r.metadata.name).join(', ')}`);
    const all = await cf.list(pods, { namespace: 'default', labelSelector: 'app=before' });
    assert.equal(all.items.length, 2, `pods: ${all.items.map((p) => p.metadata.name).join(', ')}`);

    // SIGKILL the leader: no release, the follower must wait the lease out and take both.
    const oldHolders = new Map<string, string>();
    for (const name of leaseNames) oldHolders.set(name, await holderOf(cf, name));
    const killedAt = Date.now();
    await leader.kill();
    const tookOver = new Map<string, number>();
    for (const name of leaseNames) {
      await until(`${name} taken over by the survivor`, async () => {
        const h = await holderOf(cf, name);
        if (h && h !== oldHolders.get(name) && serverHolding(h, [follower]) === follower) return h;
        // The survivor may already have held this one.
        if (h && h === oldHolders.get(name) && leaders.get(name) === follower) return h;
        return undefined;
      }, 30_000);
      tookOver.set(name, Date.now() - killedAt);
    }
    t.diagnostic(`takeover after SIGKILL: ${[...tookOver].map(([n, ms]) => `${n} ${ms} ms`).join(', ')} (lease duration ${leaseSeconds} s)`);
    const limit = leaseSeconds * 1000 + 2 * retryMs + 1000;
    for (const [name, ms] of tookOver) {
      assert.ok(ms <= limit, `${name} taken over after ${ms} ms (lease duration ${leaseSeconds} s)`);
    }
    assert.match(follower.output(), /starting controllers/);

    // The new leader schedules and reconciles: a new Deployment's pods run on the test's node.
    await cf.create(deployments, deployment('after', 2));
    const after = await until('2 Running pods of Deployment after', async () => {
      const r = await runningPodsOf(cf, 'after');
      return r.length === 2 ? r : undefined;
    });
    assert.ok(after.every((p) => p.node === 'le-node-0'), `pods not on the test's node: ${JSON.stringify(after)}`);
  } finally {
    sim.abort();
    await simRun?.catch(() => undefined);
    for (const c of clients) c.close();
    for (const s of servers) { await s.stop(); await s.cleanup(); }
    await etcd.stop();
  }
});
