/**
 * `npm run bench [-- name…] [--quick]`: runs every bench/*.bench.js (or the named ones) and
 * prints one Markdown table, the one the README carries.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Bench, BenchRow } from './types.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));
const files = readdirSync(here).filter((f) => f.endsWith('.bench.js'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o))).sort();

const rows: BenchRow[] = [];
for (const file of files) {
  process.stderr.write(`bench: ${file}\n`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: Bench };
  rows.push(...(await mod.default({ quick })));
}
const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v >= 100 ? v.toFixed(0) : v.toFixed(2));
console.log('| benchmark | metric | value | goal |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.metric} | ${fmt(r.value)} ${r.unit} | ${r.goal ?? ''} |`);
