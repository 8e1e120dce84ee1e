import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { applyHeapGrowth } from './heap-policy.js';
import { UsageError } from './flags.js';

// The module beside this test: heap-policy.ts under tsx, heap-policy.js in the compiled tree.
const fromSource = import.meta.url.endsWith('.ts');
const policy = fileURLToPath(new URL(fromSource ? './heap-policy.ts' : './heap-policy.js', import.meta.url));

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
  const r = spawnSync(process.execPath, [...(fromSource ? ['--import', 'tsx'] : []), '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  // V8 11 (Node 20) ends its "Limit: …" line with the factor applied, "(1.5)"; V8 13 (Node 24)
  // prints only "factor 1.5 based on …" (V8 11's factor line is the dynamic one, before the flag).
  const limits = [...r.stdout.matchAll(/\[HeapController\] Limit: .*\((\d+(?:\.\d+)?)\)/g)];
  const found = limits.length ? limits : [...r.stdout.matchAll(/\[HeapController\] factor (\d+(?:\.\d+)?) based/g)];
  return found.map((m) => Number(m[1]).toFixed(1));
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
