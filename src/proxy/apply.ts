import type { Exec } from '../network/exec.js';
import { isOwnedChain, isServiceChain } from './chain-names.js';
import type { ChainRules, JumpRule, RestoreText, RuleSet } from './rules.js';

/** The iptables programs the proxy runs: iptables-nft explicitly, so rules never land in legacy tables. */
export interface IptablesTools {
  save: string;
  restore: string;
}
export const nftTools: IptablesTools = { save: 'iptables-nft-save', restore: 'iptables-nft-restore' };

/** One table as iptables-save printed it. */
export interface SavedTable {
  readonly chains: ReadonlySet<string>;
  /** Every `-A CHAIN …` line, as printed. */
  readonly rules: readonly string[];
}
export type SavedTables = Readonly<Record<string, SavedTable>>;

/** Parses iptables-save output into tables of chain names and rule lines. */
export function parseSave(text: string): SavedTables {
  const out: Record<string, { chains: Set<string>; rules: string[] }> = {};
  let table: { chains: Set<string>; rules: string[] } | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) out[line.slice(1).trim()] = table = { chains: new Set(), rules: [] };
    else if (!table) continue;
    else if (line.startsWith(':')) table.chains.add(line.slice(1).split(' ')[0]!);
    else if (line.startsWith('-A ')) table.rules.push(line);
  }
  return out;
}

export interface PlanOptions {
  /** The ruleset the last successful restore wrote: chains whose rules are unchanged are left out. */
  previous?: RuleSet;
  /** What iptables-save shows now (full syncs): stale service chains to delete, missing jumps to insert. */
  saved?: SavedTables;
  /** Jumps from the built-in chains, inserted when `saved` lacks them. */
  jumps?: readonly JumpRule[];
  /** Which chains no longer wanted are deleted; default the proxy's per-service chains. */
  staleChain?: (name: string) => boolean;
  /**
   * Split a table's changes into several COMMITs of at most this many chains (default: one
   * COMMIT per table). iptables-nft-restore --noflush keeps the chains a transaction names in a
   * sorted linked list, so one transaction naming n chains costs O(n × lines); sections keep it
   * linear. They are ordered so that every state in between is whole: chains are written before
   * the chains that jump to them, jumps from the built-in chains come after every chain exists,
   * and stale chains are flushed, then deleted, last.
   */
  chainsPerCommit?: number;
  /**
   * Full syncs: leave out chains whose rules iptables-save shows exactly as wanted (compared in
   * canonicalRule form), so a resync over intact rules writes almost nothing. Default false:
   * every wanted chain is rewritten, as kube-proxy's full sync does.
   */
  keepIntactChains?: boolean;
  /**
   * Chains whose jumps must stay above ours in a built-in chain (network policy's, which must
   * see pod traffic before the proxy's forwarding accepts it): missing jumps are inserted
   * below the leading run of jumps to these chains that `saved` shows.
   */
  keepFirst?: readonly string[];
  /**
   * Rules `saved` shows (`-A CHAIN …` as printed) to delete just before the missing jumps are
   * inserted, in the same COMMIT: how a jump that is in the wrong place is moved (give the jump
   * in `jumps`, pass `saved` without it, and its old lines here).
   */
  deleteRules?: readonly { table: string; rule: string }[];
}

/** 1 + the number of rules at the top of `chain` in `saved` that jump to one of `first`. */
function insertPosition(saved: SavedTable | undefined, chain: string, first: readonly string[]): number {
  if (!saved || first.length === 0) return 1;
  let n = 0;
  for (const rule of saved.rules) {
    if (!rule.startsWith(`-A ${chain} `)) continue;
    if (!first.some((f) => rule.endsWith(` -j ${f}`) || rule.includes(` -j ${f} `))) break;
    n++;
  }
  return n + 1;
}

/** The proxy's section size for large restores (see PlanOptions.chainsPerCommit): measured best between 50 and 200. */
export const proxyChainsPerCommit = 100;

/**
 * The restore text that moves the kernel from what it has to `next`: changed chains are
 * rewritten (a chain line flushes it), service chains no longer wanted are flushed and
 * deleted, and missing jumps from the built-in chains are inserted at the top. Pure.
 */
