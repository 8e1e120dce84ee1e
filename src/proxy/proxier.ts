import { services } from '../api/resources/core/services.js';
import { endpointSlices } from '../api/resources/discovery/endpoint-slices.js';
import type { Clock } from '../base/clock.js';
import { systemClock } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import type { SharedInformerFactory } from '../client/informer.js';
import type { Exec } from '../network/exec.js';
import type { IptablesTools } from './apply.js';
import { applyRestore, nftTools, planRestore, proxyChainsPerCommit, saveTables } from './apply.js';
import { boundedFrequencyRunner } from './bounded-frequency-runner.js';
import type { NodeNetConfig, RuleSet } from './rules.js';
import { jumpRules, renderCache, renderRules } from './rules.js';
import type { ServiceObject } from '../api/resources/core/services.js';
import type { EndpointSliceObject } from '../api/resources/discovery/endpoint-slices.js';
import { readyRoutedIPs } from './drain.js';
import type { UdpCleanupState } from './conntrack.js';
import { cleanStaleUdpFlows } from './conntrack.js';
import { networkPolicyChain } from './chain-names.js';

export interface ProxierDeps {
  informers: SharedInformerFactory;
  exec: Exec;
  node: NodeNetConfig;
  log: Logger;
  /** Minimum time between syncs once the burst is spent (kube-proxy --iptables-min-sync-period). Default 100 ms. */
  minSyncMs?: number;
  /** Syncs allowed back to back. Default 2. */
  burst?: number;
  /** A sync at least this often, and retry delay after a failure (--iptables-sync-period). Default 30 s. */
  syncPeriodMs?: number;
  /** A full sync (iptables-save, stale chain deletion, jump check) at least this often. Default 1 h. */
  fullSyncPeriodMs?: number;
  /** Delay before retrying a failed restore. Default 1 s. */
  retryMs?: number;
  tools?: IptablesTools;
  /** Delete UDP conntrack entries to endpoints no longer serving after each sync (needs `conntrack`). Default true. */
  conntrack?: boolean;
  clock?: Clock;
  /** Called after each successful sync (benchmarks, tests). */
  onSync?(info: SyncInfo): void;
}

export interface SyncInfo {
  full: boolean;
  ms: number;
  /** Lines of restore input written (0 when nothing changed). */
  lines: number;
}

export interface Proxier {
  run(signal: AbortSignal): Promise<void>;
  /** Asks for a sync soon (also what every informer event does). */
  sync(): void;
  /**
   * Resolves once the rules in the kernel no longer pick any of `ips` as a ready endpoint for new
   * connections (see readyRoutedIPs: a terminating endpoint kept as a Service's last fallback
   * counts as drained). What the kubelet awaits before it stops a deleted pod's containers.
   * Rejects with the signal's reason when it aborts.
   */
  whenDrained(ips: readonly string[], signal: AbortSignal): Promise<void>;
}

/**
 * The service proxy of one node (kube-proxy, iptables mode): Service and EndpointSlice events
 * only mark the state dirty; once both caches have synced, one bounded-frequency runner renders
 * the whole ruleset (re-deriving only what changed, through a render cache) and applies the
 * chains that changed in one `iptables-restore --noflush` (split into dependency-ordered
 * COMMITs when more than proxyChainsPerCommit chains change). Full syncs (the first, hourly,
 * after a failure) compare every chain with iptables-save and rewrite only those that differ,
 * delete stale chains and restore missing jumps. After each sync, waiters on drained endpoints
 * are released and stale UDP conntrack entries deleted.
 */
