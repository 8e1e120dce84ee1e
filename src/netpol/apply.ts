import type { Exec } from '../network/exec.js';
import type { IptablesTools, RestoreText, RuleSet, SavedTable, SavedTables } from '../proxy/index.js';
import { nftTools, parseSave, planRestore } from '../proxy/index.js';
import { isNetpolChain } from './chain-names.js';
import { netpolJump } from './rules.js';

export interface NetpolPlanOptions {
  /** The ruleset the last successful restore wrote: unchanged chains are left out. */
  previous?: RuleSet;
  /** The filter table as iptables-save shows it now (full syncs): stale chains to delete, the jump to check. */
  saved?: SavedTables;
  /** Split the restore into COMMITs of at most this many chains (planRestore's chainsPerCommit); default one. */
  chainsPerCommit?: number;
}

/** The jump as iptables-save prints it. */
export const netpolJumpRule = `-A ${netpolJump.chain} ${netpolJump.args} -j ${netpolJump.target}`;

/** A FORWARD rule that jumps into the network policy chain, whatever its matches. */
function isNetpolJumpLine(rule: string): boolean {
  return rule.startsWith(`-A ${netpolJump.chain} `) && rule.endsWith(` -j ${netpolJump.target}`);
}

/** True when FORWARD's first rule is the jump into the network policy chain. */
export function jumpIsFirst(filter: SavedTable | undefined): boolean {
  const first = filter?.rules.find((r) => r.startsWith(`-A ${netpolJump.chain} `));
  return !!first && isNetpolJumpLine(first);
}

/**
 * The restore text that moves the filter table to `next` (changed chains rewritten, stale
 * K8TS-NP- chains deleted, as the proxy plans its own), and on a full sync also puts the jump
 * from FORWARD first, because the proxy's forwarding chain accepts pod traffic and must not be
 * reached before the policies. The jump goes through planRestore's own jump handling: shown
 * `saved` without our jumps, it inserts the jump at the top of FORWARD in the COMMIT that comes
 * after every chain exists (the last, however many there are), and deletes the old, misplaced
 * jumps just before. Pure.
 */
export function planNetpolRestore(next: RuleSet, opts: NetpolPlanOptions = {}): RestoreText {
  const base = { previous: opts.previous, staleChain: isNetpolChain, ...(opts.chainsPerCommit ? { chainsPerCommit: opts.chainsPerCommit } : {}) };
  const saved = opts.saved;
  if (!saved) return planRestore(next, base);
  const filter = saved.filter;
  if (jumpIsFirst(filter)) return planRestore(next, { ...base, saved, jumps: [netpolJump] });
  const misplaced = (filter?.rules ?? []).filter(isNetpolJumpLine);
  const withoutJump: SavedTables = {
    ...saved,
    filter: { chains: filter?.chains ?? new Set<string>(), rules: (filter?.rules ?? []).filter((r) => !isNetpolJumpLine(r)) },
  };
  return planRestore(next, {
    ...base, saved: withoutJump, jumps: [netpolJump],
    deleteRules: misplaced.map((rule) => ({ table: 'filter', rule })),
  });
}

/** Whether FORWARD's first rule is our jump, read with one `iptables -S FORWARD 1` (the check of every partial sync). */
export async function checkJumpFirst(exec: Exec, signal?: AbortSignal, tools: IptablesTools = nftTools): Promise<boolean> {
  const { stdout } = await exec(tools.restore.replace(/-restore$/, ''), ['-w', '5', '-t', 'filter', '-S', netpolJump.chain, '1'], { signal });
  return stdout.trim().endsWith(` -j ${netpolJump.target}`);
}

/** Runs iptables-save for the filter table (all network policy chains live there). */
export async function saveFilterTable(exec: Exec, signal?: AbortSignal, tools: IptablesTools = nftTools): Promise<SavedTables> {
  const { stdout } = await exec(tools.save, ['-t', 'filter'], { signal });
  return parseSave(stdout);
}
