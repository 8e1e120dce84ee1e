import { formatDuration as formatGoDuration } from '../api/protobuf/go-json.js';
/** Command-line flags declared as data (k3s style): name, type, default, env var, category, help. */
export type FlagType = 'string' | 'int' | 'bool' | 'duration' | 'strings';

export interface Flag {
  name: string;
  type: FlagType;
  default?: string | number | boolean | string[];
  env?: string;
  category?: string;
  help: string;
  short?: string;
}

export type FlagValues = Record<string, string | number | boolean | string[] | undefined>;

export class UsageError extends Error {}

/** Parses `--name value`, `--name=value`, `--bool`, `--no-bool`; flags may repeat for `strings`. */
export function parseFlags(flags: readonly Flag[], argv: readonly string[], env: NodeJS.ProcessEnv): { values: FlagValues; args: string[] } {
  const byName = new Map<string, Flag>();
  for (const f of flags) {
    byName.set(f.name, f);
    if (f.short) byName.set(f.short, f);
  }
  const values: FlagValues = {};
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') { args.push(...argv.slice(i + 1)); break; }
    if (!arg.startsWith('-') || arg === '-') { args.push(arg); continue; }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    let flag = byName.get(name);
    let negated = false;
    if (!flag && name.startsWith('no-')) { flag = byName.get(name.slice(3)); negated = flag?.type === 'bool'; if (!negated) flag = undefined; }
    if (!flag) throw new UsageError(`unknown flag: --${name}`);
    let raw: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (flag.type === 'bool') {
      values[flag.name] = negated ? false : raw === undefined ? true : parseBool(flag, raw);
      continue;
    }
    if (raw === undefined) {
      raw = argv[++i];
      if (raw === undefined) throw new UsageError(`flag needs an argument: --${flag.name}`);
    }
    const v = convert(flag, raw);
    if (flag.type === 'strings') values[flag.name] = [...((values[flag.name] as string[] | undefined) ?? []), ...(v as string[])];
    else values[flag.name] = v;
  }
  for (const f of flags) {
    if (values[f.name] !== undefined) continue;
    const fromEnv = f.env ? env[f.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') values[f.name] = f.type === 'bool' ? parseBool(f, fromEnv) : convert(f, fromEnv);
    else values[f.name] = f.default;
  }
  return { values, args };
}

function parseBool(f: Flag, raw: string): boolean {
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new UsageError(`invalid value "${raw}" for --${f.name}: want true or false`);
}

function convert(f: Flag, raw: string): string | number | string[] {
  switch (f.type) {
    case 'int': {
      const n = Number(raw);
      if (!Number.isInteger(n)) throw new UsageError(`invalid value "${raw}" for --${f.name}: want an integer`);
      return n;
    }
    case 'duration': return parseDuration(raw, f.name);
    case 'strings': return raw.split(',').map((s) => s.trim()).filter(Boolean);
    default: return raw;
  }
}

/** Go-style durations (`40s`, `5m`, `1h30m`, `500ms`) in milliseconds; a bare number is seconds. */
export function parseDuration(raw: string, name = 'duration'): number {
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of raw.matchAll(re)) {
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    consumed += m[0].length;
  }
  if (consumed !== raw.length || consumed === 0) throw new UsageError(`invalid duration "${raw}" for --${name}`);
  return total;
}

/** Help text grouped by category, as k3s prints it. */
export function formatHelp(usage: string, flags: readonly Flag[]): string {
  const lines = [`Usage: ${usage}`, '', 'Flags:'];
  let category: string | undefined;
  for (const f of [...flags].sort((a, b) => (a.category ?? '').localeCompare(b.category ?? ''))) {
    if (f.category !== category) { category = f.category; if (category) lines.push(`  (${category})`); }
    const shown = f.type === 'duration' && typeof f.default === 'number' ? formatGoDuration(BigInt(f.default) * 1_000_000n)
      : Array.isArray(f.default) ? f.default.join(',') : f.default;
    const def = f.default !== undefined && f.default !== '' && f.default !== false ? ` (default: ${shown})` : '';
    const env = f.env ? ` [$${f.env}]` : '';
    lines.push(`    --${f.name}${f.type === 'bool' ? '' : ' value'}\t${f.help}${def}${env}`);
  }
  return lines.join('\n');
}
