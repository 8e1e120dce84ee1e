/**
 * NetworkPolicy rule sync with 200 policies × 1,000 pods (20 namespaces, half the pods on this
 * node): pure render time, a full sync (iptables-save of the filter table, plan, one
 * iptables-nft-restore) and a partial sync after one pod's labels change (with the controller's
 * check that the FORWARD jump is still first), applied inside a
 * network namespace created for the run (the host's tables are never touched).
 */
import type { NetworkPolicyObject } from '../src/api/resources/networking/network-policies.js';
import type { PodObject } from '../src/api/resources/core/pods.js';
import { renderNetpolRules } from '../src/netpol/rules.js';
import { checkJumpFirst, planNetpolRestore, saveFilterTable } from '../src/netpol/apply.js';
import { testNamespace, testPod, testPolicy } from '../src/netpol/testing.js';
import { applyRestore } from '../src/proxy/apply.js';
import { canCreateNetns, createTestNode } from '../src/network/testing/netns.js';
import { percentile, type Bench, type BenchRow } from './types.js';

const node = { nodeName: 'node-a' };

function cluster(nPolicies: number, nPods: number) {
  const nNs = 20;
  const namespaces = Array.from({ length: nNs }, (_, i) => testNamespace(`ns-${i}`, { team: `t${i % 5}` }));
  const pods: PodObject[] = Array.from({ length: nPods }, (_, i) => testPod(`ns-${i % nNs}`, `pod-${i}`, `10.42.${(i >> 8) + 1}.${i & 255}`,
    { app: `app-${Math.floor(i / nNs) % 10}` }, i % 2 ? 'node-b' : 'node-a', [{ name: 'http', containerPort: 8080 }]));
  const policies: NetworkPolicyObject[] = Array.from({ length: nPolicies }, (_, i) => {
    const ns = `ns-${i % nNs}`;
    const k = Math.floor(i / nNs);
    if (k === 0) return testPolicy(ns, 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] });
    return testPolicy(ns, `allow-${k}`, {
      podSelector: { matchLabels: { app: `app-${k}` } },
      policyTypes: k % 3 === 0 ? ['Ingress', 'Egress'] : ['Ingress'],
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { team: `t${k % 5}` } }, podSelector: { matchLabels: { app: `app-${(k + 1) % 10}` } } }], ports: [{ protocol: 'TCP', port: 'http' }] },
        { from: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } }], ports: [{ protocol: 'TCP', port: 8000, endPort: 8100 }] },
      ],
      egress: [{ to: [{ podSelector: {} }] }, { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ protocol: 'TCP', port: 443 }] }],
    });
  });
  return { namespaces, pods, policies };
}

const ms = (t0: number) => performance.now() - t0;

const bench: Bench = async ({ quick }) => {
  const nPolicies = 200;
  const nPods = 1000;
  const rows: BenchRow[] = [];
  const label = `netpol ${nPolicies} policies × ${nPods} pods`;
  const { namespaces, pods, policies } = cluster(nPolicies, nPods);
  const renders: number[] = [];
  let set = renderNetpolRules(policies, pods, namespaces, node);
  for (let i = 0; i < (quick ? 3 : 10); i++) { const t0 = performance.now(); set = renderNetpolRules(policies, pods, namespaces, node); renders.push(ms(t0)); }
  rows.push({ name: label, metric: 'render p50', value: percentile(renders, 50), unit: 'ms' });
  rows.push({ name: label, metric: 'rules on this node', value: set.filter.reduce((n, c) => n + c.rules.length, 0), unit: 'rules' });

  if (!(await canCreateNetns())) return rows;
  const net = await createTestNode({ pods: 0 });
  try {
    const fulls: number[] = [];
    for (let i = 0; i < (quick ? 2 : 5); i++) {
      const t0 = performance.now();
      set = renderNetpolRules(policies, pods, namespaces, node);
      const saved = await saveFilterTable(net.exec);
      await applyRestore(planNetpolRestore(set, { saved }), net.exec);
      fulls.push(ms(t0));
    }
    rows.push({ name: label, metric: 'full sync (render+save+restore) p50', value: percentile(fulls, 50), unit: 'ms', goal: '< 1000 ms' });
    const partials: number[] = [];
    for (let i = 0; i < (quick ? 5 : 20); i++) {
      const k = (i * 2) % nPods; // a pod of this node changes app label
      const changed = pods.map((p, j) => (j === k ? { ...p, metadata: { ...p.metadata, labels: { app: `app-${(i + 3) % 10}` } } } : p));
      const t0 = performance.now();
      const next = renderNetpolRules(policies, changed, namespaces, node);
      if (!(await checkJumpFirst(net.exec))) throw new Error('the jump into K8TS-NETPOL is not first in FORWARD');
      await applyRestore(planNetpolRestore(next, { previous: set }), net.exec);
      partials.push(ms(t0));
      set = next;
    }
    rows.push({ name: label, metric: 'pod label change → rules (partial sync) p50', value: percentile(partials, 50), unit: 'ms', goal: '< 200 ms' });
    rows.push({ name: label, metric: 'pod label change → rules p99', value: percentile(partials, 99), unit: 'ms' });
  } finally {
    await net.destroy();
  }
  return rows;
};
export default bench;