export function planRestore(next: RuleSet, opts: PlanOptions = {}): RestoreText {
  const lines: string[] = [];
  for (const table of ['filter', 'nat'] as const) {
    const wanted = next[table];
    const before = new Map((opts.previous?.[table] ?? []).map((c) => [c.name, c.rules]));
    let changed = opts.previous ? wanted.filter((c) => !sameRules(before.get(c.name), c.rules)) : wanted;
    const savedTable = opts.saved?.[table];
    if (opts.keepIntactChains && savedTable) {
      const inKernel = savedRulesByChain(savedTable);
      changed = changed.filter((c) => !savedTable.chains.has(c.name) || !sameCanonicalRules(inKernel.get(c.name) ?? [], c.rules));
    }
    const wantedNames = new Set(wanted.map((c) => c.name));
    const stale = new Set<string>();
    const isStale = opts.staleChain ?? isServiceChain;
    for (const name of before.keys()) if (!wantedNames.has(name) && isStale(name)) stale.add(name);
    for (const name of opts.saved?.[table]?.chains ?? []) if (!wantedNames.has(name) && isStale(name)) stale.add(name);
    const missingJumps = opts.saved
      ? (opts.jumps ?? []).filter((j) => j.table === table && !hasJump(opts.saved![table], j))
      : [];
    const deletes = (opts.deleteRules ?? []).filter((d) => d.table === table).map((d) => '-D' + d.rule.slice(2));
    if (changed.length === 0 && stale.size === 0 && missingJumps.length === 0 && deletes.length === 0) continue;
    // Rules to delete first; then the jumps, inserted at one position in reverse so that they end up in their listed order.
    const jumpLines = [...deletes, ...[...missingJumps].reverse()
      .map((j) => `-I ${j.chain} ${insertPosition(savedTable, j.chain, opts.keepFirst ?? [])} ${j.args ? j.args + ' ' : ''}-j ${j.target}`)];
    const staleSorted = [...stale].sort();
    const limit = opts.chainsPerCommit ?? Infinity;
    if (changed.length + stale.size <= limit) {
      lines.push(`*${table}`);
      for (const c of changed) lines.push(`:${c.name} - [0:0]`);
      for (const name of staleSorted) lines.push(`:${name} - [0:0]`);
      for (const c of changed) lines.push(...c.rules);
      lines.push(...jumpLines);
      for (const name of staleSorted) lines.push(`-X ${name}`);
      lines.push('COMMIT');
      continue;
    }
    const ordered = leavesFirst(changed);
    for (let i = 0; i < ordered.length || (i === 0 && jumpLines.length); i += limit) {
      const part = ordered.slice(i, i + limit);
      lines.push(`*${table}`);
      for (const c of part) lines.push(`:${c.name} - [0:0]`);
      for (const c of part) lines.push(...c.rules);
      if (i + limit >= ordered.length) lines.push(...jumpLines);
      lines.push('COMMIT');
    }
    for (let i = 0; i < staleSorted.length; i += limit) {
      lines.push(`*${table}`, ...staleSorted.slice(i, i + limit).map((name) => `:${name} - [0:0]`), 'COMMIT');
    }
    for (let i = 0; i < staleSorted.length; i += limit) {
      lines.push(`*${table}`, ...staleSorted.slice(i, i + limit).map((name) => `-X ${name}`), 'COMMIT');
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** The chains ordered so that each comes after every chain of the list it jumps to (stable otherwise). */
export function leavesFirst(chains: readonly ChainRules[]): ChainRules[] {
  const byName = new Map(chains.map((c) => [c.name, c]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (c: ChainRules): number => {
    const known = depth.get(c.name);
    if (known !== undefined) return known;
    if (visiting.has(c.name)) return 0;
    visiting.add(c.name);
    let d = 0;
    for (const rule of c.rules) {
      const target = jumpTarget(rule);
      const t = target === undefined ? undefined : byName.get(target);
      if (t && t !== c) d = Math.max(d, depthOf(t) + 1);
    }
    visiting.delete(c.name);
    depth.set(c.name, d);
    return d;
  };
  return chains.map((c, i) => ({ c, i, d: depthOf(c) })).sort((a, b) => a.d - b.d || a.i - b.i).map((x) => x.c);
}

/** The target of a rule line (`… -j TARGET …`), if any. */
function jumpTarget(rule: string): string | undefined {
  const at = rule.lastIndexOf(' -j ');
  if (at < 0) return undefined;
  const end = rule.indexOf(' ', at + 4);
  return rule.slice(at + 4, end < 0 ? undefined : end);
}

function savedRulesByChain(t: SavedTable): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of t.rules) {
    const end = r.indexOf(' ', 3);
    const chain = end < 0 ? r.slice(3) : r.slice(3, end);
    let list = out.get(chain);
    if (!list) out.set(chain, (list = []));
    list.push(r);
  }
  return out;
}

function sameCanonicalRules(saved: readonly string[], wanted: readonly string[]): boolean {
  if (saved.length !== wanted.length) return false;
  for (let i = 0; i < saved.length; i++) if (saved[i] !== wanted[i] && canonicalRule(saved[i]!) !== canonicalRule(wanted[i]!)) return false;
  return true;
}

/**
 * A rule line (`-A CHAIN …`) in a form that its restore input and iptables-save's listing of it
 * share: iptables-save reorders options (addresses and protocol first), prints probabilities with
 * 11 decimals, MARK's --or-mark/--xor-mark as --set-xmark, and recent's default mask and source.
 * The form is the sorted list of option clauses (an option, its `!`, and its values); pure.
 */
export function canonicalRule(line: string): string {
  const tokens: { text: string; quoted: boolean }[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) tokens.push(m[1] !== undefined ? { text: m[1], quoted: true } : { text: m[2]!, quoted: false });
  const clauses: string[][] = [];
  let negate = false;
  for (let i = 2; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!t.quoted && t.text === '!') { negate = true; continue; }
    if (!t.quoted && t.text.startsWith('-')) {
      clauses.push([negate ? `!${t.text}` : t.text]);
      negate = false;
    } else if (clauses.length) {
      clauses[clauses.length - 1]!.push(t.text);
    } else {
      clauses.push([t.text]);
    }
  }
  const out: string[] = [];
  for (const c of clauses) {
    const [opt, ...values] = c;
    if (opt === '--probability' && values.length === 1) out.push(`${opt} ${Number(values[0]).toFixed(5)}`);
    else if (opt === '--or-mark' && values.length === 1) out.push(`--set-xmark ${values[0]}/${values[0]}`);
    else if (opt === '--xor-mark' && values.length === 1) out.push(`--set-xmark ${values[0]}/0x0`);
    else if ((opt === '--mask' && values[0] === '255.255.255.255') || opt === '--rsource') continue;
    else out.push(c.join(' '));
  }
  return out.sort().join('\n');
}

function sameRules(a: readonly string[] | undefined, b: readonly string[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hasJump(table: SavedTable | undefined, j: JumpRule): boolean {
  return !!table?.rules.some((r) => r.startsWith(`-A ${j.chain} `) && r.endsWith(` -j ${j.target}`));
}

/** Runs iptables-save for the filter and nat tables. */
export async function saveTables(exec: Exec, signal?: AbortSignal, tools: IptablesTools = nftTools): Promise<SavedTables> {
  const [filter, nat] = await Promise.all(['filter', 'nat'].map((t) => exec(tools.save, ['-t', t], { signal })));
  return { ...parseSave(filter!.stdout), ...parseSave(nat!.stdout) };
}

/** Writes restore text atomically with `iptables-restore --noflush` (chains not named are untouched). */
export async function applyRestore(text: RestoreText, exec: Exec, signal?: AbortSignal, tools: IptablesTools = nftTools): Promise<void> {
  if (!text) return;
  await exec(tools.restore, ['-w', '5', '--noflush'], { stdin: text, signal });
}

/**
 * The restore text that removes everything the proxy owns: every jump from a built-in chain
 * into a K8TS- chain, then every K8TS- chain (flushed, then deleted). Pure.
 */
export function planCleanup(saved: SavedTables): RestoreText {
  const lines: string[] = [];
  for (const [table, t] of Object.entries(saved)) {
    const owned = [...t.chains].filter(isOwnedChain).sort();
    const jumps = t.rules.filter((r) => {
      const chain = r.split(' ')[1] ?? '';
      const target = /-j (\S+)/.exec(r)?.[1] ?? '';
      return !isOwnedChain(chain) && isOwnedChain(target);
    });
    if (owned.length === 0 && jumps.length === 0) continue;
    lines.push(`*${table}`);
    for (const c of owned) lines.push(`:${c} - [0:0]`);
    for (const r of jumps) lines.push('-D' + r.slice(2));
    for (const c of owned) lines.push(`-X ${c}`);
    lines.push('COMMIT');
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
