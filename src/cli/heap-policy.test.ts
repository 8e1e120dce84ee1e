import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { applyHeapGrowth } from './heap-policy.js';
import { UsageError } from './flags.js';

const policy = fileURLToPath(new URL('./heap-policy.ts', import.meta.url));

/** The old-generation limit factors V8 reports in a fresh process that applied `percent` and then churned. */
function limitFactors(percent: number): string[] {
  const code = `
    const { applyHeapGrowth } = await import(${JSON.stringify(policy)});
    const { setFlagsFromString } = await import('node:v8');
    applyHeapGrowth(${percent});
    setFlagsFromString('--trace-gc-verbose');
    const keep = [];
    for (let i = 0; i < 3e6; i++) { keep.push({ i }); if (keep.length > 1e6) keep.length = 0; }
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return [...r.stdout.matchAll(/\[HeapController\] Limit: .*\((\d+\.\d)\)/g)].map((m) => m[1]!);
}

describe('applyHeapGrowth', () => {
  it('fixes the factor V8 applies to the live size for the next full GC', () => {
    const factors = limitFactors(50);
    assert.ok(factors.length > 0, 'no full GC traced');
    assert.deepEqual([...new Set(factors)], ['1.5']);
  });

  it('0 leaves V8 its own policy', () => {
    const factors = limitFactors(0);
    assert.ok(factors.length > 0, 'no full GC traced');
    assert.ok(factors.some((f) => f !== '1.5'), `factors ${factors.join(', ')}`);
  });

  it('refuses what is not a percentage', () => {
    for (const bad of [-1, 1.5, 401, Number.NaN]) assert.throws(() => applyHeapGrowth(bad), UsageError);
  });
});
