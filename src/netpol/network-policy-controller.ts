import { namespaces } from '../api/resources/core/namespaces.js';
import { pods } from '../api/resources/core/pods.js';
import { networkPolicies } from '../api/resources/networking/network-policies.js';
import type { Clock } from '../base/clock.js';
import { systemClock } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import type { SharedInformerFactory } from '../client/informer.js';
import type { Exec } from '../network/exec.js';
import { ExecError } from '../network/exec.js';
import type { IptablesTools, RuleSet } from '../proxy/index.js';
import { applyRestore, boundedFrequencyRunner, nftTools } from '../proxy/index.js';
import { checkJumpFirst, planNetpolRestore, saveFilterTable } from './apply.js';
import { renderNetpolRules } from './rules.js';

export interface NetworkPolicyControllerDeps {
  informers: SharedInformerFactory;
  exec: Exec;
  /** This node: policies are enforced for its pods. */
  nodeName: string;
  log: Logger;
  /** The packet-mark bit policies use; default 17 (0x20000). */
  allowMarkBit?: number;
  /** Minimum time between syncs once the burst is spent. Default 100 ms. */
  minSyncMs?: number;
  /** Syncs allowed back to back. Default 2. */
  burst?: number;
  /** A sync at least this often; each sync checks that the FORWARD jump is still first. Default 10 s. */
  syncPeriodMs?: number;
  /** A full sync (iptables-save, every chain rewritten, stale chains deleted) at least this often. Default 1 h. */
  fullSyncPeriodMs?: number;
  /** Delay before retrying a failed restore. Default 1 s. */
  retryMs?: number;
  tools?: IptablesTools;
  clock?: Clock;
  /** Called after each successful sync (benchmarks, tests). */
  onSync?(info: NetpolSyncInfo): void;
}

export interface NetpolSyncInfo {
  full: boolean;
  ms: number;
  /** Lines of restore input written (0 when nothing changed). */
  lines: number;
}

export interface NetworkPolicyController {
  run(signal: AbortSignal): Promise<void>;
  /** Asks for a sync soon (also what every informer event does). */
  sync(): void;
}

/**
 * NetworkPolicy enforcement on one node, shaped like the proxy: NetworkPolicy, Pod and
 * Namespace events only mark the state dirty; once the three caches have synced, a
 * bounded-frequency runner renders every policy chain for this node's pods and applies what
 * changed with one `iptables-restore --noflush`. A sync that finds the FORWARD jump no longer
 * first (the proxy inserted its own above it) turns into a full sync, which moves it back.
 */
export function networkPolicyController(deps: NetworkPolicyControllerDeps): NetworkPolicyController {
  const log = deps.log.child({ component: 'network-policy' });
  const clock = deps.clock ?? systemClock;
  const tools = deps.tools ?? nftTools;
  const policyCache = deps.informers.for(networkPolicies);
  const podCache = deps.informers.for(pods);
  const namespaceCache = deps.informers.for(namespaces);
  const fullSyncPeriodMs = deps.fullSyncPeriodMs ?? 3_600_000;
  const retryMs = deps.retryMs ?? 1000;
  let applied: RuleSet | undefined;
  let lastFullSync = -Infinity;

  const runner = boundedFrequencyRunner({
    fn: syncPolicyRules,
    minIntervalMs: deps.minSyncMs ?? 100,
    maxIntervalMs: deps.syncPeriodMs ?? 10_000,
    burst: deps.burst ?? 2,
    retryMs,
    clock,
    log,
  });
  const markDirty = () => runner.trigger();
  policyCache.onChange(markDirty);
  podCache.onChange(markDirty);
  namespaceCache.onChange(markDirty);

  async function syncPolicyRules(signal: AbortSignal): Promise<void> {
    if (!policyCache.hasSynced() || !podCache.hasSynced() || !namespaceCache.hasSynced()) return;
    const started = performance.now();
    let full = applied === undefined || clock.now() - lastFullSync >= fullSyncPeriodMs;
    try {
      const next = renderNetpolRules(policyCache.list(), podCache.list(), namespaceCache.list(), { nodeName: deps.nodeName, allowMarkBit: deps.allowMarkBit });
      if (!full && !(await checkJumpFirst(deps.exec, signal, tools))) {
        log.info('network policy jump is no longer first in FORWARD, resyncing');
        full = true;
      }
      const saved = full ? await saveFilterTable(deps.exec, signal, tools) : undefined;
      const text = planNetpolRestore(next, { previous: full ? undefined : applied, saved });
      await applyRestore(text, deps.exec, signal, tools);
      applied = next;
      if (full) lastFullSync = clock.now();
      const info = { full, ms: performance.now() - started, lines: text ? text.split('\n').length - 1 : 0 };
      log.debug('synced network policy rules', { ...info });
      deps.onSync?.(info);
    } catch (err) {
      if (signal.aborted) throw err;
      // What the kernel holds is unknown now: the retry rewrites everything.
      applied = undefined;
      log.error('syncing network policy rules failed', { err, full });
      runner.retryAfter(retryMs);
    }
  }

  return {
    sync: markDirty,
    async run(signal) {
      try {
        await Promise.all([policyCache.waitForSync(signal), podCache.waitForSync(signal), namespaceCache.waitForSync(signal)]);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      await warnWithoutBridgeNetfilter(deps.exec, log, signal);
      log.info('caches synced, programming network policy rules', { node: deps.nodeName });
      runner.trigger();
      await runner.run(signal);
    },
  };
}

/**
 * Pods on one bridge talk at layer 2: their traffic reaches iptables' FORWARD only with
 * br_netfilter and net.bridge.bridge-nf-call-iptables=1 (the agent sets it when the kernel has
 * it). Without it, policies still hold for traffic routed through the node (other nodes, off
 * the cluster, Services) but not between two pods of the same node: say so once.
 */
async function warnWithoutBridgeNetfilter(exec: Exec, log: Logger, signal: AbortSignal): Promise<void> {
  const value = await exec('sysctl', ['-n', 'net.bridge.bridge-nf-call-iptables'], { signal }).then((r) => r.stdout.trim(), (err: unknown) => {
    if (err instanceof ExecError) return 'missing';
    throw err;
  });
  if (value !== '1') log.warn('bridged pod traffic bypasses iptables: network policies do not apply between pods of this node', { 'net.bridge.bridge-nf-call-iptables': value });
}
