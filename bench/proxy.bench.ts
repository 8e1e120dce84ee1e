/**
 * Service proxy rule sync with 1,000 Services × 10 endpoints, inside a network namespace created
 * for the run (the host's tables are never touched): pure render time; a first full sync
 * (iptables-save while rendering, plan, iptables-nft-restore in dependency-ordered sections) and
 * a full resync over rules already present (intact chains left alone); a partial sync after one
 * endpoint change; and the whole path in a running proxier, from an EndpointSlice update to the
 * sync that applied it.
 */
import { renderCache, renderRules } from '../src/proxy/rules.js';
import { jumpRules } from '../src/proxy/rules.js';
import type { NodeNetConfig } from '../src/proxy/rules.js';
import { applyRestore, planRestore, proxyChainsPerCommit, saveTables } from '../src/proxy/apply.js';
import { cleanupProxyRules } from '../src/proxy/cleanup.js';
import { proxier } from '../src/proxy/proxier.js';
import { FakeClient } from '../src/client/testing/fake-client.js';
import { sharedInformerFactory } from '../src/client/informer.js';
import { services as servicesResource } from '../src/api/resources/core/services.js';
import { endpointSlices } from '../src/api/resources/discovery/endpoint-slices.js';
import { silentLogger } from '../src/base/log.js';
import { sleep } from '../src/base/async.js';
import { testEndpoint as ep, testService as svc, testSlice as slice } from '../src/proxy/testing.js';
import { canCreateNetns, createTestNode } from '../src/network/testing/netns.js';
import { percentile, type Bench, type BenchRow } from './types.js';

const node: NodeNetConfig = { nodeName: 'node-a', nodeIPs: ['192.168.77.1'], clusterCidr: '10.42.0.0/16' };

function cluster(nServices: number, nEndpoints: number) {
  const services = [];
  const slices = [];
  for (let i = 0; i < nServices; i++) {
    services.push(svc('bench', `svc-${i}`, { clusterIP: `10.43.${(i >> 8) + 1}.${i & 255}` }));
    slices.push(slice('bench', `svc-${i}`, Array.from({ length: nEndpoints }, (_, j) => ep(`10.42.${(i * nEndpoints + j) >> 8 & 255}.${(i * nEndpoints + j) & 255}`, j % 2 ? 'node-a' : 'node-b'))));
  }
  return { services, slices };
}

const ms = (t0: number) => performance.now() - t0;

const bench: Bench = async ({ quick }) => {
  const nServices = quick ? 200 : 1000;
  const rows: BenchRow[] = [];
  const label = `proxy ${nServices} svc × 10 ep`;
  const { services, slices } = cluster(nServices, 10);
  const renders: number[] = [];
  for (let i = 0; i < (quick ? 3 : 10); i++) { const t0 = performance.now(); renderRules(services, slices, node); renders.push(ms(t0)); }
  rows.push({ name: label, metric: 'render, cold p50', value: percentile(renders, 50), unit: 'ms' });

  if (!(await canCreateNetns())) return rows;
  const net = await createTestNode({ pods: 0 });
  try {
    const jumps = jumpRules(node);
    let written = 0;
    // As the proxier does it: iptables-save runs while the rules render.
    const memo = renderCache();
    const fullSync = async (cold: boolean) => {
      const saving = saveTables(net.exec);
      const next = renderRules(services, slices, node, cold ? renderCache() : memo);
      const saved = await saving;
      const text = planRestore(next, { saved, jumps, chainsPerCommit: proxyChainsPerCommit, keepIntactChains: true });
      await applyRestore(text, net.exec);
      written = text ? text.split('\n').length - 1 : 0;
      return next;
    };
    const firsts: number[] = [];
    const fulls: number[] = [];
    let set = renderRules(services, slices, node);
    for (let i = 0; i < (quick ? 2 : 5); i++) {
      await cleanupProxyRules(net.exec);
      const t0 = performance.now();
      set = await fullSync(true);
      firsts.push(ms(t0));
    }
    rows.push({ name: label, metric: 'first full sync, no rules yet (render+save+restore) p50', value: percentile(firsts, 50), unit: 'ms', goal: '< 1000 ms' });
    for (let i = 0; i < (quick ? 2 : 5); i++) {
      const t0 = performance.now();
      set = await fullSync(false);
      fulls.push(ms(t0));
    }
    rows.push({ name: label, metric: 'full resync over present rules p50', value: percentile(fulls, 50), unit: 'ms', goal: '< 1000 ms' });
    rows.push({ name: label, metric: 'full resync: restore lines written', value: written, unit: 'lines' });
    const partials: number[] = [];
    for (let i = 0; i < (quick ? 5 : 20); i++) {
      const k = i % nServices;
      const changed = slices.map((s, j) => (j === k ? { ...s, endpoints: s.endpoints.slice(0, 9 - (i % 3)) } : s));
      const t0 = performance.now();
      const next = renderRules(services, changed, node, memo);
      await applyRestore(planRestore(next, { previous: set, chainsPerCommit: proxyChainsPerCommit }), net.exec);
      partials.push(ms(t0));
      set = next;
    }
    rows.push({ name: label, metric: 'endpoint change → rules (partial sync) p50', value: percentile(partials, 50), unit: 'ms', goal: '< 200 ms' });
    rows.push({ name: label, metric: 'endpoint change → rules p99', value: percentile(partials, 99), unit: 'ms' });

    // The whole path in a running proxier: an EndpointSlice update through the informer, the
    // bounded-frequency runner, render, plan and restore, until onSync reports it applied.
    await cleanupProxyRules(net.exec);
    const client = new FakeClient();
    for (const s of services) await client.create(servicesResource, s);
    for (const s of slices) await client.create(endpointSlices, s);
    const informers = sharedInformerFactory({ client });
    const stop = new AbortController();
    let synced: (() => void) | undefined;
    const syncMs: number[] = [];
    const p = proxier({ informers, exec: net.exec, log: silentLogger, node, onSync: (info) => { syncMs.push(info.ms); synced?.(); } });
    const nextSync = () => new Promise<void>((resolve) => { synced = resolve; });
    const started = performance.now();
    const first = nextSync();
    const runs = [informers.run(stop.signal), p.run(stop.signal)];
    try {
      await first;
      rows.push({ name: label, metric: 'proxier start → first sync applied', value: ms(started), unit: 'ms' });
      const e2e: number[] = [];
      for (let i = 0; i < (quick ? 5 : 20); i++) {
        await sleep(150);
        const name = `svc-${(i * 37) % nServices}-abcde`;
        const cur = client.peek(endpointSlices, 'bench', name)!;
        const applied = nextSync();
        const t0 = performance.now();
        await client.update(endpointSlices, { ...cur, endpoints: cur.endpoints.length > 5 ? cur.endpoints.slice(1) : slices[(i * 37) % nServices]!.endpoints });
        await applied;
        e2e.push(ms(t0));
      }
      rows.push({ name: label, metric: 'endpoint change → rules applied, running proxier p50', value: percentile(e2e, 50), unit: 'ms', goal: '< 200 ms' });
      rows.push({ name: label, metric: 'of which the sync itself p50', value: percentile(syncMs.slice(1), 50), unit: 'ms' });
      rows.push({ name: label, metric: 'endpoint change → rules applied, running proxier p99', value: percentile(e2e, 99), unit: 'ms' });
    } finally {
      stop.abort();
      await Promise.allSettled(runs);
    }
  } finally {
    await net.destroy();
  }
  return rows;
};
export default bench;
