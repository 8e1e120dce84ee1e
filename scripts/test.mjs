// Runs the test suite with node's built-in runner over the compiled tree (npm run build first).
//   node scripts/test.mjs            all: unit, integration, e2e
//   node scripts/test.mjs unit       unit tests beside the code (dist/src/**/*.test.js)
//   node scripts/test.mjs integration | e2e
//   node scripts/test.mjs e2e:node-host,controllers   only those files of a kind
import { readdirSync, statSync, existsSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const kinds = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const wanted = kinds.length ? kinds : ['unit', 'integration', 'e2e'];
const roots = { unit: 'dist/src', integration: 'dist/test/integration', e2e: 'dist/test/e2e' };

function find(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? find(p) : p.endsWith('.test.js') ? [p] : [];
  });
}

if (!existsSync('dist')) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const tapDir = mkdtempSync(join(tmpdir(), 'k8ts-test-'));
const totals = { pass: 0, fail: 0, skipped: 0, cancelled: 0 };
let failed = false;
for (const spec of wanted) {
  const [kind, only] = spec.split(':');
  const names = only ? new Set(only.split(',').map((n) => `${n}.test.js`)) : undefined;
  if (!roots[kind]) { console.error(`unknown test kind "${kind}"`); process.exit(2); }
  const files = find(roots[kind]).filter((f) => !names || names.has(f.slice(f.lastIndexOf('/') + 1))).sort();
  if (names && files.length !== names.size) { console.error(`not all of ${only} found under ${roots[kind]}`); process.exit(2); }
  if (files.length === 0) continue;
  console.log(`\n== ${kind} tests (${files.length} files)`);
  // Unit tests run in parallel; integration and e2e tests share ports, daemons and host networking.
  const concurrency = kind === 'unit' ? ['--test-concurrency=2'] : ['--test-concurrency=1'];
  const tap = join(tapDir, `${kind}.tap`);
  const r = spawnSync(process.execPath, ['--test', ...concurrency,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  for (const key of Object.keys(totals)) {
    const m = text.match(new RegExp(`^# ${key} (\\d+)$`, 'm'));
    if (m) totals[key] += Number(m[1]);
  }
}
rmSync(tapDir, { recursive: true, force: true });
// One closing line over all kinds, in the plain form CI reads.
console.log(`\ntests: ${totals.pass} passed, ${totals.fail + totals.cancelled} failed, ${totals.skipped} skipped`);
process.exit(failed || totals.fail + totals.cancelled > 0 ? 1 : 0);
