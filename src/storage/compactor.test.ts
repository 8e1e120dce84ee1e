import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../base/index.js';
import { compactor } from './compactor.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import { CompactedError } from './store.js';

describe('compactor', () => {
  it('compacts at the revision seen one window ago, keeping the window of history', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    const clock = new FakeClock();
    const ac = new AbortController();
    const enc = new TextEncoder();
    let rev = 0;
    const writeSome = async (n: number) => { for (let i = 0; i < n; i++) rev = (await store.create(`/k/${rev + 1}`, enc.encode('x'))).modRevision; };
    // Each "interval": the store gets 10 writes and the clock moves one minute.
    let ticks = 0;
    const seen: number[] = [];
    const tick = async (_ms: number, signal: AbortSignal) => {
      seen.push(store.compactedRevision());
      if (++ticks === 8) ac.abort();
      signal.throwIfAborted();
      await writeSome(10);
      clock.advance(60_000);
    };
    await writeSome(5);
    await compactor({ store, clock, windowMs: 3 * 60_000, intervalMs: 60_000, sleep: tick }).run(ac.signal);
    // Samples at t=0,1,2,…min with revisions 5,15,25,…; at t=3min the t=0 sample (rev 5) is old enough.
    assert.deepEqual(seen, [0, 0, 0, 5, 15, 25, 35, 45]);
    await assert.rejects(store.list('/k/', { revision: 40 }), CompactedError);
    assert.equal((await store.list('/k/', { revision: 45 })).kvs.length, 45);
    assert.equal((await store.list('/k/')).kvs.length, rev);
    await store.close();
  });

  it('logs a failed compaction and tries again next time', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const warnings: string[] = [];
    let calls = 0;
    const store = {
      currentRevision: async () => 100 + calls,
      compact: async () => { calls++; if (calls === 1) throw new Error('disk on fire'); },
    } as unknown as Parameters<typeof compactor>[0]['store'];
    const log = { debug() {}, info() {}, warn: (m: string) => { warnings.push(m); }, error() {}, child: () => log };
    let ticks = 0;
    await compactor({ store, clock, log, windowMs: 1000, intervalMs: 1000, sleep: async (_ms, signal) => {
      if (++ticks === 4) ac.abort();
      signal.throwIfAborted();
      clock.advance(1000);
    } }).run(ac.signal);
    assert.deepEqual(warnings, ['compaction failed']);
    assert.equal(calls, 3);
  });
});
