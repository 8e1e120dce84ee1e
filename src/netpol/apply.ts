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
}

/** The jump as iptables-save prints it. */
export const netpolJumpRule = `-A ${netpolJump.chain} ${netpolJump.args} -j ${netpolJump.target}`;

/** True when FORWARD's first rule is the jump into the network policy chain. */
export function jumpIsFirst(filter: SavedTable | undefined): boolean {
  const first = filter?.rules.find((r) => r.startsWith(`-A ${netpolJump.chain} `));
  return !!first && first.endsWith(` -j ${netpolJump.target}`);
}

/**
 * The restore text that moves the filter table to `next` (changed chains rewritten, stale
 * K8TS-NP- chains deleted, as the proxy plans its own), and on a full sync also puts the jump
 * from FORWARD first: other jumps into K8TS-NETPOL are deleted and one is inserted at the top,
 * because the proxy's forwarding chain accepts pod traffic and must not be reached before the
 * policies. Pure.
 */
export function planNetpolRestore(next: RuleSet, opts: NetpolPlanOptions = {}): RestoreText {
  const text = planRestore(next, { previous: opts.previous, saved: opts.saved, staleChain: isNetpolChain });
  const filter = opts.saved?.filter;
  if (!opts.saved || jumpIsFirst(filter)) return text;
  const jumpLines = [
    ...(filter?.rules ?? []).filter((r) => r.startsWith(`-A ${netpolJump.chain} `) && r.endsWith(` -j ${netpolJump.target}`)).map((r) => '-D' + r.slice(2)),
    `-I ${netpolJump.chain} 1 ${netpolJump.args} -j ${netpolJump.target}`,
  ];
  const lines = text ? text.split('\n') : [];
  const start = lines.indexOf('*filter');
  if (start < 0) return text + ['*filter', ...jumpLines, 'COMMIT'].join('\n') + '\n';
  const commit = lines.indexOf('COMMIT', start);
  lines.splice(commit, 0, ...jumpLines);
  return lines.join('\n');
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