export function proxier(deps: ProxierDeps): Proxier {
  const log = deps.log.child({ component: 'proxy' });
  const clock = deps.clock ?? systemClock;
  const tools = deps.tools ?? nftTools;
  const serviceCache = deps.informers.for(services);
  const sliceCache = deps.informers.for(endpointSlices);
  const jumps = jumpRules(deps.node);
  const fullSyncPeriodMs = deps.fullSyncPeriodMs ?? 3_600_000;
  let applied: RuleSet | undefined;
  let lastFullSync = -Infinity;
  /** Unchanged Services and slices are not re-derived from one sync to the next. */
  const memo = renderCache();
  /** The inputs of the rules last written (what the kernel holds), for drain checks. */
  let appliedInputs: { services: readonly ServiceObject[]; slices: readonly EndpointSliceObject[] } | undefined;
  /** Partial syncs list conntrack only when a UDP frontend's serving endpoints changed; full syncs always do. */
  const udpCleanup: UdpCleanupState = {};
  const drainWaiters = new Set<{ ips: readonly string[]; resolve(): void }>();
  const drained = (ips: readonly string[]) =>
    !!appliedInputs && readyRoutedIPs(ips, appliedInputs.services, appliedInputs.slices, deps.node).size === 0;

  const runner = boundedFrequencyRunner({
    fn: syncProxyRules,
    minIntervalMs: deps.minSyncMs ?? 100,
    maxIntervalMs: deps.syncPeriodMs ?? 30_000,
    burst: deps.burst ?? 2,
    retryMs: deps.retryMs ?? 1000,
    clock,
    log,
  });
  const markDirty = () => runner.trigger();
  serviceCache.onChange(markDirty);
  sliceCache.onChange(markDirty);

  async function syncProxyRules(signal: AbortSignal): Promise<void> {
    if (!serviceCache.hasSynced() || !sliceCache.hasSynced()) return;
    const started = performance.now();
    const full = applied === undefined || clock.now() - lastFullSync >= fullSyncPeriodMs;
    try {
      // iptables-save runs in its own process while the rules render here.
      const saving = full ? saveTables(deps.exec, signal, tools) : undefined;
      saving?.catch(() => undefined);
      const inputs = { services: serviceCache.list(), slices: sliceCache.list() };
      const next = renderRules(inputs.services, inputs.slices, deps.node, memo);
      const saved = await saving;
      const text = planRestore(next, { previous: full ? undefined : applied, saved, jumps, chainsPerCommit: proxyChainsPerCommit, keepIntactChains: true, keepFirst: [networkPolicyChain] });
      await applyRestore(text, deps.exec, signal, tools);
      applied = next;
      appliedInputs = inputs;
      if (full) lastFullSync = clock.now();
      for (const w of drainWaiters) if (drained(w.ips)) w.resolve();
      if (deps.conntrack ?? true) {
        if (full) udpCleanup.cleaned = undefined;
        await cleanStaleUdpFlows(deps.exec, inputs.services, inputs.slices, deps.node, signal, memo, udpCleanup).catch((err: unknown) => {
          if (signal.aborted) throw err;
          log.warn('deleting stale UDP conntrack entries failed', { err });
        });
      }
      const info = { full, ms: performance.now() - started, lines: text ? text.split('\n').length - 1 : 0 };
      log.debug('synced proxy rules', { ...info });
      deps.onSync?.(info);
    } catch (err) {
      if (signal.aborted) throw err;
      // What the kernel holds is unknown now: the retry is a full sync, which compares every
      // chain with iptables-save and rewrites those that differ.
      applied = undefined;
      log.error('syncing proxy rules failed', { err, full });
      runner.retryAfter(deps.retryMs ?? 1000);
    }
  }

  return {
    sync: markDirty,
    whenDrained(ips, signal) {
      if (signal.aborted) return Promise.reject(signal.reason);
      if (drained(ips)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const waiter = {
          ips,
          resolve: () => { done(); resolve(); },
        };
        const onAbort = () => { done(); reject(signal.reason); };
        const done = () => { drainWaiters.delete(waiter); signal.removeEventListener('abort', onAbort); };
        drainWaiters.add(waiter);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
    async run(signal) {
      try {
        await Promise.all([serviceCache.waitForSync(signal), sliceCache.waitForSync(signal)]);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      log.info('caches synced, programming service rules', { node: deps.node.nodeName });
      runner.trigger();
      await runner.run(signal);
    },
  };
}
